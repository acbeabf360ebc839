"""``/api/v1/recipients``: the recipient register over the API (R-SEC-4, R-TP-FX-3): the round
trip, roles, no-store answers, conflicts, and errors that name fields and never echo a value."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database

BASE = "/api/v1/recipients"
TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()
SECRET = "担当 鈴木一郎"


def _no_store(response: Any) -> None:
    assert response.headers["cache-control"] == "no-store", response.request.url


def test_the_register_round_trip(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    officer = auth[Role.PRIVACY_OFFICER]
    made = client.post(
        BASE,
        json={
            "name": "Example Cloud Inc.",
            "entrustee": True,
            "foreign_rule16": True,
            "country": "us",
            "rule16_basis": "contract",
            "contract_date": (TODAY - timedelta(days=400)).isoformat(),
            "evaluation_notes": SECRET,
            "statement_en": {"setup": "A data processing agreement"},
        },
        headers=officer,
    )
    assert made.status_code == 201, made.text
    _no_store(made)
    cloud = made.json()
    assert cloud["country"] == "US"
    assert cloud["check_overdue"] is True

    twice = client.post(
        BASE, json={"name": "EXAMPLE CLOUD", "entrustee": True, "country": "JP"}, headers=officer
    )
    assert twice.status_code == 409
    _no_store(twice)

    listed = client.get(BASE, params={"overdue": "true"}, headers=auth[Role.AUDITOR])
    assert [r["id"] for r in listed.json()] == [cloud["id"]]
    for kind in ("supervision", "foreign_measures", "foreign_system"):
        checked = client.post(
            f"{BASE}/{cloud['id']}/checks",
            json={"kind": kind, "checked_on": TODAY.isoformat(), "result": "satisfactory"},
            headers=officer,
        )
        assert checked.status_code == 201, checked.text
    assert checked.json()["check_overdue"] is False
    assert client.get(BASE, params={"overdue": "true"}, headers=officer).json() == []

    patched = client.patch(
        f"{BASE}/{cloud['id']}", json={"my_number_affairs": True}, headers=officer
    )
    assert patched.json()["fields"]["my_number_affairs"] is True

    said = client.get(
        f"{BASE}/{cloud['id']}/statement", params={"lang": "en"}, headers=auth[Role.AUDITOR]
    )
    assert said.json()["items"]["setup"] == "A data processing agreement"
    assert said.json()["country_name"] == "United States"

    figures = client.get(f"{BASE}/figures", headers=auth[Role.AUDITOR]).json()
    assert figures["entrustees"] == 1
    assert figures["checks_in_period"] == 3
    assert figures["checks_overdue"] == 0

    ended = client.post(f"{BASE}/{cloud['id']}/end", json={}, headers=officer)
    assert ended.json()["status"] == "ended"
    again = client.post(f"{BASE}/{cloud['id']}/end", json={}, headers=officer)
    assert again.status_code == 409
    assert client.get(BASE, params={"status": "all"}, headers=officer).json()[0]["status"] == (
        "ended"
    )

    with database.read() as session:
        entries = list(session.execute(select(AuditEntry)).scalars())
    details = json.dumps([e.details for e in entries], ensure_ascii=False)
    assert SECRET not in details
    assert "Example Cloud" not in details
    recorded = [e for e in entries if e.action.startswith("recipient.")]
    assert {e.actor for e in recorded} == {recorded[0].actor}
    assert recorded[0].actor.startswith("token:")


def test_roles_and_errors(client: TestClient, auth: dict[Role, dict[str, str]]) -> None:
    body = {"name": SECRET, "entrustee": True, "country": "ZZ"}
    refused = client.post(BASE, json=body, headers=auth[Role.PRIVACY_OFFICER])
    assert refused.status_code == 422
    assert SECRET not in refused.text
    assert "country" in refused.text
    for role in (Role.AUDITOR, Role.HANDLER, Role.SYSTEM):
        denied = client.post(BASE, json={**body, "country": "JP"}, headers=auth[role])
        assert denied.status_code == 403, role
    assert client.get(BASE, headers=auth[Role.HANDLER]).status_code == 403
    missing = client.get(f"{BASE}/{'0' * 32}", headers=auth[Role.AUDITOR])
    assert missing.status_code == 404
    _no_store(missing)
    carrier = client.post(
        BASE,
        json={"name": "Carrier KK", "entrustee": True, "country": "JP"},
        headers=auth[Role.ADMIN],
    ).json()
    not_foreign = client.get(f"{BASE}/{carrier['id']}/statement", headers=auth[Role.ADMIN])
    assert not_foreign.status_code == 422
    # categories are the policy's
    undeclared = client.patch(
        f"{BASE}/{carrier['id']}",
        json={"categories": ["no_such_category"]},
        headers=auth[Role.ADMIN],
    )
    assert undeclared.status_code == 422
    assert "categories" in undeclared.text
    declared = client.patch(
        f"{BASE}/{carrier['id']}", json={"categories": ["customer"]}, headers=auth[Role.ADMIN]
    )
    assert declared.json()["fields"]["categories"] == ["customer"]
