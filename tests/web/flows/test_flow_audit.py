"""An internal audit on the staff pages, in Chromium.

1. A provision to a partner was decided this month with consent: kojin kept its record.
2. A privacy officer (English) plans an audit of the last month from the audits page; its
   checklist holds the controls the policy makes applicable.
3. The officer collects the evidence: R-TP-REC-1 shows the real counts (one provision owing a
   record, one record kept), nothing wrong.
4. The officer records a nonconformity on R-SEC-4 and adds a corrective action with its owner
   and due date: the finding and the action are on the audit's page.
5. The report opens in English with the finding and the evidence; the audit chain verifies.

Every page is saved as ``test-artifacts/screenshots/flow-audit-<nn>-<step>.png``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kojin.audit.service import verify_chain
from kojin.law.decision_schemas import ConsentStatement, DecisionRequest, Recipient
from kojin.law.vocabulary import Action
from kojin.registry.decisions import decide_and_record
from kojin.web.i18n import tokyo_today

from .flow_support import FlowSite, Tab, browsing, staff_sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FINDING = "委託先の年次監督の記録がない"
ACTION = "委託先の監督手順を定め、年次確認を実施する"


def _submit(tab: Tab, name: str) -> None:
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name=name, exact=True).click()


def _provide(site: FlowSite) -> None:
    state = site.state
    with state.database.uow() as session:
        decide_and_record(
            session=session,
            request=DecisionRequest(
                action=Action.PROVIDE,
                category="customer",
                purpose="provide_services",
                recipient=Recipient(name="Partner KK", country="JP"),
                consent=ConsentStatement(given=True),
            ),
            policy=state.facts,
            actor="token:system",
        )


def _plan(tab: Tab, since: str, until: str) -> None:
    page = tab.page
    with page.expect_navigation():
        page.locator("nav.site-nav").get_by_role("link", name="Internal audits").click()
    assert tab.h1() == "Internal audits"
    assert "No audit yet." in tab.main_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Plan an audit").click()
    page.locator("#f-title").fill("Internal audit of the last month")
    page.locator("#f-period-from").fill(since)
    page.locator("#f-period-to").fill(until)
    page.locator("#f-scope-departments").fill("営業部\n人事部")
    page.locator("#f-lead-auditor").fill("監査 花子")
    page.locator("#f-lead-auditor-department").fill("内部監査室")
    tab.shot("plan-form-en")
    _submit(tab, "Plan the audit")
    assert re.search(r"/admin/audits/[0-9a-f]{32}\?done=planned$", page.url), tab.main_text()
    assert re.match(r"AUD-[0-9]{4}-01 ", tab.h1())
    assert "The audit is planned." in tab.main_text()
    tab.shot("planned-en")


def _collect(tab: Tab) -> None:
    _submit(tab, "Collect the evidence")
    assert "The evidence was counted from kojin's records." in tab.main_text()
    row = tab.page.locator("#item-R-TP-REC-1").inner_text()
    assert "Nothing wrong" in row
    assert "Provisions needing a record: 1" in row
    assert "With a record: 1" in row
    assert "Without a record: 0" in row
    tab.page.locator("#item-R-TP-REC-1").scroll_into_view_if_needed()
    tab.shot("evidence-en")


def _finding_and_action(tab: Tab, due: str) -> None:
    page = tab.page
    page.locator("#n-control-id").select_option("R-SEC-4")
    page.locator("#n-kind").select_option(label="Nonconformity")
    page.locator("#n-description").fill(FINDING)
    page.locator("#n-root-cause").fill("監督手順が定められていない")
    _submit(tab, "Record the finding")
    assert "The finding was recorded." in tab.main_text()
    assert "Finding 1 (Nonconformity) on R-SEC-4" in tab.main_text()
    page.get_by_text("Add a corrective action to finding 1").click()
    page.locator("#a-1-action").fill(ACTION)
    page.locator("#a-1-owner-department").fill("営業部")
    page.locator("#a-1-due-on").fill(due)
    _submit(tab, "Add the action")
    assert "The corrective action was added." in tab.main_text()
    actions = page.get_by_role("table", name="Corrective actions of finding 1").inner_text()
    assert ACTION in actions
    assert "営業部" in actions
    assert "Open" in actions
    row = page.locator("#item-R-SEC-4").inner_text()
    assert "Nonconform" in row
    tab.shot("finding-action-en")


def _report(tab: Tab) -> None:
    page = tab.page
    with page.expect_navigation():
        page.get_by_role("link", name="English (page)").click()
    assert page.url.endswith("/report-en.html")
    text = page.locator("body").inner_text()
    assert "Internal audit report" in text
    assert FINDING in text
    assert ACTION in text
    assert "R-TP-REC-1" in text
    assert "records required 1" in text
    tab.shot("report-en")


def test_an_audit_planned_collected_with_a_finding_and_reported(
    browser: Browser, flow_site: FlowSite
) -> None:
    _provide(flow_site)
    today = tokyo_today(datetime.now(UTC))
    with browsing(browser, flow_site, "audit", locale="en-GB") as tab:
        staff_sign_in(tab)
        _plan(tab, (today - timedelta(days=30)).isoformat(), today.isoformat())
        _collect(tab)
        _finding_and_action(tab, (today + timedelta(days=30)).isoformat())
        _report(tab)
        assert tab.foreign == []
    with flow_site.live.database.read() as session:
        assert verify_chain(session=session).ok
