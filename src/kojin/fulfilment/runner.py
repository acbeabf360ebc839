"""Run a job's tasks in order, each by the handler of its stage, recording every step.

The handlers do the work (locate rows, apply a plan to a store): their effects happen in the
company's stores, outside kojin's transactions, so each handler makes its effects idempotent
(a guarded update, a delete by key). The runner keeps the bookkeeping exact around them:

1. before a task: the task is ``running`` with one more attempt, chained
   (``fulfilment.task_started``), committed;
2. the handler runs;
3. after it: the task is ``done`` with its counts, the handler's new working data and tasks
   are kept, and ``fulfilment.task_done`` is chained, in one transaction.

A worker that dies between 1 and 3 leaves the task ``running``; the next worker to take the job
(once the lease has run out) runs it again, and the chain shows the second attempt. A handler
that raises fails the task and the job, with the exception's class and kojin's message only.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConfigurationError, KojinError
from kojin.fulfilment.job_lease import (
    LEASE_SECONDS,
    LeaseKeeper,
    SessionFactory,
    claim_job,
    give_up_lease,
)
from kojin.fulfilment.job_records import (
    chain,
    describe_error,
    load_job,
    new_id,
    open_payload,
    seal_payload,
    task_details,
    view,
)
from kojin.fulfilment.job_schemas import JobKind, JobOut, JobState, TaskSpec, TaskState
from kojin.fulfilment.jobs import append_tasks
from kojin.fulfilment.models import FulfilmentJob, FulfilmentTask

log = logging.getLogger("kojin.fulfilment")

#: a task whose worker stopped this many times while running it fails the job (a task that
#: kills its worker, e.g. by exhausting its memory, must not loop for ever)
MAX_TASK_ATTEMPTS: Final = 5
#: what a stage name looks like (as :class:`~kojin.fulfilment.job_schemas.TaskSpec` checks it)
_STAGE: Final = re.compile(r"[a-z][a-z0-9_]{0,29}")


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler knows of the job it works for."""

    job_id: str
    request_id: str
    kind: JobKind
    #: the handlers' working data as the earlier tasks left it (decrypted)
    payload: bytes | None
    #: who approved the gated stage (None before, or without a gate)
    approved_by: str | None
    #: the worker running the job
    worker: str
    #: whether the worker is asked to stop: a long handler may end early and be run again
    stopping: Callable[[], bool] = field(default=lambda: False)


@dataclass(frozen=True, slots=True)
class TaskContext:
    """The task a handler runs."""

    task_id: str
    seq: int
    stage: str
    #: what the task works on, e.g. ``shop_db.orders``
    name: str
    #: 1 on the first run; more when an earlier worker stopped during the task
    attempt: int


@dataclass(frozen=True, slots=True)
class TaskResult:
    """What a handler did and what comes next."""

    rows_planned: int = 0
    rows_written: int = 0
    #: the job's new working data (None: unchanged)
    payload: bytes | None = None
    #: tasks to run after the job's current ones (e.g. one apply task per collection found)
    new_tasks: Sequence[TaskSpec] = ()
    #: a stage whose tasks wait for a person's approval before they run (e.g. ``apply``
    #: after a preview); the tasks before it go on
    approval_stage: str | None = None


class TaskHandler(Protocol):
    """Runs one task of a stage; raises to fail it (kojin's messages name no personal value)."""

    def __call__(self, *, job: JobContext, task: TaskContext) -> TaskResult: ...


class _LeaseLostError(Exception):
    """The run no longer holds the job: another worker took it over."""


@dataclass(frozen=True, slots=True)
class _Step:
    job: JobContext
    task: TaskContext
    handler: TaskHandler


def run_job(
    *,
    session_factory: SessionFactory,
    cipher: FieldCipher,
    handlers: Mapping[str, TaskHandler],
    job_id: str,
    worker_id: str,
    progress: Callable[[JobOut], None] | None = None,
    stop: threading.Event | None = None,
    lease_seconds: float = LEASE_SECONDS,
) -> JobOut:
    """Run the job's remaining tasks in seq order with `handlers` (by stage) and return the job.

    Returns without running anything when the job waits for approval or has ended; raises
    :class:`~kojin.fulfilment.job_lease.JobLeaseHeldError` when another worker holds it. Stops
    before a task when the job waits for approval or was cancelled, and when `stop` is set
    (the job is queued again for any worker). `progress` sees the job after every step.
    """
    owner = f"{worker_id}#{new_id()[:8]}"
    stopping = stop.is_set if stop is not None else (lambda: False)
    with session_factory() as session:
        row = claim_job(session=session, job_id=job_id, owner=owner, lease_seconds=lease_seconds)
        shown = view(session, row if row is not None else load_job(session, job_id))
    _report(progress, shown)
    if row is None:
        return shown
    run = _Run(cipher, handlers, job_id, worker_id, owner, stopping)
    try:
        with LeaseKeeper(
            session_factory=session_factory,
            job_id=job_id,
            owner=owner,
            lease_seconds=lease_seconds,
        ):
            while True:
                with session_factory() as session:
                    step = run.next_step(session)
                    shown = view(session, load_job(session, job_id))
                _report(progress, shown)
                if step is None:
                    log.info("job %s: %s", job_id, shown.state.value)
                    return shown
                with session_factory() as session:
                    run.finish(session, step, _call(step))
                    shown = view(session, load_job(session, job_id))
                _report(progress, shown)
    except _LeaseLostError:
        log.warning("job %s: taken over by another worker; this run stops", job_id)
        with session_factory() as session:
            return view(session, load_job(session, job_id))
    except BaseException:
        _give_up(session_factory, job_id, owner)
        raise


def _call(step: _Step) -> TaskResult | BaseException:
    """The handler's result, or the exception it raised (an Exception, not an interrupt)."""
    try:
        result = step.handler(job=step.job, task=step.task)
    except Exception as exc:
        return exc
    if result.rows_planned < 0 or result.rows_written < 0:
        return ConfigurationError(f"the handler of the stage {step.task.stage} counted < 0")
    if result.approval_stage is not None and not _STAGE.fullmatch(result.approval_stage):
        return ConfigurationError(f"the handler of the stage {step.task.stage} named a bad stage")
    return result


def _report(progress: Callable[[JobOut], None] | None, job: JobOut) -> None:
    if progress is None:
        return
    try:
        progress(job)
    except Exception as exc:  # a display must not stop the job
        log.warning("job %s: progress display failed: %s", job.id, type(exc).__name__)


def _give_up(session_factory: SessionFactory, job_id: str, owner: str) -> None:
    try:
        with session_factory() as session:
            give_up_lease(session=session, job_id=job_id, owner=owner)
    except Exception as exc:  # the registry is away: the lease runs out on its own
        log.warning("job %s: could not give up the lease: %s", job_id, type(exc).__name__)


class _Run:
    """The bookkeeping of one run of a job (one worker, one lease)."""

    def __init__(
        self,
        cipher: FieldCipher,
        handlers: Mapping[str, TaskHandler],
        job_id: str,
        worker_id: str,
        owner: str,
        stopping: Callable[[], bool],
    ) -> None:
        self.cipher = cipher
        self.handlers = handlers
        self.job_id = job_id
        self.worker_id = worker_id
        self.owner = owner
        self.actor = f"worker:{worker_id}"
        self.stopping = stopping

    def _held(self, session: Session) -> FulfilmentJob:
        row = load_job(session, self.job_id, for_update=True)
        if row.lease_owner != self.owner:
            raise _LeaseLostError
        return row

    def _end(self, row: FulfilmentJob, state: JobState) -> None:
        row.state = state.value
        row.lease_owner = row.lease_until = None
        row.updated_at = utcnow()
        if state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED):
            row.finished_at = row.updated_at
        if state in (JobState.DONE, JobState.CANCELLED):
            row.payload_enc = None  # working data (rows found, plans) ends with the job

    def next_step(self, session: Session) -> _Step | None:
        """Start the next task (committed by the caller), or end the run: None."""
        row = self._held(session)
        moment = utcnow()
        if row.state == JobState.CANCELLED:
            self._end(row, JobState.CANCELLED)
            return None
        if self.stopping():
            self._end(row, JobState.QUEUED)
            chain(session, row, actor=self.actor, action="job_released", now=moment)
            return None
        task = session.execute(
            select(FulfilmentTask)
            .where(FulfilmentTask.job_id == row.id, FulfilmentTask.state != TaskState.DONE.value)
            .order_by(FulfilmentTask.seq)
            .limit(1)
        ).scalar_one_or_none()
        if task is None:
            self._done(session, row)
            return None
        row.stage = task.stage
        if row.approval_stage == task.stage and row.approved_at is None:
            self._end(row, JobState.AWAITING_APPROVAL)
            chain(
                session,
                row,
                actor=self.actor,
                action="job_awaiting_approval",
                now=moment,
                details={"stage": task.stage},
            )
            return None
        handler = self.handlers.get(task.stage)
        if task.state == TaskState.RUNNING and task.attempts >= MAX_TASK_ATTEMPTS:
            self._fail(
                session,
                row,
                task,
                f"the worker stopped {task.attempts} times during this task",
            )
            return None
        if handler is None:
            self._fail(
                session, row, task, f"ConfigurationError: no handler for the stage {task.stage}"
            )
            return None
        task.state = TaskState.RUNNING.value
        task.attempts += 1
        task.started_at = moment
        task.finished_at = None
        row.updated_at = moment
        chain(
            session,
            row,
            actor=self.actor,
            action="task_started",
            now=moment,
            details=task_details(task),
        )
        job = JobContext(
            job_id=row.id,
            request_id=row.request_id,
            kind=JobKind(row.kind),
            payload=open_payload(self.cipher, row),
            approved_by=row.approved_by,
            worker=self.worker_id,
            stopping=self.stopping,
        )
        context = TaskContext(
            task_id=task.id, seq=task.seq, stage=task.stage, name=task.name, attempt=task.attempts
        )
        return _Step(job=job, task=context, handler=handler)

    def _done(self, session: Session, row: FulfilmentJob) -> None:
        self._end(row, JobState.DONE)
        shown = view(session, row)
        chain(
            session,
            row,
            actor=self.actor,
            action="job_done",
            now=utcnow(),
            details={
                "tasks": shown.tasks_total,
                "rows_planned": shown.rows_planned,
                "rows_written": shown.rows_written,
                "payload_cleared": True,
            },
        )

    def _fail(self, session: Session, row: FulfilmentJob, task: FulfilmentTask, error: str) -> None:
        moment = utcnow()
        task.state = TaskState.FAILED.value
        task.error = error
        task.finished_at = moment
        chain(
            session,
            row,
            actor=self.actor,
            action="task_failed",
            now=moment,
            details={**task_details(task), "error": error},
        )
        if row.state == JobState.CANCELLED:
            self._end(row, JobState.CANCELLED)
            return
        self._end(row, JobState.FAILED)
        row.error = error
        chain(
            session,
            row,
            actor=self.actor,
            action="job_failed",
            now=moment,
            details={"task_id": task.id, "error": error},
        )
        log.warning("job %s: task %d failed: %s", row.id, task.seq, error)

    def finish(self, session: Session, step: _Step, outcome: TaskResult | BaseException) -> None:
        """Record the handler's outcome: the task done (or failed) and chained."""
        row = self._held(session)
        task = session.get(FulfilmentTask, step.task.task_id)
        if task is None:  # pragma: no cover - tasks are never deleted
            raise KojinError("a fulfilment task disappeared while it ran")
        if isinstance(outcome, BaseException):
            self._fail(session, row, task, describe_error(outcome))
            return
        moment = utcnow()
        task.state = TaskState.DONE.value
        task.rows_planned = outcome.rows_planned
        task.rows_written = outcome.rows_written
        task.finished_at = moment
        task.error = None
        row.updated_at = moment
        cancelled = row.state == JobState.CANCELLED
        if outcome.payload is not None and not cancelled:
            seal_payload(self.cipher, row, outcome.payload)
        added = append_tasks(session, row, outcome.new_tasks) if outcome.new_tasks else []
        gate = outcome.approval_stage
        if gate is not None and gate != row.approval_stage:
            row.approval_stage = gate
            row.approved_by = row.approved_at = None
        chain(
            session,
            row,
            actor=self.actor,
            action="task_done",
            now=moment,
            details={
                **task_details(task),
                "rows_planned": task.rows_planned,
                "rows_written": task.rows_written,
                "tasks_added": len(added),
                "approval_stage": row.approval_stage,
            },
        )


@dataclass(frozen=True, slots=True)
class JobRunner:
    """What a worker needs to run jobs: the registry, the cipher and the handlers by stage."""

    session_factory: SessionFactory
    cipher: FieldCipher
    handlers: Mapping[str, TaskHandler]
    lease_seconds: float = LEASE_SECONDS

    def run(
        self,
        job_id: str,
        *,
        worker_id: str,
        stop: threading.Event | None = None,
        progress: Callable[[JobOut], None] | None = None,
    ) -> JobOut:
        """:func:`run_job` with this runner's registry, cipher, handlers and lease length."""
        return run_job(
            session_factory=self.session_factory,
            cipher=self.cipher,
            handlers=self.handlers,
            job_id=job_id,
            worker_id=worker_id,
            progress=progress,
            stop=stop,
            lease_seconds=self.lease_seconds,
        )
