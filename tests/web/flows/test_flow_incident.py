"""An incident on the staff pages, in Chromium.

1. A privacy officer (English) records a suspected leakage known to the sales department today,
   800 people: the law's assessment says it is not reportable.
2. The count turns out to be 1,500: after the edit the incident is reportable, and its page
   shows the clock: the preliminary report's guide (4 days left) and the final report's due
   date with the days left.
3. The officer records the preliminary report, imports the affected people from a CSV file
   and sends the notices: the person with an address gets the notice with the link to the
   request portal (listed in the outbox as sent, its text at the SMTP server), the one without
   any contact is counted as unreachable and the page prompts the publication.
4. The draft of the report to the Commission opens in a new page with its nine items in
   Japanese, in the Commission's order.
5. The dashboard's incidents card shows the incident, linking to it; the audit chain verifies.

Every page is saved as ``test-artifacts/screenshots/flow-incident-<nn>-<step>.png``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from web_support import screenshot

from kojin.audit.service import verify_chain
from kojin.law.breach_clock import days_left, final_report_due
from kojin.law.breach_report import REPORT_ITEMS
from kojin.web.i18n import format_date, tokyo_today

from .flow_support import FlowSite, Tab, browsing, squash, staff_sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TITLE = "注文確認メールの誤送信"
EMAIL = "hanako.yamada@example.jp"
PEOPLE = (
    "name,email,postal_address,lang\n"
    f"山田 花子,{EMAIL},,ja\n"
    'John Smith,,"1-1 Chiyoda, Chiyoda-ku, Tokyo",en\n'
    "佐藤 次郎,,,ja\n"
)


def _follow(tab: Tab, name: str) -> None:
    with tab.page.expect_navigation():
        tab.page.locator("nav.site-nav").get_by_role("link", name=name, exact=True).click()


def _submit(tab: Tab, name: str) -> None:
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name=name, exact=True).click()


def _section(tab: Tab, heading_id: str) -> str:
    """The text of the section labelled by `heading_id`."""
    return tab.page.locator(f"section[aria-labelledby={heading_id}]").inner_text()


def _record(tab: Tab, today: str) -> str:
    """Record the suspected leakage of 800 people; returns the incident's address."""
    page = tab.page
    _follow(tab, "Incidents")
    assert tab.h1() == "Open incidents"
    assert "There is no open incident." in tab.main_text()
    tab.shot("list-empty-en")
    with page.expect_navigation():
        page.locator("nav.sub-nav").get_by_role("link", name="Record an incident").click()
    assert tab.h1() == "Record an incident"
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Leakage", exact=True).check()
    assert page.get_by_label("Suspected", exact=True).is_checked()
    page.locator("#f-knowledge-1-department").fill("営業部")
    page.locator("#f-knowledge-1-known-on").fill(today)
    page.get_by_label("Data items").fill("氏名\nメールアドレス\n注文内容")
    page.locator("#f-persons").fill("800")
    page.get_by_label("Overview").fill("注文確認メールの宛先の差込みを誤り、別の顧客に送信した。")
    tab.shot("form-en")
    _submit(tab, "Record the incident")
    assert re.search(r"/admin/incidents/[0-9a-f]{32}\?done=recorded$", page.url), tab.main_text()
    assert tab.h1().endswith(f": {TITLE}")
    assert "The incident was recorded and assessed." in tab.main_text()
    assert "does not have to be reported" in _section(tab, "assessment-heading")
    assert "No report is required on the facts known now." in _section(tab, "clock-heading")
    tab.shot("recorded-not-reportable-en")
    return page.url.split("?")[0]


def _update_count(tab: Tab, day: date) -> None:
    """The count becomes 1,500: the incident is reportable and its clock appears."""
    page = tab.page
    with page.expect_navigation():
        page.get_by_role("link", name="Edit the incident").click()
    assert page.locator("#f-persons").input_value() == "800"
    page.locator("#f-persons").fill("1,500")
    tab.shot("edit-count-en")
    _submit(tab, "Save the changes")
    assert "The changes were saved and the incident assessed again." in tab.main_text()
    assessment = _section(tab, "assessment-heading")
    assert "This incident must be reported" in assessment
    assert "More than 1,000 persons (PPC Rules Art. 7(iv))" in assessment
    clock = _section(tab, "clock-heading")
    due = final_report_due(day, wrongful_purpose=False)
    assert "4 days left" in clock  # day 1 today, the guide's day 5 four days on
    assert f"By {format_date(due, 'en')} (30 days)" in clock
    assert f"{days_left(due, today=day)} days left" in clock
    tab.shot("reportable-clock-en")


def _preliminary_report(tab: Tab) -> None:
    page = tab.page
    page.locator("#s-step").select_option(label="Preliminary report made")
    _submit(tab, "Record the step")
    assert "The step was recorded." in tab.main_text()
    assert "Reported on" in _section(tab, "clock-heading")
    tab.shot("preliminary-reported-en")


def _people_and_notices(tab: Tab, site: FlowSite, tmp_path: Path) -> None:
    page = tab.page
    people = tmp_path / "影響を受けた本人.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    page.locator("#i-people-csv").set_input_files(people)
    _submit(tab, "Import the people")
    assert "3 people were imported." in tab.main_text()
    tab.shot("people-imported-en")
    _submit(tab, "Send the notices")
    told = tab.main_text()
    assert "Notices: 1 e-mailed, 1 to be sent by post, 1 cannot be reached, 0 told before." in told
    prompt = page.locator("#alternative-measures")
    assert "1 people cannot be reached" in prompt.inner_text()
    assert prompt.get_by_role("link", name="Publication in Japanese (new window)").count() == 1
    tab.shot("notices-sent-en")
    # the notice is in the outbox, sent; the SMTP server got it with the request portal's link
    # (with SMTP the outbox keeps no body: the page tests read a kept notice's link there)
    _follow(tab, "Mail outbox")
    row = page.locator("tr", has_text=EMAIL)
    assert row.count() == 1
    assert "Sent" in row.inner_text()
    row.locator("summary").click()
    assert "Purpose: incident.notice" in row.inner_text()
    tab.shot("outbox-notice-en")
    mails = site.smtp.mailbox.to(EMAIL)
    assert len(mails) == 1
    body = site.smtp.mailbox.body(mails[0])
    assert f"{site.url}/" in body
    assert re.search(r"requests/new\?incident=INC-[0-9]{4}-0001", body), body


def _report_draft(tab: Tab, incident: str) -> None:
    page = tab.page
    page.goto(incident, wait_until="load")
    drafts = page.locator("#drafts")
    with page.context.expect_page() as opened:
        drafts.get_by_role("link", name="Open as a page (new window)").first.click()
    draft = opened.value
    draft.wait_for_load_state()
    assert draft.url == f"{incident}/report-preliminary.html"
    text = squash(draft.locator("body").inner_text())
    positions = [text.find(squash(ja)) for _, _, ja in REPORT_ITEMS]
    assert -1 not in positions, text
    assert positions == sorted(positions)
    assert "速報" in text
    assert "宛先の差込みを誤り、別の顧客に送信した。" in text  # the overview, item (1)
    assert re.search(r"1,?500人", text), text  # the number of persons, item (3)
    tab.shots += 1  # the draft's page, numbered in order with the tab's
    screenshot(draft, f"flow-{tab.flow}-{tab.shots:02d}-ppc-report-ja")
    draft.close()


def _dashboard(tab: Tab, incident: str) -> None:
    _follow(tab, "Dashboard")
    card = tab.page.locator("table.incidents-card")
    assert card.count() == 1
    row = card.locator("tbody tr", has_text=TITLE)
    assert row.count() == 1
    assert "days left" in row.inner_text()
    link = row.get_by_role("link", name=re.compile(r"^INC-"))
    assert tab.base_url + str(link.get_attribute("href")) == incident
    tab.shot("dashboard-card-en")
    with tab.page.expect_navigation():
        link.click()
    assert tab.page.url == incident


def test_an_incident_recorded_reassessed_reported_and_notified(
    browser: Browser, flow_site: FlowSite, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    today = tokyo_today(now)
    with browsing(browser, flow_site, "incident", locale="en-GB") as tab:
        staff_sign_in(tab)
        incident = _record(tab, today.isoformat())
        _update_count(tab, today)
        _preliminary_report(tab)
        _people_and_notices(tab, flow_site, tmp_path)
        _report_draft(tab, incident)
        _dashboard(tab, incident)
        assert tab.foreign == []
    with flow_site.live.database.read() as session:
        assert verify_chain(session=session).ok
