"""``/api/v1/risks`` and ``/api/v1/training``: assessments and reviews, what is due, the roster,
courses, completions, CSV imports (all or nothing, errors without values), who is overdue, the
figures, the roles and the no-store answers."""

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
from kojin.registry.dates import add_years
from kojin.registry.ledger.schemas import LedgerAcquisition, LedgerEntryCreate, Medium
from kojin.registry.ledger.service import add_entries

TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()
SECRET_NAME = "山田太郎"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """These tests do not depend on the database: SQLite only."""
    return sqlite_url


def _ledger_row(database: Database) -> str:
    entry = LedgerEntryCreate(
        item="顧客名簿",
        category="customer",
        purposes=["provide_services"],
        acquisition_method=LedgerAcquisition.WRITTEN_DIRECT,
        storage_location="CRM",
        medium=Medium.ELECTRONIC,
        access="Sales",
        retention_period="5 years",
        disposal_method="Deletion",
        record_count=10,
        responsible_department="Sales",
    )
    with database.uow() as session:
        return add_entries(session=session, entries=[entry], actor="t")[0].id


def _risk(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "stage": "storage",
        "risk": "バックアップ媒体の紛失",
        "likelihood": 2,
        "impact": 3,
        "evaluation": "treat",
        "measures": "暗号化",
        "rule_ids": ["R-SEC-1"],
        "residual_likelihood": 2,
        "residual_impact": 3,
        "owner": "情報システム部",
    }
    body.update(extra)
    return body


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def test_risks(client: TestClient, auth: dict[Role, dict[str, str]], database: Database) -> None:
    row = _ledger_row(database)
    officer, auditor = auth[Role.PRIVACY_OFFICER], auth[Role.AUDITOR]
    assert (
        client.post(
            "/api/v1/risks", json={"ledger_entry_id": row, **_risk()}, headers=auditor
        ).status_code
        == 403
    )
    assert client.get("/api/v1/risks", headers=auth[Role.HANDLER]).status_code == 403
    made = _ok(
        client.post("/api/v1/risks", json={"ledger_entry_id": row, **_risk()}, headers=officer),
        201,
    )
    assert made["high_residual"] is True
    assert made["next_review"] == add_years(TODAY, 1).isoformat()
    listed = _ok(client.get("/api/v1/risks?high=true", headers=auditor))
    assert [r["id"] for r in listed] == [made["id"]]
    assert _ok(client.get("/api/v1/risks?stage=use", headers=auditor)) == []
    due = _ok(client.get("/api/v1/risks/due", headers=auditor))
    assert due == {"unassessed": [], "stale": [], "overdue": []}
    reviewed = _ok(
        client.put(
            f"/api/v1/risks/{made['id']}",
            json=_risk(residual_likelihood=1),
            headers=officer,
        )
    )
    assert reviewed["residual_score"] == 3
    assert (
        _ok(client.get(f"/api/v1/risks/{made['id']}", headers=auditor))["owner"] == "情報システム部"
    )
    figures = _ok(client.get("/api/v1/risks/figures", headers=auditor))
    assert figures == {
        "rows": 1,
        "rows_assessed": 1,
        "reviews_overdue": 0,
        "high_residual": 0,
        "assessed_in_period": 1,
    }
    bad = client.post(
        "/api/v1/risks",
        json={"ledger_entry_id": row, **_risk(rule_ids=["R-ZZ-9"])},
        headers=officer,
    )
    assert bad.status_code == 422
    assert "R-ZZ-9" not in bad.text
    unknown = client.post(
        "/api/v1/risks", json={"ledger_entry_id": "0" * 32, **_risk()}, headers=officer
    )
    assert unknown.status_code == 404
    assert client.get(f"/api/v1/risks/{'0' * 32}", headers=auditor).status_code == 404
    with database.read() as session:
        actions = [
            (e.action, e.actor)
            for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
            if e.action.startswith("risk.")
        ]
    assert [a for a, _ in actions] == ["risk.assessed", "risk.reviewed"]
    assert all(actor.startswith("token:") for _, actor in actions)


def test_training(client: TestClient, auth: dict[Role, dict[str, str]], database: Database) -> None:
    officer, auditor = auth[Role.PRIVACY_OFFICER], auth[Role.AUDITOR]
    _ok(
        client.post(
            "/api/v1/training/courses", json={"code": "PI", "title": "年次研修"}, headers=officer
        ),
        201,
    )
    assert (
        client.post(
            "/api/v1/training/courses", json={"code": "PI", "title": "x"}, headers=officer
        ).status_code
        == 409
    )
    assert (
        client.post(
            "/api/v1/training/courses", json={"code": "X", "title": "x"}, headers=auditor
        ).status_code
        == 403
    )
    roster = (
        "employee_number,name,department,joined_on\n"
        f"E1,{SECRET_NAME},営業部,2020-04-01\n"
        "E2,佐藤花子,人事部,20-04-01\n"
    )
    csv_headers = {**officer, "content-type": "text/csv; charset=utf-8"}
    bad = client.post(
        "/api/v1/training/workers/import", content=roster.encode(), headers=csv_headers
    )
    assert bad.status_code == 422, bad.text
    assert "line 3, column joined_on" in bad.text
    assert "佐藤" not in bad.text
    assert SECRET_NAME not in bad.text
    assert _ok(client.get("/api/v1/training/workers", headers=auditor)) == []
    fixed = roster.replace(",20-04-01", ",2021-04-01")
    imported = _ok(
        client.post(
            "/api/v1/training/workers/import", content=fixed.encode("cp932"), headers=csv_headers
        )
    )
    assert imported == {"added": 2, "updated": 0, "unchanged": 0}
    changed = _ok(
        client.put(
            "/api/v1/training/workers",
            json=[
                {
                    "employee_number": "E2",
                    "name": "佐藤花子",
                    "department": "総務部",
                    "joined_on": "2021-04-01",
                }
            ],
            headers=officer,
        )
    )
    assert changed == {"added": 0, "updated": 1, "unchanged": 0}
    recorded = _ok(
        client.post(
            "/api/v1/training/records",
            json=[{"employee_number": "E1", "course": "PI", "completed_on": TODAY.isoformat()}],
            headers=officer,
        )
    )
    assert recorded[0]["new"] is True
    records_csv = f"employee_number,course,completed_on\nE2,NOPE,{TODAY.isoformat()}\n"
    failed = client.post(
        "/api/v1/training/records/import", content=records_csv.encode(), headers=csv_headers
    )
    assert failed.status_code == 422
    assert "line 2, column course" in failed.text
    overdue = _ok(client.get("/api/v1/training/overdue", headers=auditor))
    assert [w["employee_number"] for w in overdue] == ["E2"]
    assert overdue[0]["name"] == "佐藤花子"
    records = _ok(client.get("/api/v1/training/workers/E1/records", headers=auditor))
    assert [r["course"] for r in records] == ["PI"]
    figures = _ok(client.get("/api/v1/training/figures", headers=auditor))
    assert figures == {"workers": 2, "trained_in_period": 1, "overdue": 1, "completion_rate": 0.5}
    assert _ok(client.get("/api/v1/training/courses", headers=auditor))[0]["code"] == "PI"
    with database.read() as session:
        details = [e.details for e in session.execute(select(AuditEntry)).scalars()]
    assert SECRET_NAME not in str(details)
