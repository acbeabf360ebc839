"""The internal-audit pages over the real registry: who sees what, planning (the form's errors
tied to their fields, never repeating a value), the evidence counted from a real decision and
its provision record, findings, corrective actions done and verified, the state rules said in
words, the report (HTML in both languages, PDF), CSRF on every form and no caching."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from httpx import Response
from web_incidents_support import NOW, as_role, fix_clock, post_form
from web_support import TestClient

from kojin.api.state import state_of
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.law.decision_schemas import ConsentStatement, DecisionRequest, Recipient
from kojin.law.vocabulary import Action
from kojin.registry.decisions import decide_and_record

AUDITOR = "監査 花子"
FINDING = "委託先の監督記録がない（担当 田中次郎）"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def app(site_on_db: FastAPI) -> FastAPI:
    fix_clock(site_on_db)
    return site_on_db


@pytest.fixture
def auditor(app: FastAPI, web_on_db: TestClient, database: Database) -> TestClient:
    as_role(web_on_db, database, Role.AUDITOR, "auditor")
    return web_on_db


def _plan(client: TestClient, **changes: str) -> Response:
    data = {
        "title": "2026年度 内部監査",
        "period_from": "2026-11-01",
        "period_to": "2026-12-31",
        "scope_departments": "営業部\n人事部",
        "lead_auditor": AUDITOR,
        "lead_auditor_department": "内部監査室",
        "planned_on": "2026-12-03",
    }
    data.update(changes)
    return post_form(client, "/admin/audits/new", "/admin/audits", dict(data))


def _audit_id(answer: Response) -> str:
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/admin/audits/([0-9a-f]{32})\?done=planned", answer.headers["location"])
    assert found is not None
    return found.group(1)


def _post(client: TestClient, audit_id: str, path: str, data: dict[str, object]) -> str:
    answer = post_form(client, f"/admin/audits/{audit_id}", f"/admin/audits/{audit_id}{path}", data)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


@pytest.mark.parametrize(
    ("role", "sees"),
    [(Role.ADMIN, True), (Role.PRIVACY_OFFICER, True), (Role.AUDITOR, True), (Role.HANDLER, False)],
)
def test_who_sees_the_audits(
    app: FastAPI, web_on_db: TestClient, database: Database, role: Role, sees: bool
) -> None:
    as_role(web_on_db, database, role)
    answer = web_on_db.get("/admin/audits")
    assert answer.status_code == (200 if sees else 403)
    assert answer.headers["cache-control"] == "no-store"
    assert ('href="/admin/audits"' in web_on_db.get("/admin/").text) is sees


def test_the_plan_forms_errors(auditor: TestClient) -> None:
    answer = _plan(auditor, lead_auditor_department="営業部", period_to="2026-10-01")
    assert answer.status_code == 422
    assert "choose an auditor from another department" in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert "The last day must not be before the first day." in answer.text
    assert AUDITOR in answer.text  # typed values come back in the form
    empty = _plan(auditor, title="", scope_departments="")
    assert empty.status_code == 422
    assert "Enter a title" in empty.text
    assert "Enter at least one department" in empty.text


def test_an_audit_from_plan_to_report(
    app: FastAPI, auditor: TestClient, database: Database
) -> None:
    state = state_of(app)
    with database.uow() as session:  # a provision in the period: one record owed, one kept
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
            actor="t",
            now=NOW,
        )
    audit_id = _audit_id(_plan(auditor))
    page = auditor.get(f"/admin/audits/{audit_id}").text
    assert "Not collected yet." in page
    assert _post(auditor, audit_id, "/collect", {}).endswith("done=collected")
    page = auditor.get(f"/admin/audits/{audit_id}").text
    row = page[page.index('id="item-R-TP-REC-1"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r"Provisions needing a record: <span[^>]*>1</span>", row)
    assert re.search(r"With a record: <span[^>]*>1</span>", row)
    assert "Nothing wrong" in row
    japanese = auditor.get(f"/admin/audits/{audit_id}?lang=ja").text
    assert "提供記録を作成している" in japanese  # R-TP-REC-1's Japanese title
    assert re.search(r"記録が必要な提供: <span[^>]*>1</span>", japanese)
    assert "点検表" in japanese
    auditor.get(f"/admin/audits/{audit_id}?lang=en")

    assert _post(
        auditor, audit_id, "/findings",
        {"control_id": "R-SEC-4", "kind": "nonconformity", "description": FINDING},
    ).endswith("done=finding")  # fmt: skip
    page = auditor.get(f"/admin/audits/{audit_id}").text
    assert FINDING in page
    finding_id = re.search(r'name="finding_id" value="([0-9a-f]{32})"', page)
    assert finding_id is not None
    assert _post(
        auditor, audit_id, "/actions",
        {"finding_id": finding_id.group(1), "action": "監督手順を定める",
         "owner_department": "営業部", "due_on": "2026-12-01", "follow_up_on": "2026-12-02"},
    ).endswith("done=action")  # fmt: skip
    page = auditor.get(f"/admin/audits/{audit_id}").text
    assert "overdue" in page  # due 1 December, open on 3 December
    assert "follow-up due" in page  # follow up on 2 December
    action_id = re.search(r"/actions/([0-9a-f]{32})/progress", page)
    assert action_id is not None
    progress = f"/actions/{action_id.group(1)}/progress"
    assert "error=conflict" in _post(
        auditor, audit_id, progress, {"status": "verified", "effectiveness": "確認"}
    )
    assert _post(auditor, audit_id, progress, {"status": "done"}).endswith("done=progress")
    assert _post(
        auditor, audit_id, progress, {"status": "verified", "effectiveness": "再発なし"}
    ).endswith("done=progress")
    refused = _post(auditor, audit_id, "/reported", {"summary": "指摘1件"})
    assert refused.endswith("error=conflict")
    assert "a result on every control" in auditor.get(refused).text

    html = auditor.get(f"/admin/audits/{audit_id}/report-en.html")
    assert html.status_code == 200
    assert html.headers["cache-control"] == "no-store"
    assert "Internal audit report" in html.text
    assert FINDING in html.text
    ja = auditor.get(f"/admin/audits/{audit_id}/report-ja.html")
    assert "内部監査報告書" in ja.text
    pdf = auditor.get(f"/admin/audits/{audit_id}/report-ja.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert auditor.get(f"/admin/audits/{audit_id}/report-xx.html").status_code == 404
    listed = auditor.get("/admin/audits").text
    assert "AUD-2026-01" in listed


def test_every_form_needs_the_csrf_token(auditor: TestClient) -> None:
    audit_id = _audit_id(_plan(auditor))
    for path in ("/admin/audits", *(
        f"/admin/audits/{audit_id}{p}"
        for p in ("/collect", "/results", "/findings", "/actions", "/reported", "/close")
    )):  # fmt: skip
        answer = auditor.post(path, data={"title": "x"})
        assert answer.status_code == 403, path
