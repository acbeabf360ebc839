"""The recorder: the one way decisions reach the registry from a server (the API, a worker).

:meth:`DecisionRecorder.record_batch` records a list of requests in one unit of work.
:meth:`DecisionRecorder.submit` is group commit for single decisions: concurrent callers in one
process share a transaction. Each one waits in a queue. One writer thread per process (and,
across the worker processes of a server, one at a time through :mod:`kojin.db.write_gate`) takes
everything queued so far, records it with :func:`kojin.registry.decisions.service.decide_batch`
in one unit of work (one batch per actor, in arrival order) and answers every waiting caller
only after the commit. A decision a client received is therefore in the chain, exactly as with
one transaction per request, but the database is locked and synced once per group instead of
once per decision.

A request that cannot succeed never joins the shared transaction: inside it, before anything is
written, :func:`kojin.registry.decisions.precheck.precheck` reads the subjects and datasets the
group names (one indexed query) and sets aside every request whose subject or dataset does not
exist or is not the caller's to ask about; those are answered with their error, the others are
recorded together. Should a shared transaction still fail (a subject erased between the check
and the write, a database error), it is rolled back and each request is retried alone, so every
caller gets its own answer or its own error.

There is no timer: an idle writer starts on the first decision at once, and a busy one takes the
next group the moment the previous commit has returned (and it holds the write gate again), so
a group is exactly what arrived while the previous one was being written. The writer is a
dedicated thread fed by the queue, not a task handed to a thread pool per group: the event loop
only appends to a list, and the writer wakes the loop once per group to deliver the answers.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from sqlalchemy.orm import Session

from kojin.db.uow import Database
from kojin.db.write_gate import write_gate_for
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.decisions.precheck import UNRESTRICTED, SubjectAccess, precheck
from kojin.registry.decisions.schemas import RecordedDecision
from kojin.registry.decisions.service import decide_batch
from kojin.registry.provisions.schemas import ProvisionDetails

#: the most decisions one shared transaction records
MAX_GROUP = 128
#: seconds an idle writer thread waits for a decision before it ends
IDLE_SECONDS = 30.0
#: seconds :meth:`DecisionRecorder.close` waits for the writer to finish its group
CLOSE_TIMEOUT = 10.0

UnitOfWork = Callable[[], AbstractContextManager[Session]]
#: taken around each shared transaction (see :mod:`kojin.db.write_gate`)
WriteGate = Callable[[], AbstractContextManager[None]]


@dataclass(frozen=True, slots=True)
class QueuedDecision:
    """One decision to record: the request, its provision details, who asked and which
    subjects the asker may ask about."""

    request: DecisionRequest
    provision: ProvisionDetails | None
    actor: str
    access: SubjectAccess = UNRESTRICTED


@dataclass(frozen=True, slots=True)
class _Waiting:
    item: QueuedDecision
    future: asyncio.Future[RecordedDecision]
    loop: asyncio.AbstractEventLoop


@dataclass(frozen=True, slots=True)
class _Answer:
    waiting: _Waiting
    result: RecordedDecision | None = None
    error: Exception | None = None


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


class DecisionRecorder:
    """One per process: records decisions, singly (group commit) or as a batch.

    The writer takes its group only once it holds the write gate, so decisions that arrive
    while another worker is writing join the next transaction instead of waiting for one more.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        policy: PolicyFacts,
        write_gate: WriteGate | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._write_gate = write_gate
        self._on_close = on_close
        self._policy = policy
        self._queue: list[_Waiting] = []
        self._wakeup = threading.Condition(threading.Lock())
        self._writer: threading.Thread | None = None
        self._closing = False

    @classmethod
    def for_database(
        cls, database: Database, *, policy: PolicyFacts, home: Path
    ) -> DecisionRecorder:
        """The recorder of a server process: its writes take turns with the other worker
        processes through the write gate of `database` (see :func:`write_gate_for`), which
        :meth:`close` releases."""
        gate = write_gate_for(database.engine.url, home=home)
        return cls(unit_of_work=database.uow, policy=policy, write_gate=gate, on_close=gate.close)

    def record_batch(self, items: Sequence[QueuedDecision]) -> list[RecordedDecision]:
        """Record `items` in one transaction, in order; returns once it has committed.

        All or nothing: the first request that cannot be recorded (see :func:`precheck`) is
        raised and nothing is written."""
        recorded = []
        for outcome in self._write(list(items), all_or_nothing=True):
            if isinstance(outcome, Exception):  # pragma: no cover - raised inside _write
                raise outcome
            recorded.append(outcome)
        return recorded

    async def submit(self, item: QueuedDecision) -> RecordedDecision:
        """Record `item` and return it once its transaction has committed."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(item=item, future=loop.create_future(), loop=loop)
        with self._wakeup:
            self._queue.append(waiting)
            if self._writer is None:
                self._start_writer()
            self._wakeup.notify()
        return await waiting.future

    @property
    def running(self) -> bool:
        """Whether a writer thread is running now."""
        with self._wakeup:
            return self._writer is not None

    def close(self) -> None:
        """Let the writer finish what is queued, then stop it (a later submit starts a new one).

        A recorder built by :meth:`for_database` also closes its write gate's file (a later
        write reopens it)."""
        with self._wakeup:
            writer, self._closing = self._writer, True
            self._wakeup.notify()
        if writer is not None:
            writer.join(CLOSE_TIMEOUT)
        if self._on_close is not None:
            self._on_close()

    def _start_writer(self) -> None:
        """Called with the queue lock held."""
        self._closing = False
        self._writer = threading.Thread(target=self._run, name="kojin-decision-writer", daemon=True)
        self._writer.start()

    def _run(self) -> None:
        """The writer thread: one group at a time until closed (or long idle) with an empty
        queue."""
        while True:
            with self._wakeup:
                while not self._queue and not self._closing:
                    if not self._wakeup.wait(IDLE_SECONDS) and not self._queue:
                        break  # idle for long: the next decision starts a new writer
                if not self._queue:
                    self._writer = None
                    return
            try:
                answers = self._write_next_group()
            except Exception as exc:  # the gate itself failed: nothing was taken or written
                answers = [_Answer(waiting, error=exc) for waiting in self._take()]
            _deliver(answers)

    def _take(self) -> list[_Waiting]:
        with self._wakeup:
            taken, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
        return taken

    def _write_next_group(self) -> list[_Answer]:
        """Wait for the gate, then take and write everything queued."""
        with self._gate():
            taken = self._take()
            try:
                outcomes = self._write([waiting.item for waiting in taken])
            except Exception as exc:
                if len(taken) == 1:
                    return [_Answer(taken[0], error=exc)]
            else:
                return [
                    _answer(waiting, outcome)
                    for waiting, outcome in zip(taken, outcomes, strict=True)
                ]
        return [self._write_alone(waiting) for waiting in taken]

    def _write_alone(self, waiting: _Waiting) -> _Answer:
        try:
            with self._gate():
                [outcome] = self._write([waiting.item])
        except Exception as exc:
            return _Answer(waiting, error=exc)
        return _answer(waiting, outcome)

    def _gate(self) -> AbstractContextManager[None]:
        return self._write_gate() if self._write_gate else nullcontext()

    def _write(
        self, items: list[QueuedDecision], *, all_or_nothing: bool = False
    ) -> list[RecordedDecision | Exception]:
        """One transaction: the precheck, then every request that passed it, recorded together.
        Each item's outcome is its recorded decision or the error it is answered with."""
        with self._unit_of_work() as session:
            refusals = precheck(
                session=session,
                requests=[(item.request, item.access) for item in items],
                policy=self._policy,
            )
            admitted = [
                item for item, refusal in zip(items, refusals, strict=True) if refusal is None
            ]
            if len(admitted) < len(items) and all_or_nothing:
                raise next(refusal for refusal in refusals if refusal is not None)
            recorded = iter(list(_record(session, admitted, self._policy)) if admitted else [])
            return [next(recorded) if refusal is None else refusal for refusal in refusals]


def _answer(waiting: _Waiting, outcome: RecordedDecision | Exception) -> _Answer:
    if isinstance(outcome, Exception):
        return _Answer(waiting, error=outcome)
    return _Answer(waiting, result=outcome)


def _deliver(answers: list[_Answer]) -> None:
    """Hand the answers to the event loops their requests wait on: one wake-up per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Answer]] = {}
    for answer in answers:
        by_loop.setdefault(answer.waiting.loop, []).append(answer)
    for loop, batch in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve_all, batch)
        except RuntimeError:  # the loop has closed: nobody is waiting for these answers
            continue


def _resolve_all(answers: list[_Answer]) -> None:
    """In the event loop: answer each waiting request unless its client has gone."""
    for answer in answers:
        future = answer.waiting.future
        if future.done():  # cancelled: the client disconnected
            continue
        if answer.error is not None:
            future.set_exception(answer.error)
        elif answer.result is not None:
            future.set_result(answer.result)
