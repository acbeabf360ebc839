"""An entrustee on the staff pages, in Chromium, and the decisions that name it.

1. A business system asks (over the API) whether it may entrust customers' data to a delivery
   company: allowed, and the reasons say the company is not in the register of entrustees.
2. A privacy officer (English) registers the company, with its contract dated more than a year
   ago and never checked: its page says the periodic check is overdue.
3. The same decision now says the check is overdue, with its due date.
4. The officer records a satisfactory supervision check: the page no longer says overdue, and
   the decision carries no reason from the register any more.
5. The register lists the company with its next check a year on; the audit chain verifies.

Every page is saved as ``test-artifacts/screenshots/flow-recipients-<nn>-<step>.png``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from kojin.audit.service import verify_chain
from kojin.auth.roles import Role
from kojin.auth.service import create_token
from kojin.law.supervision import CHECK_OVERDUE, NOT_REGISTERED
from kojin.web.i18n import tokyo_today

from .flow_support import FlowSite, Tab, browsing, staff_sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser

NAME = "東京デリバリー株式会社"
ASK = {
    "action": "provide",
    "category": "customer",
    "purpose": "provide_services",
    "recipient": {"name": "東京デリバリー", "country": "JP", "relation": "entrustee"},
}


def _decide(site: FlowSite, token: str) -> dict[str, Any]:
    answer = httpx.post(
        f"{site.url}/api/v1/decisions",
        json=ASK,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    decision: dict[str, Any] = answer.json()["decision"]
    assert decision["allowed"] is True
    return decision


def _submit(tab: Tab, name: str) -> None:
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name=name, exact=True).click()


def _register(tab: Tab, contract_date: str) -> str:
    page = tab.page
    with page.expect_navigation():
        page.locator("nav.site-nav").get_by_role("link", name="Recipients", exact=True).click()
    assert tab.h1() == "Entrustees and foreign recipients"
    tab.shot("register-empty-en")
    with page.expect_navigation():
        page.locator("nav.sub-nav").get_by_role("link", name="Register a recipient").click()
    page.locator("#f-name").fill(NAME)
    assert page.locator("#f-entrustee").is_checked()
    page.locator("#f-entrusted").fill("商品の配送（氏名・住所・電話番号）")
    page.locator("#f-contract-date").fill(contract_date)
    page.get_by_label("Confidentiality", exact=True).check()
    page.get_by_label("Return or deletion at the end", exact=True).check()
    page.get_by_label("Suitable", exact=True).check()
    tab.shot("form-en")
    _submit(tab, "Register")
    assert "?done=added" in page.url, tab.main_text()
    assert tab.h1() == NAME
    text = tab.main_text()
    assert "The periodic check was due on" in text
    assert "Reporting and audit rights" in text  # a contract item not ticked
    tab.shot("registered-overdue-en")
    return page.url.split("?")[0]


def _check(tab: Tab) -> None:
    page = tab.page
    assert page.locator("#c-kind").is_checked()  # the one kind an entrustee needs
    page.get_by_label("Satisfactory", exact=True).check()
    page.locator("#c-notes").fill("作業場の施錠と持出し記録を確認した")
    _submit(tab, "Record the check")
    text = tab.main_text()
    assert "The check was recorded." in text
    assert "The periodic check was due on" not in text
    assert "作業場の施錠と持出し記録を確認した" in text
    tab.shot("checked-en")


def test_an_entrustee_registered_checked_and_seen_by_decisions(
    browser: Browser, flow_site: FlowSite
) -> None:
    today = tokyo_today(datetime.now(UTC))
    contract = today - timedelta(days=400)
    due = (contract + timedelta(days=365)).isoformat()
    with flow_site.live.database.uow() as session:
        _, token = create_token(session=session, role=Role.SYSTEM, name="delivery system")

    first = _decide(flow_site, token)
    assert first["reasons"][-1] == NOT_REGISTERED.en
    assert "R-SEC-4" in first["rules"]

    with browsing(browser, flow_site, "recipients", locale="en-GB") as tab:
        staff_sign_in(tab)
        recipient = _register(tab, contract.isoformat())
        overdue = _decide(flow_site, token)
        assert overdue["reasons"][-1] == CHECK_OVERDUE.en + f" It was due on {due}."
        tab.page.goto(recipient, wait_until="load")
        _check(tab)
        cleared = _decide(flow_site, token)
        assert NOT_REGISTERED.en not in cleared["reasons"]
        assert not any("check" in reason for reason in cleared["reasons"])
        tab.goto("/admin/recipients")
        row = tab.page.locator("tbody tr", has_text=NAME)
        assert row.count() == 1
        assert "365 days left" in row.inner_text()
        assert "Overdue" not in row.inner_text()
        tab.shot("register-en")
        assert tab.foreign == []
    with flow_site.live.database.read() as session:
        assert verify_chain(session=session).ok
