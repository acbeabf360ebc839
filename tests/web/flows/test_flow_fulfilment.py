"""Requests fulfilled in the company's own systems, in Chromium, with the server's own worker.

The site serves the sample company's data map: an online shop and a support desk (SQLite) and
CRM exports (CSV and Parquet), with the person (山田 花子) spread over all of them.

1. A disclosure: she asks on the portal in Japanese and confirms the code from the mail; a
   privacy officer verifies her identity, records the fee, starts the search of the company's
   systems, follows it with the page's refresh link until its result lists what was found,
   and approves. On the status page she downloads the package: a ZIP with one CSV per
   collection of the stores, holding her rows.
2. An erasure: she asks in English; the officer starts the search, checks the preview (her
   payments are kept under the 7-year tax hold, with the date they may go), approves it, and
   the stores no longer hold her e-mail address. Approving the request adds the statement of
   what was kept and until when to the message she reads on her status page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from portal.portal_support import SmtpServer
from web_support import LiveSite, make_staff

from company import Company, build_company, person
from kojin.auth.roles import Role
from kojin.registry.subjects.schemas import SubjectCreate
from kojin.registry.subjects.service import create_subject
from kojin.web.i18n import format_date, tokyo_today

from .flow_support import (
    OFFICER,
    FlowSite,
    Person,
    Tab,
    ask,
    browsing,
    identity_image,
    open_from_queue,
    open_queue,
    open_status,
    request_state,
    staff_act,
    staff_sign_in,
    status_fact,
    zip_members,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TARGET = person(0)
SHE_JA = Person(
    name=TARGET.name,
    furigana="やまだ はなこ",
    email=TARGET.email,
    details="貴社のシステムにある私の個人データの開示を求めます。",
)
SHE_EN = Person(
    name="Hanako Yamada",
    email=TARGET.email,
    details="Please erase my personal data from your systems.",
)


@pytest.fixture
def company(tmp_path: Path) -> Iterator[Company]:
    built = build_company(tmp_path / "company", today=tokyo_today(datetime.now(UTC)))
    yield built
    built.drop()


@pytest.fixture
def site(
    live_site_factory: Callable[..., LiveSite], smtp: SmtpServer, company: Company
) -> FlowSite:
    """The live site with the company's data map and stores; it runs its own worker."""
    live = live_site_factory(
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        mail_from="privacy@example.co.jp",
        datamap_file=company.datamap_file,
        store_urls=company.store_urls,
    )
    make_staff(live.database, Role.PRIVACY_OFFICER, OFFICER)
    return FlowSite(live=live, smtp=smtp)


def _target_subject(site: FlowSite) -> str:
    """The registry subject of the person: her e-mail, telephone and customer number."""
    state = site.state
    with state.database.uow() as session:
        return create_subject(
            session=session,
            cipher=state.cipher(),
            subject_in=SubjectCreate(
                category="customer",
                name=TARGET.name,
                email=TARGET.email,
                phone=TARGET.phone,
                customer_number=TARGET.customer_number,
            ),
            policy=state.facts,
            actor="test",
        ).id


def _section(tab: Tab) -> str:
    return tab.page.locator("#fulfilment").inner_text()


def _job_state(tab: Tab) -> str:
    return tab.page.locator("#fulfilment dl.facts dd").first.inner_text().strip()


def start_search(tab: Tab) -> None:
    """Send the section's start form; the page comes back saying the search started."""
    form = tab.page.locator("#fulfilment-start")
    with tab.page.expect_navigation():
        form.get_by_role("button", name="Search the company's systems").click()
    notice = tab.page.locator("#fulfilment p.notice-success")
    assert notice.inner_text().startswith("The search of the company's systems has been started")
    tab.shot("admin-fulfilment-started")


def wait_for_job(tab: Tab, state: str, timeout: float = 60) -> None:
    """Follow the section's refresh link (no script: the page never changes by itself) until
    the job shows `state`."""
    deadline = time.monotonic() + timeout
    while (shown := _job_state(tab)) != state:
        assert shown != "Failed", _section(tab)
        assert time.monotonic() < deadline, f"the job is still {shown}"
        time.sleep(0.3)
        refresh = tab.page.locator("#fulfilment").get_by_role(
            "link", name="Refresh to see its progress"
        )
        with tab.page.expect_navigation():
            if refresh.count():
                refresh.click()
            else:
                tab.page.reload()
    assert tab.page.url.endswith("#fulfilment")


def _held_until(company: Company) -> date:
    [(address, keys)] = company.held.items()
    wanted = {str(key[0]) for key in keys}
    last = max(
        date.fromisoformat(str(row["issued_on"]))
        for row in company.rows(address)
        if str(row["id"]) in wanted
    )
    try:
        return last.replace(year=last.year + 7)
    except ValueError:
        return last.replace(year=last.year + 7, day=28)


def test_a_fulfilled_disclosure_puts_the_stores_rows_in_the_package(
    browser: Browser, site: FlowSite, company: Company, tmp_path: Path
) -> None:
    subject_id = _target_subject(site)
    with (
        browsing(browser, site, "fulfil-disclosure-person", locale="ja-JP") as she,
        browsing(browser, site, "fulfil-disclosure-staff", locale="en-GB") as staff,
    ):
        reference = ask(
            she,
            site,
            "disclosure",
            SHE_JA,
            identity=identity_image(tmp_path),
            method="electronic",
            lang="ja",
        )
        staff_sign_in(staff)
        open_queue(staff)
        open_from_queue(staff, "Disclosure", "Received")
        assert "The company's systems have not been searched" in _section(staff)
        staff_act(staff, "verify_identity")
        staff_act(staff, "record_fee", fee_reference="振込 2026-12-02 ﾔﾏﾀﾞ ﾊﾅｺ")
        assert request_state(staff) == "Under review"

        start_search(staff)
        wait_for_job(staff, "Done")
        staff.shot("admin-fulfilment-access-done")
        section = _section(staff)
        assert "The disclosure package will include these rows" in section
        found = staff.page.locator("#fulfilment-found-caption").locator("xpath=..")
        rows = found.locator("tbody tr")
        expected = {address: len(keys) for address, keys in company.expected.items() if keys}
        assert rows.count() == len(expected)
        for index in range(rows.count()):
            cells = rows.nth(index).locator("td")
            address = cells.nth(1).inner_text()
            assert int(cells.nth(2).inner_text().replace(",", "")) == expected[address], address

        page_path = staff.page.url.removeprefix(staff.base_url).split("#")[0].split("?")[0]
        staff.goto(f"{page_path}?lang=ja")
        assert staff.page.locator("#fulfilment-heading").inner_text() == "社内システムでの対応"
        assert _job_state(staff) == "完了"
        staff.shot("admin-fulfilment-access-done-ja")
        staff.goto(f"{page_path}?lang=en")

        with staff.page.expect_navigation():
            staff.page.get_by_role(
                "button", name="Find the subject by the requester's e-mail"
            ).click()
        assert staff.page.locator("#a-approve-subject-id").input_value() == subject_id
        staff_act(staff, "approve")
        assert request_state(staff) == "Completed"

        open_status(she, reference, SHE_JA.email)
        assert status_fact(she, 2) == "完了"
        she.shot("portal-status-completed-ja")
        with she.page.expect_download() as started:
            she.page.get_by_role("button", name="開示情報をダウンロード").click()
        members = zip_members(Path(started.value.path()).read_bytes())
        stores = {name: data.decode("utf-8-sig") for name, data in members.items()}
        csvs = {name: text for name, text in stores.items() if name.startswith("stores/")}
        assert csvs, sorted(members)
        assert all(name.endswith(".csv") for name in csvs)
        assert any(TARGET.email in text for text in csvs.values())
        assert any(TARGET.phone in text for text in csvs.values())
        # one file per collection with her rows, no one else's
        assert len(csvs) == len(expected)
        for text in csvs.values():
            assert "taro.yamada@example.jp" not in text
            assert "hanako.yamada@example.com" not in text
        assert she.foreign == []
        assert staff.foreign == []


def test_an_erasure_keeps_what_the_law_holds_and_tells_her_until_when(
    browser: Browser, site: FlowSite, company: Company, tmp_path: Path
) -> None:
    _target_subject(site)
    until = format_date(_held_until(company), "en")
    held = len(next(iter(company.held.values())))
    with (
        browsing(browser, site, "fulfil-erasure-person", locale="en-GB") as she,
        browsing(browser, site, "fulfil-erasure-staff", locale="en-GB") as staff,
    ):
        reference = ask(
            she, site, "erasure", SHE_EN, identity=identity_image(tmp_path, "passport.png")
        )
        staff_sign_in(staff)
        open_queue(staff)
        open_from_queue(staff, "Erasure", "Received")
        staff_act(staff, "verify_identity")
        assert request_state(staff) == "Under review"

        start_search(staff)
        wait_for_job(staff, "Waiting for your approval")
        staff.shot("admin-fulfilment-erasure-preview")
        section = _section(staff)
        assert f"{held} record(s) kept until {until}: Tax records" in section
        assert "Corporation Tax Act Art. 126" in section
        tickets = staff.page.get_by_role("table", name="Rows to delete in support_db.tickets")
        assert tickets.count() == 1
        assert "Hanako.Yamada@Example.JP" in tickets.inner_text()
        customers = staff.page.get_by_role(
            "table", name="Changes in shop_db.customers: each field before and after"
        )
        email_row = customers.locator("tbody tr", has_text=TARGET.email)
        assert email_row.count() == 1
        assert re.fullmatch(r"→ [0-9a-f]{16}", email_row.locator("td").nth(2).inner_text())
        # nothing is written before approval
        assert any(r["email"] == TARGET.email for r in company.rows("support_db.tickets"))

        with staff.page.expect_navigation():
            staff.page.get_by_role("button", name="Approve and apply the changes").click()
        wait_for_job(staff, "Done")
        staff.shot("admin-fulfilment-erasure-done")
        assert "Rows written in each collection" in _section(staff)

        # the stores hold her e-mail address nowhere; the payments under the hold are kept
        for address in company.expected:
            for row in company.rows(address):
                assert TARGET.email.casefold() not in str(row).casefold(), address
        [(payments, keys)] = company.held.items()
        remaining = {str(row["id"]) for row in company.rows(payments)}
        assert {str(key[0]) for key in keys} <= remaining

        statement = (
            "The following is kept because the law requires it: Tax records: payment records "
            "are kept for 7 years after they were issued (Corporation Tax Act Art. 126; "
            f"Ordinance for Enforcement Art. 59), {held} records, until {until}."
        )
        approve = staff.page.locator("#action-approve")
        assert "The following will be added to the message to the person" in approve.inner_text()
        assert statement in approve.inner_text()
        with staff.page.expect_navigation():
            staff.page.get_by_role(
                "button", name="Find the subject by the requester's e-mail"
            ).click()
        staff_act(staff, "approve", explanation="We have erased your data from our systems.")
        assert request_state(staff) == "Completed"

        # the mail says the request is completed and sends her to the status page
        told = [site.smtp.mailbox.body(mail) for mail in site.smtp.mailbox.to(TARGET.email)]
        assert any(
            f"{reference} is now: completed" in body and "The result is on the status page" in body
            for body in told
        ), told
        open_status(she, reference, SHE_EN.email)
        assert status_fact(she, 2) == "Completed"
        shown = she.main_text()
        assert "We have erased your data from our systems." in shown
        assert statement in shown
        she.shot("portal-status-erasure-completed-en")
        assert she.foreign == []
        assert staff.foreign == []
