"""The decision recorder's writer thread: a group is what queued while the previous one was
written (no timer), a failing gate answers every waiting request with the error, and
close/restart work."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from sqlalchemy.orm import Session

from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions import RecordedDecision, recorder
from kojin.registry.decisions.recorder import DecisionRecorder, QueuedDecision

USE_CUSTOMER = {"action": "use", "category": "customer", "purpose": "provide_services"}


def _item(actor: str = "t") -> QueuedDecision:
    return QueuedDecision(
        request=DecisionRequest.model_validate(USE_CUSTOMER), provision=None, actor=actor
    )


class CountingUnitOfWork:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.transactions = 0

    def __call__(self) -> AbstractContextManager[Session]:
        self.transactions += 1
        return self.database.uow()


def test_decisions_queued_while_the_gate_is_held_share_one_transaction(
    database: Database,
) -> None:
    held = threading.Event()
    release = threading.Event()

    @contextmanager
    def gate() -> Iterator[None]:
        held.set()
        assert release.wait(10)
        yield

    uow = CountingUnitOfWork(database)
    committer = DecisionRecorder(
        unit_of_work=uow, policy=to_facts(load_policy(None)), write_gate=gate
    )

    async def run() -> list[RecordedDecision]:
        first = asyncio.ensure_future(committer.submit(_item()))
        await asyncio.to_thread(held.wait, 10)  # the writer now waits at the gate
        rest = [asyncio.ensure_future(committer.submit(_item(f"t{i % 2}"))) for i in range(9)]
        await asyncio.sleep(0)
        release.set()
        return list(await asyncio.gather(first, *rest))

    results = asyncio.run(run())
    committer.close()
    assert uow.transactions == 1
    seqs = [r.audit_seq for r in results]
    assert seqs == list(range(seqs[0], seqs[0] + 10))  # chained in arrival order


def test_a_failing_gate_answers_every_waiting_request_with_its_error(database: Database) -> None:
    @contextmanager
    def broken_gate() -> Iterator[None]:
        raise OSError("lock file unavailable")
        yield  # pragma: no cover

    committer = DecisionRecorder(
        unit_of_work=database.uow, policy=to_facts(load_policy(None)), write_gate=broken_gate
    )

    async def run() -> list[object]:
        submits = (committer.submit(_item()) for _ in range(3))
        return list(await asyncio.wait_for(asyncio.gather(*submits, return_exceptions=True), 10))

    results = asyncio.run(run())
    committer.close()
    assert all(isinstance(r, OSError) for r in results)


def test_an_idle_writer_ends_and_the_next_decision_starts_another(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recorder, "IDLE_SECONDS", 0.05)
    committer = DecisionRecorder(unit_of_work=database.uow, policy=to_facts(load_policy(None)))
    first = asyncio.run(committer.submit(_item()))
    deadline = time.monotonic() + 10
    while committer.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not committer.running
    second = asyncio.run(committer.submit(_item()))
    committer.close()
    assert second.audit_seq == first.audit_seq + 1


def test_a_closed_committer_starts_a_new_writer_on_the_next_decision(database: Database) -> None:
    committer = DecisionRecorder(unit_of_work=database.uow, policy=to_facts(load_policy(None)))
    first = asyncio.run(committer.submit(_item()))
    assert committer.running
    committer.close()
    assert not committer.running
    second = asyncio.run(committer.submit(_item()))
    committer.close()
    assert not committer.running
    assert second.audit_seq == first.audit_seq + 1


@pytest.mark.parametrize("actors", [["a"], ["a", "b", "a"]])
def test_answers_reach_each_request_in_order(database: Database, actors: list[str]) -> None:
    committer = DecisionRecorder(unit_of_work=database.uow, policy=to_facts(load_policy(None)))

    async def run() -> list[int]:
        results = await asyncio.gather(*(committer.submit(_item(actor)) for actor in actors * 5))
        return [r.audit_seq for r in results]

    seqs = asyncio.run(run())
    committer.close()
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # chained in submission order
