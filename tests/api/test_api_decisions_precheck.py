"""Requests that cannot succeed are answered before they share a transaction: an unknown subject
or dataset is 404 without its id, and a subject of specific personal information is, for a role
without My Number authority, indistinguishable from an unknown one (R-MN-9)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from kojin.api import roles
from kojin.auth.roles import Role
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import NotFoundError
from kojin.law.decision_schemas import DecisionRequest
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.decisions.recorder import DecisionRecorder, QueuedDecision
from kojin.registry.decisions.schemas import RecordedDecision
from kojin.registry.subjects import SubjectCreate, create_subject

USE_CUSTOMER = {"action": "use", "category": "customer", "purpose": "provide_services"}
USE_MY_NUMBER = {
    "action": "use",
    "category": "specific_personal",
    "purpose": "remuneration_payment_records",
}
UNKNOWN = "0123456789abcdef0123456789abcdef"
#: roles that may decide but have no My Number authority
WITHOUT_AUTHORITY = sorted(roles.DECIDE - roles.MYNUMBER_AUTHORITY)


def _subject(database: Database, cipher: FieldCipher, category: str) -> str:
    with database.uow() as session:
        created = create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category=category),
            actor="test",
            policy=to_facts(load_policy(None)),
        )
    return created.id


@pytest.fixture
def my_number_subject(database: Database, cipher: FieldCipher) -> str:
    return _subject(database, cipher, "specific_personal")


@pytest.fixture
def customer_subject(database: Database, cipher: FieldCipher) -> str:
    return _subject(database, cipher, "customer")


def _decisions(database: Database) -> int:
    with database.read() as session:
        return session.query(DecisionRecord).count()


def _post(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post("/api/v1/decisions", json=body, headers=headers)


def _batch(client: TestClient, headers: dict[str, str], *bodies: dict[str, Any]) -> Any:
    return client.post("/api/v1/decisions/batch", json={"requests": list(bodies)}, headers=headers)


@pytest.mark.parametrize(
    ("field", "message"),
    [("subject_id", "subject not found"), ("dataset_id", "dataset not found")],
)
def test_an_unknown_subject_or_dataset_is_404_without_its_id(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    database: Database,
    field: str,
    message: str,
) -> None:
    body = {**USE_CUSTOMER, field: UNKNOWN}
    for response in (
        _post(client, auth[Role.SYSTEM], body),
        _batch(client, auth[Role.SYSTEM], USE_CUSTOMER, body),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["error"] == {"code": "not_found", "message": message, "fields": []}
        assert UNKNOWN not in response.text
    assert _decisions(database) == 0


@pytest.mark.parametrize("role", WITHOUT_AUTHORITY)
def test_a_my_number_subject_is_unknown_to_a_role_without_authority(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    database: Database,
    my_number_subject: str,
    role: Role,
) -> None:
    """The answer about an existing subject of specific personal information is byte for byte
    the answer about a subject that does not exist, on every route and whatever category the
    request states."""
    headers = auth[role]
    unknown = _post(client, headers, {**USE_CUSTOMER, "subject_id": UNKNOWN})
    assert unknown.status_code == 404
    for stated in (USE_CUSTOMER, USE_MY_NUMBER):
        if role is Role.HANDLER and stated is USE_MY_NUMBER:
            continue  # refused for its category before any subject is looked at
        known = _post(client, headers, {**stated, "subject_id": my_number_subject})
        assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
        batch = _batch(client, headers, {**stated, "subject_id": my_number_subject})
        assert (batch.status_code, batch.content) == (unknown.status_code, unknown.content)
        assert my_number_subject not in known.text + batch.text
    assert _decisions(database) == 0


def test_a_mynumber_handler_decides_about_its_subjects_only(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    database: Database,
    my_number_subject: str,
    customer_subject: str,
) -> None:
    headers = auth[Role.MYNUMBER_HANDLER]
    allowed = _post(client, headers, {**USE_MY_NUMBER, "subject_id": my_number_subject})
    assert allowed.status_code == 200, allowed.text
    in_batch = _batch(client, headers, {**USE_MY_NUMBER, "subject_id": my_number_subject})
    assert in_batch.status_code == 200, in_batch.text

    # the request's category is one it may ask about, the subject's is not
    other = {**USE_MY_NUMBER, "subject_id": customer_subject}
    for refused in (_post(client, headers, other), _batch(client, headers, other)):
        assert refused.status_code == 403, refused.text
        assert "R-MN-9" in refused.json()["error"]["message"]
        assert customer_subject not in refused.text
        assert "customer" not in refused.text
    assert _decisions(database) == 2


def test_a_customer_subject_is_decided_for_a_handler(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    customer_subject: str,
) -> None:
    response = _post(client, auth[Role.HANDLER], {**USE_CUSTOMER, "subject_id": customer_subject})
    assert response.status_code == 200, response.text


class _CountingUnitOfWork:
    """The database's unit of work, counting the transactions the recorder opens."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.transactions = 0

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        self.transactions += 1
        with self.database.uow() as session:
            yield session


def test_a_bad_request_does_not_break_up_its_group(database: Database) -> None:
    """Twenty good requests and two that cannot succeed, queued together: one transaction
    records the twenty and answers the two. (Before, the group's transaction failed on the
    unknown subject and all twenty-two were written again one per transaction.)"""
    uow = _CountingUnitOfWork(database)
    everyone_queued = threading.Event()

    @contextmanager
    def gate() -> Iterator[None]:
        everyone_queued.wait(5)
        yield

    def write_gate() -> AbstractContextManager[None]:
        return gate()

    recorder = DecisionRecorder(
        unit_of_work=uow, policy=to_facts(load_policy(None)), write_gate=write_gate
    )
    good = DecisionRequest.model_validate(USE_CUSTOMER)
    items = [QueuedDecision(request=good, provision=None, actor="t") for _ in range(20)]
    for index, field in ((3, "subject_id"), (11, "dataset_id")):
        bad = DecisionRequest.model_validate({**USE_CUSTOMER, field: UNKNOWN})
        items.insert(index, QueuedDecision(request=bad, provision=None, actor="t"))

    async def submit_all() -> list[RecordedDecision | BaseException]:
        waiting = asyncio.gather(*(recorder.submit(item) for item in items), return_exceptions=True)
        await asyncio.sleep(0.05)  # every submit has queued its request
        everyone_queued.set()
        return await waiting

    try:
        results = asyncio.run(submit_all())
    finally:
        recorder.close()
    assert uow.transactions == 1
    assert [str(results[3]), str(results[11])] == ["subject not found", "dataset not found"]
    assert all(isinstance(results[i], NotFoundError) for i in (3, 11))
    recorded = [r for i, r in enumerate(results) if i not in (3, 11)]
    assert len({getattr(r, "id", None) for r in recorded} - {None}) == 20
    assert _decisions(database) == 20
