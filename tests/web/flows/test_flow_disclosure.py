"""A disclosure request from the person's form to the downloaded package, in Chromium.

A person fills in the disclosure form in Japanese with a scan of their driving licence, reads the
code from the mail the SMTP server received and confirms it. A privacy officer signs in through
the sign-in page, finds the request in a queue of others, views the identity document, records
that the identity is verified and the policy's fee (a bank transfer reference), looks the
registry subject up by the requester's e-mail and approves. The person is told by mail, sees
the result on the status page and downloads the package: a ZIP whose ``disclosure.json`` is the
registry's record of them, in Japanese.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from web_support import make_subject

from .flow_support import (
    FlowSite,
    Person,
    browsing,
    code_mail,
    enter_code,
    fill_request_form,
    identity_image,
    open_from_queue,
    open_queue,
    open_status,
    request_state,
    seed_request,
    send_form,
    staff_act,
    staff_sign_in,
    status_fact,
    viewport_shot,
    zip_members,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PERSON = Person(
    name="山田 太郎",
    furigana="やまだ たろう",
    email="taro.yamada@example.jp",
    details="貴社が保有している私の個人データと、第三者提供の記録の開示を求めます。",
)
TRANSFER = "振込 2026-12-02 ﾔﾏﾀﾞ ﾀﾛｳ"
MESSAGE = "開示する情報をお送りします。ご不明な点は窓口までお問い合わせください。"


def fill_the_queue(site: FlowSite) -> None:
    """Other requests in other states, so that the officer must pick the right one."""
    seed_request(
        site,
        kind="correction",
        person=Person("佐藤 花子", "hanako.sato@example.jp", details="住所を訂正してください。"),
    )
    seed_request(
        site,
        kind="stop_use",
        lang="en",
        person=Person("Jiro Tanaka", "jiro@example.com", details="Stop the newsletters."),
        actions=[{"action": "verify_identity"}],
    )
    seed_request(
        site,
        kind="erasure",
        person=Person("鈴木 一郎", "ichiro@example.jp", details="会員情報を消去してください。"),
        actions=[{"action": "reject_identity", "note": "画像が不鮮明"}],
    )
    seed_request(
        site,
        kind="disclosure",
        lang="en",
        person=Person("Emily Clark", "emily@example.com", details="Everything you hold."),
        actions=[{"action": "verify_identity"}],
    )
    seed_request(
        site,
        kind="inquiry",
        lang="en",
        person=Person("Ken Mori", "ken@example.com", details="How long do you keep orders?"),
        actions=[{"action": "start_review"}],
    )


def test_a_disclosure_request_from_the_form_to_the_downloaded_package(
    browser: Browser, flow_site: FlowSite, tmp_path: Path
) -> None:
    subject_id = make_subject(flow_site.live.app, email=PERSON.email)
    fill_the_queue(flow_site)
    smtp = flow_site.smtp

    with (
        browsing(browser, flow_site, "disclosure-person", locale="ja-JP") as person,
        browsing(browser, flow_site, "disclosure-staff", locale="en-GB") as staff,
    ):
        # --- the person asks ---
        person.goto("/portal/")
        assert person.page.evaluate("document.documentElement.lang") == "ja"
        person.shot("portal-home-ja")
        with person.page.expect_navigation():
            person.page.get_by_role("link", name="開示", exact=True).click()
        assert person.h1() == "開示のご請求"
        fee = person.page.locator("main .notice-warning").first.inner_text()
        assert "1,000円（税込）" in fee
        identity = identity_image(tmp_path)
        fill_request_form(person, PERSON, identity=identity, method="electronic")
        person.page.locator("#f-include-third-party-records").check()
        person.shot("portal-form-ja")
        person.page.evaluate("window.scrollTo(0, 0)")
        viewport_shot(person.page, "portal-form-ja")

        reference = send_form(person)
        person.shot("portal-verify-ja")
        mailed_reference, code = code_mail(smtp, PERSON.email)
        assert mailed_reference == reference
        enter_code(person, code)
        assert person.h1() == "ご請求が到達しました"
        person.shot("portal-received-ja")
        open_status(person, reference, PERSON.email)
        assert status_fact(person, 2) == "受付済み"
        person.shot("portal-status-received-ja")

        # --- the privacy officer handles it ---
        staff_sign_in(staff)
        open_queue(staff)
        assert staff.page.locator("table.queue tbody tr").count() == 6
        viewport_shot(staff.page, "admin-queue-en")
        open_from_queue(staff, "Disclosure", "Received")
        assert "山田 太郎" in staff.main_text()
        staff.shot("admin-request-received")

        image = staff.page.locator("img.document-image")
        assert image.count() == 1
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 320
        document_url = staff.base_url + str(image.get_attribute("src"))
        opened = staff.page.goto(document_url)
        assert opened is not None
        assert opened.status == 200
        assert opened.headers["content-type"] == "image/png"
        assert opened.body() == identity.read_bytes()
        staff.shot("admin-identity-document")
        staff.page.go_back(wait_until="load")

        staff_act(staff, "verify_identity")
        assert request_state(staff) == "Waiting for the fee"
        assert "1,000 yen — not yet received" in staff.main_text()
        staff_act(staff, "record_fee", fee_reference=TRANSFER)
        assert request_state(staff) == "Under review"
        assert f"1,000 yen — received (reference {TRANSFER})" in staff.main_text()

        find = staff.page.get_by_role("button", name="Find the subject by the requester's e-mail")
        with staff.page.expect_navigation():
            find.click()
        assert "The one subject found has been filled in above." in staff.main_text()
        assert staff.page.locator("#a-approve-subject-id").input_value() == subject_id
        staff.shot("admin-subject-found")
        staff_act(staff, "approve", explanation=MESSAGE)
        assert request_state(staff) == "Completed"
        assert subject_id in staff.main_text()
        assert staff.page.get_by_role("link", name="Download the disclosure package").count() == 1
        history = staff.page.locator("table").last.inner_text()
        for step in ("Identity verified", "Fee received", "Approved"):
            assert f"staff:officer\t{step}" in history, history

        # --- the person is told, and downloads the package ---
        told = [smtp.mailbox.body(mail) for mail in smtp.mailbox.to(PERSON.email)]
        assert any("「対応完了」" in body and reference in body for body in told), told
        open_status(person, reference, PERSON.email)
        assert status_fact(person, 2) == "完了"
        shown = person.main_text()
        assert "ご請求への対応が完了しました。" in shown
        assert MESSAGE in shown
        assert "手数料1,000円のお支払いを確認しました。" in shown
        person.shot("portal-status-completed-ja")
        with person.page.expect_download() as started:
            person.page.get_by_role("button", name="開示情報をダウンロード").click()
        download = started.value
        assert download.suggested_filename.endswith(".zip")
        members = zip_members(Path(download.path()).read_bytes())
        assert "disclosure.json" in members
        assert any(name.endswith(".csv") for name in members)
        record = json.loads(members["disclosure.json"])
        assert record["lang"] == "ja"
        assert record["subject"]["id"] == subject_id
        assert record["subject"]["category"] == "customer"
        assert record["subject"]["identifiers"]["email"] == PERSON.email
        assert record["purposes"], "the customer category's purposes, from the policy"
        assert record["third_party_records_included"] is True
        assert person.foreign == []
        assert staff.foreign == []
