"""The bookkeeping of one run of a job (one worker, one lease): start the next task, record its
outcome, end the run. Each method works in the caller's transaction, which it locks the job in
(after the audit chain, see :func:`kojin.fulfilment.job_records.lock_job`); a run that finds
its lease gone raises :class:`LeaseLostError` and records nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import KojinError
from kojin.fulfilment.job_handlers import JobContext, TaskContext, TaskHandler, TaskResult
from kojin.fulfilment.job_records import (
    chain,
    describe_error,
    lock_job,
    open_payload,
    seal_payload,
    seal_result,
    task_details,
    view,
)
from kojin.fulfilment.job_schemas import JobKind, JobState, TaskState
from kojin.fulfilment.jobs import append_tasks
from kojin.fulfilment.models import FulfilmentJob, FulfilmentTask

log = logging.getLogger("kojin.fulfilment")

#: a task whose worker stopped this many times while running it fails the job (a task that
#: kills its worker, e.g. by exhausting its memory, must not loop for ever)
MAX_TASK_ATTEMPTS: Final = 5


class LeaseLostError(Exception):
    """The run no longer holds the job: another worker took it over."""


@dataclass(frozen=True, slots=True)
class Step:
    """A task started and committed: what its handler is called with."""

    job: JobContext
    task: TaskContext
    handler: TaskHandler


class RunSteps:
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
        row = lock_job(session, self.job_id)
        if row.lease_owner != self.owner:
            raise LeaseLostError
        return row

    def _end(self, row: FulfilmentJob, state: JobState) -> None:
        row.state = state.value
        row.lease_owner = row.lease_until = None
        row.updated_at = utcnow()
        if state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED):
            row.finished_at = row.updated_at
        if state in (JobState.DONE, JobState.CANCELLED):
            row.payload_enc = None  # working data (rows found, plans) ends with the job

    def next_step(self, session: Session) -> Step | None:
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
        return Step(job=job, task=context, handler=handler)

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

    def finish(self, session: Session, step: Step, outcome: TaskResult | BaseException) -> None:
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
        if outcome.result is not None and not cancelled:
            seal_result(self.cipher, row, outcome.result)
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
