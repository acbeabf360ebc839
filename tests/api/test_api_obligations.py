"""``/api/v1/obligations``: decisions made over the API open their tasks once; systems list the
overdue ones; the privacy office assigns and closes them with evidence; answers are no-store and
errors name fields, never values."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kojin.auth.roles import Role

BASE = "/api/v1/obligations"
OWNER = "山田太郎"
ENTRUST: dict[str, Any] = {
    "action": "provide",
    "category": "customer",
    "purpose": "provide_services",
    "recipient": {"name": "API Partner KK", "country": "JP", "relation": "entrustee"},
}


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def test_tasks_over_the_api(client: TestClient, auth: dict[Role, dict[str, str]]) -> None:
    first = client.post("/api/v1/decisions", json=ENTRUST, headers=auth[Role.SYSTEM])
    assert first.status_code == 200, first.text
    again = client.post("/api/v1/decisions", json=ENTRUST, headers=auth[Role.SYSTEM])
    assert again.status_code == 200
    page = _ok(client.get(BASE, headers=auth[Role.SYSTEM]))
    assert page["total"] == 1
    [task] = page["items"]
    assert task["code"] == "supervise_entrustee"
    assert task["decision_count"] == 2
    assert task["first_decision_id"] == first.json()["id"]
    # due today (before entrusting): not overdue yet, upcoming within 0 days
    assert _ok(client.get(f"{BASE}?overdue=true", headers=auth[Role.AUDITOR]))["total"] == 0
    assert _ok(client.get(f"{BASE}?upcoming=0", headers=auth[Role.AUDITOR]))["total"] == 1
    assert _ok(client.get(f"{BASE}?status=done", headers=auth[Role.AUDITOR]))["total"] == 0

    url = f"{BASE}/{task['id']}"
    no_reason = client.patch(url, json={"due_on": "2030-01-01"}, headers=auth[Role.PRIVACY_OFFICER])
    assert no_reason.status_code == 422
    assert no_reason.headers["cache-control"] == "no-store"
    assigned = _ok(
        client.patch(
            url,
            json={"owner": {"kind": "person", "name": OWNER}},
            headers=auth[Role.PRIVACY_OFFICER],
        )
    )
    assert assigned["owner"] == {"kind": "person", "name": OWNER}
    bad_owner = client.patch(
        url,
        json={"owner": {"kind": "person", "name": "番号 123456789018"}},
        headers=auth[Role.PRIVACY_OFFICER],
    )
    assert bad_owner.status_code == 422
    assert "123456789018" not in bad_owner.text

    missing = client.post(
        f"{url}/close",
        json={"evidence": {"kind": "record", "record_kind": "incident", "record_id": "0" * 32}},
        headers=auth[Role.ADMIN],
    )
    assert missing.status_code == 422
    closed = _ok(
        client.post(
            f"{url}/close",
            json={
                "evidence": {
                    "kind": "record",
                    "record_kind": "decision",
                    "record_id": first.json()["id"],
                }
            },
            headers=auth[Role.ADMIN],
        )
    )
    assert closed["status"] == "done"
    assert [e["action"] for e in closed["history"]] == [
        "task.opened",
        "task.assigned",
        "task.closed",
    ]
    twice = client.post(
        f"{url}/close",
        json={"evidence": {"kind": "document", "description": "d", "reference": "r"}},
        headers=auth[Role.ADMIN],
    )
    assert twice.status_code == 409
    # the supervision's next round
    rounds = _ok(client.get(f"{BASE}?status=open", headers=auth[Role.AUDITOR]))["items"]
    assert [t["round"] for t in rounds] == [2]
    reopened = _ok(client.post(f"{url}/reopen", json={}, headers=auth[Role.PRIVACY_OFFICER]))
    assert reopened["status"] == "open"
    assert client.get(f"{BASE}/{'0' * 32}", headers=auth[Role.AUDITOR]).status_code == 404
    assert client.get(f"{BASE}?upcoming=-1", headers=auth[Role.AUDITOR]).status_code == 422
