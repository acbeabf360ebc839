"""Obligation tasks on the staff pages, in Chromium.

1. A business system entrusts customer data to an entrustee (a recorded decision): one task,
   "Supervise the entrustee", due today (selection and contract come before entrusting); the
   dashboard's card counts it as due within 14 days.
2. The same decision again: still one task, now with two decisions.
3. The privacy officer opens the task, assigns it to the general-affairs department and closes it
   with the evaluation sheet as evidence; the yearly supervision's next round opens a year later.
4. The dashboard's card updates: nothing due within 14 days, one open task (the next round);
   the audit chain verifies and holds ``task.opened`` and ``task.closed`` with their actors.

Every page is saved as ``test-artifacts/screenshots/flow-obligations-<nn>-<step>.png``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions import decide_batch

from .flow_support import OFFICER, FlowSite, Tab, browsing, staff_sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ENTRUSTEE = "株式会社配送パートナー"


def _entrust(database: Database) -> None:
    request = DecisionRequest.model_validate(
        {
            "action": "provide",
            "category": "customer",
            "purpose": "provide_services",
            "recipient": {"name": ENTRUSTEE, "country": "JP", "relation": "entrustee"},
        }
    )
    with database.uow() as session:
        decide_batch(
            session=session,
            requests=[request],
            policy=to_facts(load_policy(None)),
            actor="token:shop-system",
        )


def _card(tab: Tab) -> list[str]:
    """The dashboard card's figures: overdue, due within 14 days, open."""
    with tab.page.expect_navigation():
        tab.page.locator("nav.site-nav").get_by_role("link", name="Dashboard", exact=True).click()
    cards = tab.page.locator("ul[aria-labelledby=obligations-card-heading] .figure")
    return [cards.nth(i).inner_text() for i in range(cards.count())]


def _list(tab: Tab) -> None:
    with tab.page.expect_navigation():
        tab.page.locator("nav.site-nav").get_by_role("link", name="Obligations", exact=True).click()
    assert tab.h1() == "Obligation tasks"


def test_an_entrusting_decision_becomes_one_task_closed_with_evidence(
    browser: Browser, flow_site: FlowSite
) -> None:
    database = flow_site.live.database
    _entrust(database)
    with browsing(browser, flow_site, "obligations", locale="en-GB") as tab:
        staff_sign_in(tab)
        assert _card(tab) == ["0", "1", "1"]
        tab.shot("dashboard-one-due")
        _list(tab)
        rows = tab.page.locator("table.obligations tbody tr")
        assert rows.count() == 1
        assert ENTRUSTEE in rows.first.inner_text()
        assert "Due today" in rows.first.inner_text()
        tab.shot("list-one-task")

        _entrust(database)  # the same decision again
        tab.page.reload(wait_until="load")
        rows = tab.page.locator("table.obligations tbody tr")
        assert rows.count() == 1
        cells = rows.first.locator("td")
        assert cells.nth(4).inner_text().strip() == "2"  # decisions
        with tab.page.expect_navigation():
            rows.first.get_by_role("link", name="Supervise the entrustee").click()
        assert tab.h1() == "Task: Supervise the entrustee"
        assert "APPI Art. 25" in tab.main_text()
        tab.shot("task-page")

        page = tab.page
        page.locator("#a-owner-kind").check()  # the first choice: a department
        page.get_by_label("Owner (department or person)").fill("総務部")
        with page.expect_navigation():
            page.get_by_role("button", name="Save", exact=True).click()
        assert "The task was saved." in tab.main_text()
        assert "総務部 (Department)" in tab.main_text()
        page.get_by_label("A document", exact=True).check()
        page.get_by_label("The document", exact=True).fill("委託先評価シート（2026年度）")
        page.get_by_label("Where it is (file name, URL, number)").fill("EV-2026-001")
        tab.shot("close-form")
        with page.expect_navigation():
            page.get_by_role("button", name="Close the task", exact=True).click()
        assert re.search(r"done=closed", page.url)
        text = tab.main_text()
        assert "The task was closed." in text
        assert "The next round of this task is open." in text
        assert "EV-2026-001" in text
        tab.shot("task-closed")

        assert _card(tab) == ["0", "0", "1"]
        tab.shot("dashboard-after")
        assert tab.foreign == []
    with database.read() as session:
        assert verify_chain(session=session).ok
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.actor).where(AuditEntry.action.like("task.%"))
        ).all()
    assert ("task.opened", "token:shop-system") in entries
    assert ("task.closed", f"staff:{OFFICER}") in entries
    assert sum(1 for action, _ in entries if action == "task.opened") == 2  # round 1 and 2
