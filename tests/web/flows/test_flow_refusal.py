"""A refusal, in Chromium: a person asks in Japanese for a correction; the privacy officer
verifies the identity and refuses on one of the policy's grounds with the reasons (Art. 36).
The staff page links the notice; its PDF holds the ground as the policy words it in Japanese,
the person's language, and the reasons. The person is told by mail, the status page shows the
refusal, its ground and reasons, and offers the same notice for download.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kojin.policy.model_base import Lang

from .flow_support import (
    FlowSite,
    Person,
    Tab,
    ask,
    browsing,
    identity_image,
    open_from_queue,
    open_queue,
    open_status,
    pdf_text,
    request_state,
    squash,
    staff_act,
    staff_sign_in,
    status_fact,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PERSON = Person(
    name="高橋 美咲",
    furigana="たかはし みさき",
    email="misaki@example.jp",
    details="会員番号 123456 の登録住所を、新しい住所に訂正してください。",
)
GROUND = "not_held"
REASONS = "ご指定の会員番号に該当する記録は、当社のデータベースに存在しませんでした。"


def ground_text(site: FlowSite, lang: Lang) -> str:
    """The policy's wording of :data:`GROUND` in `lang`."""
    for clause in site.state.policy.general.inquiries.refusal_grounds:
        if clause.ground.value == GROUND:
            return clause.text.get(lang)
    raise AssertionError(f"the policy has no ground {GROUND}")


def notice_pdf_from_staff_page(staff: Tab) -> bytes:
    """Follow the staff page's link to the notice's PDF (in the staff member's session)."""
    link = staff.page.get_by_role("link", name="The refusal notice (PDF)")
    assert link.count() == 1
    answer = staff.page.request.get(staff.base_url + str(link.get_attribute("href")))
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    return answer.body()


def test_a_refusal_with_a_ground_and_its_notice(
    browser: Browser, flow_site: FlowSite, tmp_path: Path
) -> None:
    ja_ground, en_ground = ground_text(flow_site, "ja"), ground_text(flow_site, "en")
    with (
        browsing(browser, flow_site, "refusal-person", locale="ja-JP") as person,
        browsing(browser, flow_site, "refusal-staff", locale="en-GB") as staff,
    ):
        reference = ask(
            person,
            flow_site,
            "correction",
            PERSON,
            identity=identity_image(tmp_path, "健康保険証.png"),
            lang="ja",
        )

        staff_sign_in(staff)
        open_queue(staff)
        open_from_queue(staff, "Correction, addition or deletion", "Received")
        staff.shot("admin-request-received")
        staff_act(staff, "verify_identity")
        assert request_state(staff) == "Under review"

        # the form offers the policy's grounds, in the staff member's language
        refuse = staff.page.locator("#action-refuse")
        assert refuse.get_by_label(en_ground).count() == 1
        staff_act(staff, "refuse", refusal_ground=GROUND, explanation=REASONS)
        assert request_state(staff) == "Refused"
        result = staff.main_text()
        assert en_ground in result
        assert REASONS in result

        text = pdf_text(notice_pdf_from_staff_page(staff))
        assert squash(ja_ground) in text
        assert squash(REASONS) in text
        assert squash(en_ground) not in text  # the person's language, not the staff member's

        with staff.page.expect_navigation():
            staff.page.get_by_role("link", name="The refusal notice (HTML)").click()
        assert staff.page.evaluate("document.documentElement.lang") == "ja"
        assert ja_ground in staff.page.locator("body").inner_text()
        staff.shot("admin-refusal-notice-html")

        told = [flow_site.smtp.mailbox.body(m) for m in flow_site.smtp.mailbox.to(PERSON.email)]
        assert any("「ご請求に応じられない旨の決定」" in body for body in told), told

        open_status(person, reference, PERSON.email)
        assert status_fact(person, 2) == "請求に応じない決定"
        shown = person.main_text()
        assert "ご請求に応じないことを決定しました。" in shown
        assert ja_ground in shown
        assert REASONS in shown
        person.shot("portal-status-refused-ja")
        with person.page.expect_download() as started:
            person.page.get_by_role("button", name="通知書をダウンロード（PDF）").click()
        download = started.value
        assert download.suggested_filename.endswith(".pdf")
        from_status_page = pdf_text(Path(download.path()).read_bytes())
        assert squash(ja_ground) in from_status_page
        assert squash(REASONS) in from_status_page
        assert person.foreign == []
        assert staff.foreign == []
