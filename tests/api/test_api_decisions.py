"""Decisions over HTTP: recorded, chained, readable back; role rules for specific personal
information (R-MN-9); group commit keeps every client's answer and error its own."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from fastapi.testclient import TestClient

from kojin.audit import export_chain, verify_chain
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.errors import NotFoundError
from kojin.law.decision_schemas import DecisionRequest
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions.recorder import DecisionRecorder, QueuedDecision

USE_CUSTOMER = {"action": "use", "category": "customer", "purpose": "provide_services"}
USE_MY_NUMBER = {
    "action": "use",
    "category": "specific_personal",
    "purpose": "remuneration_payment_records",
}
PROVIDE_CUSTOMER = {
    "action": "provide",
    "category": "customer",
    "purpose": "provide_services",
    "recipient": {"name": "Partner KK", "country": "JP"},
    "consent": {"given": True},
    "provision": {"items": ["name", "email"]},
}


def _chained_decision_ids(database: Database) -> set[str]:
    out = io.BytesIO()
    with database.read() as session:
        assert verify_chain(session=session).ok
        export_chain(session=session, out=out)
    entries = [json.loads(line) for line in out.getvalue().splitlines()]
    return {e["object_id"] for e in entries if e["action"] == "decision.recorded"}


def test_a_decision_is_recorded_chained_and_readable(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    response = client.post("/api/v1/decisions", json=USE_CUSTOMER, headers=auth[Role.SYSTEM])
    assert response.status_code == 200
    answer = response.json()
    assert answer["decision"]["allowed"] is True
    assert answer["decision"]["citations"]
    assert answer["id"] in _chained_decision_ids(database)

    stored = client.get(f"/api/v1/decisions/{answer['id']}", headers=auth[Role.AUDITOR])
    assert stored.status_code == 200
    assert stored.json()["decision"] == answer["decision"]
    assert stored.json()["request"]["category"] == "customer"
    assert stored.json()["actor"].startswith("token:")


def test_a_provision_decision_creates_its_record(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    response = client.post("/api/v1/decisions", json=PROVIDE_CUSTOMER, headers=auth[Role.HANDLER])
    assert response.status_code == 200
    answer = response.json()
    assert "record_provision" in [o["code"] for o in answer["decision"]["obligations"]]
    assert len(answer["provision_ids"]) == 1
    records = client.get(
        "/api/v1/provisions", params={"decision_id": answer["id"]}, headers=auth[Role.AUDITOR]
    )
    assert records.status_code == 200
    assert [r["id"] for r in records.json()] == answer["provision_ids"]
    assert records.json()[0]["items"] == ["name", "email"]
    stored = client.get(f"/api/v1/decisions/{answer['id']}", headers=auth[Role.ADMIN]).json()
    assert "provision" not in stored["request"]


@pytest.mark.parametrize(
    ("role", "body", "status"),
    [
        (Role.HANDLER, USE_MY_NUMBER, 403),
        (Role.HANDLER, USE_CUSTOMER, 200),
        (Role.MYNUMBER_HANDLER, USE_MY_NUMBER, 200),
        (Role.MYNUMBER_HANDLER, USE_CUSTOMER, 403),
        (Role.MYNUMBER_HANDLER, {**USE_CUSTOMER, "category": "no_such_category"}, 403),
        (Role.SYSTEM, USE_MY_NUMBER, 200),
        (Role.PRIVACY_OFFICER, USE_MY_NUMBER, 200),
        (Role.ADMIN, USE_MY_NUMBER, 200),
        (Role.AUDITOR, USE_CUSTOMER, 403),
    ],
)
def test_specific_personal_information_needs_a_designated_handler(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    database: Database,
    role: Role,
    body: dict[str, object],
    status: int,
) -> None:
    before = _chained_decision_ids(database)
    response = client.post("/api/v1/decisions", json=body, headers=auth[role])
    assert response.status_code == status
    recorded = _chained_decision_ids(database) - before
    if status == 200:
        assert recorded == {response.json()["id"]}
    else:
        assert response.json()["error"]["code"] == "forbidden"
        assert recorded == set()


def test_a_batch_is_decided_in_order(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    batch = {"requests": [USE_CUSTOMER, PROVIDE_CUSTOMER, {**USE_CUSTOMER, "purpose": "resale"}]}
    response = client.post("/api/v1/decisions/batch", json=batch, headers=auth[Role.SYSTEM])
    assert response.status_code == 200
    answers = response.json()
    assert [a["decision"]["allowed"] for a in answers] == [True, True, False]
    seqs = [a["audit_seq"] for a in answers]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 3
    assert {a["id"] for a in answers} <= _chained_decision_ids(database)


def test_a_batch_with_one_forbidden_request_records_nothing(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    batch = {"requests": [USE_CUSTOMER, USE_MY_NUMBER]}
    response = client.post("/api/v1/decisions/batch", json=batch, headers=auth[Role.HANDLER])
    assert response.status_code == 403
    assert _chained_decision_ids(database) == set()


def test_an_unknown_subject_is_404(client: TestClient, auth: dict[Role, dict[str, str]]) -> None:
    body = {**USE_CUSTOMER, "subject_id": "f" * 32}
    response = client.post("/api/v1/decisions", json=body, headers=auth[Role.SYSTEM])
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_group_commit_answers_each_request_alone(database: Database) -> None:
    """Twenty concurrent decisions share transactions; the one with an unknown subject fails
    alone and every other one is answered, recorded and chained."""
    committer = DecisionRecorder(unit_of_work=database.uow, policy=to_facts(load_policy(None)))
    good = DecisionRequest.model_validate(USE_CUSTOMER)
    bad = DecisionRequest.model_validate({**USE_CUSTOMER, "subject_id": "0" * 32})
    items = [QueuedDecision(request=good, provision=None, actor=f"t{i % 3}") for i in range(20)]
    items.insert(7, QueuedDecision(request=bad, provision=None, actor="t1"))

    async def submit_all() -> list[object]:
        return await asyncio.gather(
            *(committer.submit(item) for item in items), return_exceptions=True
        )

    results = asyncio.run(submit_all())
    assert isinstance(results[7], NotFoundError)
    answered = [r for i, r in enumerate(results) if i != 7]
    ids = {getattr(r, "id", None) for r in answered}
    assert None not in ids
    assert len(ids) == 20
    assert ids == _chained_decision_ids(database)


def test_a_refusal_does_not_echo_an_undeclared_category(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    body = {**USE_CUSTOMER, "category": "hanako@example.com"}
    response = client.post("/api/v1/decisions", json=body, headers=auth[Role.MYNUMBER_HANDLER])
    assert response.status_code == 403
    assert "hanako" not in response.text
    assert "undeclared category" in response.json()["error"]["message"]
