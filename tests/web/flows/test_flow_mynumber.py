"""The My Number vault on the staff pages, in Chromium.

1. A privacy officer (English) designates 経理部's person in charge on the designations page.
2. The person in charge (Japanese) signs in, finds the person by e-mail, registers their
   number with how their identity was verified, sees the record masked, and reveals the number
   with a reason: the answer is marked authorized, the number is in no address, and the audit
   chain holds the reveal without the number (and still verifies).
3. The privacy officer sees the records masked, with no way to reveal them; the dashboard's
   card counts a record past its retention.
4. The disposal schedule lists that record as overdue; the person in charge disposes of it with
   a reason and the schedule then shows it disposed of, by whom and when.
5. The status register lists the file of the affair with its department and its person in
   charge, and downloads as CSV without a number.

Every page is saved as ``test-artifacts/screenshots/flow-mynumber-<nn>-<step>.png``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import pytest
from web_mynumber_support import (
    REMUNERATION,
    chain_entries,
    chain_text,
    end,
    make_person,
    register,
    shows_number,
    valid_number,
)
from web_support import STAFF_PASSWORD, make_staff

from kojin.audit.service import verify_chain
from kojin.auth.roles import Role

from .flow_support import OFFICER, FlowSite, Tab, browsing

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HANDLER = "keiri"
NUMBER = valid_number("12345678901")
OLD_NUMBER = valid_number("62149832025")
EMAIL = "suzuki.ichiro@example.jp"


def _sign_in(tab: Tab, username: str) -> None:
    """Sign in through the sign-in page (whatever its language); the staff home follows."""
    tab.goto("/admin/login")
    tab.page.locator("#f-username").fill(username)
    tab.page.locator("#f-password").fill(STAFF_PASSWORD)
    with tab.page.expect_navigation():
        tab.page.locator("#f-password").press("Enter")
    assert tab.page.url == f"{tab.base_url}/admin/", tab.main_text()


def _follow(tab: Tab, name: str, *, sub: bool = False) -> None:
    """Follow a link of the staff navigation (or of the My Number pages' own links)."""
    nav = tab.page.locator("nav.sub-nav" if sub else "nav.site-nav")
    with tab.page.expect_navigation():
        nav.get_by_role("link", name=name, exact=True).click()


def _assert_no_number(tab: Tab, *numbers: str) -> None:
    html = tab.page.content()
    for number in numbers:
        assert not shows_number(html, number), tab.page.url
        assert number not in tab.page.url


@pytest.fixture
def site(flow_site: FlowSite) -> FlowSite:
    """The live site with a person in charge (not yet designated), the person whose number
    they will register, and an older record whose affairs ended long ago."""
    make_staff(flow_site.live.database, Role.MYNUMBER_HANDLER, HANDLER)
    make_person(flow_site.live.app, EMAIL, name="鈴木 一郎")
    return flow_site


def _old_record(site: FlowSite) -> str:
    """A record registered in 2015 whose affairs ended in March 2016: past its retention."""
    app = site.live.app
    person = make_person(app, "tanaka.jiro@example.jp", name="田中 次郎")
    record_id = register(
        app, HANDLER, person, OLD_NUMBER, affairs=[REMUNERATION], acquired_on=date(2015, 1, 5)
    )
    end(app, record_id, date(2016, 3, 31))
    return record_id


def _designate(tab: Tab) -> None:
    _follow(tab, "My Number")
    assert tab.h1() == "My Number records"
    _follow(tab, "Persons in charge", sub=True)
    assert tab.h1() == "Persons in charge"
    page = tab.page
    page.locator("#f-user").select_option(f"staff:{HANDLER}")
    page.get_by_label("Remuneration, fees, contract money and prize money").check()
    page.get_by_label("Real estate usage fees").check()
    page.locator("#f-department").fill("経理部")
    tab.shot("handlers-form-en")
    with page.expect_navigation():
        page.get_by_role("button", name="Designate").click()
    assert "The person in charge was designated." in tab.main_text()
    assert "staff:keiri" in page.locator("table.mynumber-handlers").inner_text()
    tab.shot("handlers-designated-en")


def _register_and_reveal(tab: Tab, site: FlowSite) -> str:
    """As the person in charge, in Japanese: register the number, see it masked, reveal it.
    Returns the record's id."""
    page = tab.page
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert "個人番号の保管庫" in tab.main_text()  # the dashboard's card
    tab.shot("dashboard-ja")
    _follow(tab, "個人番号")
    assert "あなたの指定（経理部）" in tab.main_text()
    _follow(tab, "個人番号の登録", sub=True)
    assert tab.h1() == "個人番号の登録"
    page.locator("#p-email").fill(EMAIL)
    with page.expect_navigation():
        page.get_by_role("button", name="探す").click()
    assert "1名見つかりました" in tab.main_text()
    assert page.locator("#f-subject-id").input_value() != ""
    page.get_by_label("報酬、料金、契約金及び賞金").check()
    page.locator("#f-number").fill(f"{NUMBER[:4]}-{NUMBER[4:8]}-{NUMBER[8:]}")
    assert page.locator("#f-number").get_attribute("autocomplete") == "off"
    page.get_by_label("個人番号カードの提示").check()
    page.locator("#f-documents").check()  # the first document: the My Number Card
    page.locator("#f-purpose-stated").check()
    tab.shot("register-form-ja")
    with page.expect_navigation():
        page.get_by_role("button", name="個人番号を登録する").click()
    found = re.search(r"/admin/mynumber/records/([0-9a-f]{32})\?done=registered$", page.url)
    assert found is not None, tab.main_text()
    record_id = found.group(1)
    assert "個人番号を登録しました" in tab.main_text()
    assert "•••• •••• ••••" in tab.main_text()
    _assert_no_number(tab, NUMBER)
    tab.shot("record-masked-ja")

    page.locator("#r-reason").fill("2026年分の報酬の支払調書を作成するため")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="個人番号を表示する").click()
    answer = navigation.value
    assert answer is not None
    assert answer.headers["kojin-contains-my-number"] == "authorized"
    assert answer.headers["cache-control"] == "no-store"
    assert page.url == f"{tab.base_url}/admin/mynumber/records/{record_id}/reveal"
    assert page.locator("#revealed-number").inner_text() == (
        f"{NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:]}"
    )
    tab.shot("revealed-ja")
    with page.expect_navigation():
        page.get_by_role("link", name="記録に戻る").click()
    _assert_no_number(tab, NUMBER)

    revealed = chain_entries(site.live.database, "mynumber.revealed")
    assert [(e.actor, e.object_id, e.details["affair"]) for e in revealed] == [
        (f"staff:{HANDLER}", record_id, REMUNERATION)
    ]
    assert not shows_number(chain_text(site.live.database), NUMBER)
    with site.live.database.read() as session:
        assert verify_chain(session=session).ok
    return record_id


def _officer_sees_masked(tab: Tab, record_id: str) -> None:
    page = tab.page
    card = page.locator("#vault-card-heading + ul.cards")
    assert card.locator(".figure").first.inner_text() == "1"  # past its disposal date
    tab.shot("dashboard-en")
    _follow(tab, "My Number")
    assert "Numbers are masked." in tab.main_text()
    rows = page.locator("table.mynumber-records tbody tr")
    assert rows.count() == 2
    _assert_no_number(tab, NUMBER, OLD_NUMBER)
    tab.shot("records-officer-en")
    with page.expect_navigation():
        page.get_by_role("link", name=record_id[:8]).click()
    assert page.get_by_role("heading", name="Reveal the number").count() == 0
    assert "•••• •••• ••••" in tab.main_text()
    _assert_no_number(tab, NUMBER)
    tab.shot("record-officer-en")


def _dispose(tab: Tab, old_id: str) -> None:
    page = tab.page
    _follow(tab, "個人番号")
    _follow(tab, "廃棄予定", sub=True)
    overdue = page.locator("table.mynumber-overdue")
    assert overdue.locator("tbody tr").count() == 1
    assert old_id[:8] in overdue.inner_text()
    tab.shot("schedule-overdue-ja")
    page.get_by_label(f"記録 {old_id[:8]} を廃棄する").check()
    page.locator("#f-reason").fill("2026年12月の廃棄予定の点検")
    page.locator("#f-confirm").check()
    with page.expect_navigation():
        page.get_by_role("button", name="選んだ記録を廃棄する").click()
    assert "1件の記録を廃棄しました" in tab.main_text()
    assert "廃棄予定日を過ぎた記録はありません。" in tab.main_text()
    disposed = page.locator("table.mynumber-disposed tbody tr")
    assert disposed.count() == 1
    assert f"staff:{HANDLER}" in disposed.inner_text()
    assert old_id[:8] in disposed.inner_text()
    tab.shot("schedule-disposed-ja")


def _status_register(tab: Tab) -> None:
    page = tab.page
    _follow(tab, "Status register", sub=True)
    assert tab.h1() == "Status register"
    table = page.locator("table.mynumber-status").inner_text()
    assert "経理部" in table
    assert f"staff:{HANDLER}" in table
    tab.shot("status-register-en")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    path = download.value.path()
    assert path is not None
    text = path.read_text(encoding="utf-8-sig")
    assert f"staff:{HANDLER}" in text
    assert not shows_number(text, NUMBER)
    assert not shows_number(text, OLD_NUMBER)


def test_a_number_registered_revealed_and_disposed_of_on_the_staff_pages(
    browser: Browser, site: FlowSite
) -> None:
    with browsing(browser, site, "mynumber-1", locale="en-GB") as officer:
        _sign_in(officer, OFFICER)
        _designate(officer)
        assert officer.foreign == []
    old_id = _old_record(site)
    with browsing(browser, site, "mynumber-2", locale="ja-JP") as handler:
        _sign_in(handler, HANDLER)
        record_id = _register_and_reveal(handler, site)
        assert handler.foreign == []
    with browsing(browser, site, "mynumber-3", locale="en-GB") as officer:
        _sign_in(officer, OFFICER)
        _officer_sees_masked(officer, record_id)
        assert officer.foreign == []
    with browsing(browser, site, "mynumber-4", locale="ja-JP") as handler:
        _sign_in(handler, HANDLER)
        _dispose(handler, old_id)
    with browsing(browser, site, "mynumber-5", locale="en-GB") as officer:
        _sign_in(officer, OFFICER)
        _follow(officer, "My Number")
        _status_register(officer)
        assert officer.foreign == []
