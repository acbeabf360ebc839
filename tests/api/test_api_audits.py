"""``/api/v1/audits``: internal audits over the API — plan, collect, results, findings,
corrective actions, reported, closed, the report and the figures; the roles and no-store
answers, and errors that never echo a value."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database

BASE = "/api/v1/audits"
TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()
AUDITOR = "監査 花子"
FINDING = "委託先の監督記録がない（担当 田中次郎）"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def _plan() -> dict[str, Any]:
    return {
        "title": "内部監査",
        "period_from": f"{TODAY.year - 1}-04-01",
        "period_to": TODAY.isoformat(),
        "scope_departments": ["営業部"],
        "lead_auditor": AUDITOR,
        "lead_auditor_department": "内部監査室",
        "planned_on": TODAY.isoformat(),
    }


def test_an_audit_over_the_api(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    auditor = auth[Role.AUDITOR]
    made = _ok(client.post(BASE, json=_plan(), headers=auditor), 201)
    ref = made["reference"]
    controls = [i["control_id"] for i in made["checklist"]]
    collected = _ok(client.post(f"{BASE}/{ref}/collect", headers=auditor))
    item = next(i for i in collected["checklist"] if i["control_id"] == "R-SEC-2")
    assert item["evidence"]["counts"]["intact"] == 1
    finding = _ok(
        client.post(
            f"{BASE}/{ref}/items/R-SEC-4/findings",
            json={"kind": "nonconformity", "description": FINDING},
            headers=auditor,
        ),
        201,
    )
    action = _ok(
        client.post(
            f"{BASE}/findings/{finding['id']}/actions",
            json={"action": "監督手順", "owner_department": "営業部", "due_on": TODAY.isoformat()},
            headers=auth[Role.PRIVACY_OFFICER],
        ),
        201,
    )
    for control in controls:
        if control != "R-SEC-4":
            _ok(
                client.put(
                    f"{BASE}/{ref}/items/{control}", json={"result": "conform"}, headers=auditor
                )
            )
    for status, extra in (("done", {}), ("verified", {"effectiveness": "確認済"})):
        _ok(
            client.post(
                f"{BASE}/actions/{action['id']}/progress",
                json={"status": status, "on": TODAY.isoformat(), **extra},
                headers=auditor,
            )
        )
    _ok(client.post(f"{BASE}/{ref}/reported", json={"summary": "指摘1件"}, headers=auditor))
    closed = _ok(client.post(f"{BASE}/{ref}/close", json={}, headers=auditor))
    assert closed["status"] == "closed"

    listed = _ok(client.get(BASE, headers=auth[Role.ADMIN]))
    assert [a["reference"] for a in listed["audits"]] == [ref]
    figures = _ok(
        client.get(
            f"{BASE}/figures",
            params={"since": f"{TODAY.year - 1}-01-01", "until": TODAY.isoformat()},
            headers=auditor,
        )
    )
    assert figures == {
        "audits": 1,
        "items": len(controls),
        "nonconformities": 1,
        "observations": 0,
        "actions_open": 0,
        "actions_overdue": 0,
        "actions_done": 1,
    }
    html = client.get(f"{BASE}/{ref}/report", params={"lang": "en"}, headers=auditor)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert FINDING in html.text
    pdf = client.get(f"{BASE}/{ref}/report", params={"format": "pdf"}, headers=auditor)
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["cache-control"] == "no-store"

    with database.read() as session:
        entries = list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    mine = [e for e in entries if e.action.startswith("audit.")]
    assert mine[-1].action == "audit.report_written"
    assert all(e.actor.startswith("token:") for e in mine)
    assert FINDING not in repr([e.details for e in entries])


def test_roles_and_errors(client: TestClient, auth: dict[Role, dict[str, str]]) -> None:
    assert client.get(BASE, headers=auth[Role.HANDLER]).status_code == 403
    assert client.post(BASE, json=_plan(), headers=auth[Role.SYSTEM]).status_code == 403
    bad = client.post(
        BASE, json={**_plan(), "lead_auditor_department": "営業部"}, headers=auth[Role.ADMIN]
    )
    assert bad.status_code == 422
    assert AUDITOR not in bad.text
    assert bad.headers["cache-control"] == "no-store"
    missing = client.get(f"{BASE}/AUD-2099-01", headers=auth[Role.ADMIN])
    assert missing.status_code == 404
