"""``/api/v1/reviews``: management reviews over the API (R-PM-8): prepare, enter, decide, the
report as HTML and PDF, the roles, no-store answers and errors that name fields, never values."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database

BASE = "/api/v1/reviews"
TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()
MANAGER = "代表取締役 山田太郎"


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    return body


def test_the_round_trip_from_preparation_to_report(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    officer, auditor = auth[Role.PRIVACY_OFFICER], auth[Role.AUDITOR]
    made = _ok(client.post(BASE, json={"title": "年次レビュー"}, headers=officer), 201)
    assert made["status"] == "draft"
    assert made["inputs"]["requests"]["total"]["received"] == 0
    reference = made["reference"]
    patched = _ok(
        client.patch(
            f"{BASE}/{reference}",
            json={"law_changes": [{"title": "ガイドライン改正"}], "improvements": ["手順の見直し"]},
            headers=officer,
        )
    )
    assert patched["law_changes"][0]["title"] == "ガイドライン改正"
    _ok(client.post(f"{BASE}/{made['id']}/refresh", headers=officer))
    decided = _ok(
        client.post(
            f"{BASE}/{reference}/decisions",
            json={
                "held_on": (TODAY - timedelta(days=1)).isoformat(),
                "top_manager": MANAGER,
                "decisions": [{"kind": "system_change", "text": "規程を改訂する"}],
            },
            headers=officer,
        )
    )
    assert decided["status"] == "decided"
    conflict = client.post(f"{BASE}/{reference}/refresh", headers=officer)
    assert conflict.status_code == 409
    # auditors read, reports included, but change nothing
    listed = client.get(BASE, headers=auditor)
    assert [r["reference"] for r in listed.json()] == [reference]
    assert client.post(BASE, json={}, headers=auditor).status_code == 403
    page = client.get(f"{BASE}/{reference}/report", params={"lang": "en"}, headers=auditor)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Management review report" in page.text
    assert MANAGER in page.text
    pdf = client.get(f"{BASE}/{reference}/report", params={"format": "pdf"}, headers=auditor)
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["cache-control"] == "no-store"
    with database.read() as session:
        chain = [
            e
            for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
            if e.action.startswith("review.")
        ]
    assert [e.action for e in chain] == [
        "review.created",
        "review.updated",
        "review.refreshed",
        "review.decided",
        "review.reported",
        "review.reported",
    ]
    assert chain[-1].details["what"] == "report.ja.pdf"
    assert all(e.actor.startswith("token:") for e in chain)
    assert MANAGER not in repr([e.details for e in chain])


def test_errors_name_fields_and_echo_nothing(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    officer = auth[Role.PRIVACY_OFFICER]
    backwards = client.post(
        BASE, json={"since": "2026-05-01", "until": "2026-04-01"}, headers=officer
    )
    assert backwards.status_code == 422
    assert "until" in backwards.text
    made = _ok(client.post(BASE, json={}, headers=officer), 201)
    number = "123456789018"
    refused = client.patch(
        f"{BASE}/{made['id']}", json={"improvements": [f"番号 {number}"]}, headers=officer
    )
    assert refused.status_code == 422
    assert number not in refused.text
    assert client.get(f"{BASE}/MR-2099-01", headers=officer).status_code == 404
    assert client.get(f"{BASE}/nonsense", headers=officer).status_code == 422
