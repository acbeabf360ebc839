"""Group commit for single decisions: concurrent requests in one process share a transaction.

Each ``POST /api/v1/decisions`` waits in a queue. One writer at a time (per process, and across
the workers of a server through :mod:`kojin.api.write_gate`) takes everything queued so far,
records it with :func:`kojin.registry.decisions.decide_batch` in one unit of work (one batch per
actor, in arrival order) and answers every waiting request only after the commit. A decision a
client received is therefore in the chain, exactly as with one transaction per request, but the
database is locked and synced once per group instead of once per decision. When a shared
transaction fails (for instance an unknown ``subject_id`` in one of the requests), it is rolled
back and each request is retried alone, so every client gets its own answer or its own error.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kojin.law.contract import DecisionRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.decisions import RecordedDecision, decide_batch
from kojin.registry.provisions import ProvisionDetails

#: the most decisions one shared transaction records
MAX_GROUP = 128

UnitOfWork = Callable[[], AbstractContextManager[Session]]
#: taken around each shared transaction (see :mod:`kojin.api.write_gate`)
WriteGate = Callable[[], AbstractContextManager[None]]


@dataclass(frozen=True, slots=True)
class QueuedDecision:
    request: DecisionRequest
    provision: ProvisionDetails | None
    actor: str


@dataclass(slots=True)
class _Waiting:
    item: QueuedDecision
    future: asyncio.Future[RecordedDecision]


def _record(
    session: Session, items: list[QueuedDecision], policy: PolicyFacts
) -> Iterator[RecordedDecision]:
    for actor, group in groupby(items, key=lambda item: item.actor):
        batch = list(group)
        yield from decide_batch(
            session=session,
            requests=[item.request for item in batch],
            policy=policy,
            actor=actor,
            provisions=[item.provision for item in batch],
        )


@dataclass(slots=True)
class _Outcome:
    taken: list[_Waiting]
    results: list[RecordedDecision] | None = None
    error: Exception | None = None


class DecisionGroupCommitter:
    """One per process: queues decisions and writes them in shared transactions.

    The writer takes its group only once it holds the write gate, so decisions that arrive
    while another worker is writing join the next transaction instead of waiting for one more.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        policy: PolicyFacts,
        write_gate: WriteGate | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._write_gate = write_gate
        self._policy = policy
        self._queue: list[_Waiting] = []
        self._queue_lock = threading.Lock()
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: QueuedDecision) -> RecordedDecision:
        """Record `item` and return it once its transaction has committed."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(item=item, future=loop.create_future())
        with self._queue_lock:
            self._queue.append(waiting)
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._drain())
        return await waiting.future

    def _pending(self) -> bool:
        with self._queue_lock:
            return bool(self._queue)

    def _take(self) -> list[_Waiting]:
        with self._queue_lock:
            taken, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
        return taken

    async def _drain(self) -> None:
        while self._pending():
            outcome = await run_in_threadpool(self._write_next_group)
            if outcome.results is not None:
                for waiting, result in zip(outcome.taken, outcome.results, strict=True):
                    _resolve(waiting, result=result)
            elif len(outcome.taken) == 1:
                _resolve(outcome.taken[0], error=outcome.error)
            else:
                await self._write_each(outcome.taken)

    def _write_next_group(self) -> _Outcome:
        """In a worker thread: wait for the gate, then take and write everything queued."""
        with self._write_gate() if self._write_gate else nullcontext():
            taken = self._take()
            try:
                return _Outcome(taken, results=self._write(item.item for item in taken))
            except Exception as exc:
                return _Outcome(taken, error=exc)

    def _write(self, items: Iterable[QueuedDecision]) -> list[RecordedDecision]:
        with self._unit_of_work() as session:
            return list(_record(session, list(items), self._policy))

    def _write_alone(self, item: QueuedDecision) -> list[RecordedDecision]:
        with self._write_gate() if self._write_gate else nullcontext():
            return self._write([item])

    async def _write_each(self, taken: list[_Waiting]) -> None:
        for waiting in taken:
            try:
                [result] = await run_in_threadpool(self._write_alone, waiting.item)
            except Exception as exc:
                _resolve(waiting, error=exc)
            else:
                _resolve(waiting, result=result)


def _resolve(
    waiting: _Waiting, *, result: RecordedDecision | None = None, error: Exception | None = None
) -> None:
    """Answer a waiting request unless its client has gone (its future is then cancelled)."""
    if waiting.future.done():
        return
    if error is not None:
        waiting.future.set_exception(error)
    elif result is not None:
        waiting.future.set_result(result)
