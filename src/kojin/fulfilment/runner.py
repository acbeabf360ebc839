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
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.errors import ConfigurationError
from kojin.fulfilment.job_handlers import JobContext, TaskContext, TaskHandler, TaskResult
from kojin.fulfilment.job_lease import (
    LEASE_SECONDS,
    LeaseKeeper,
    SessionFactory,
    claim_job,
    give_up_lease,
)
from kojin.fulfilment.job_records import load_job, new_id, view
from kojin.fulfilment.job_schemas import JobOut
from kojin.fulfilment.job_steps import MAX_TASK_ATTEMPTS, LeaseLostError, RunSteps, Step

__all__ = [
    "MAX_TASK_ATTEMPTS",
    "JobContext",
    "JobRunner",
    "TaskContext",
    "TaskHandler",
    "TaskResult",
    "run_job",
]

log = logging.getLogger("kojin.fulfilment")

#: what a stage name looks like (as :class:`~kojin.fulfilment.job_schemas.TaskSpec` checks it)
_STAGE: Final = re.compile(r"[a-z][a-z0-9_]{0,29}")


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
    run = RunSteps(cipher, handlers, job_id, worker_id, owner, stopping)
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
    except LeaseLostError:
        log.warning("job %s: taken over by another worker; this run stops", job_id)
        with session_factory() as session:
            return view(session, load_job(session, job_id))
    except BaseException:
        _give_up(session_factory, job_id, owner)
        raise


def _call(step: Step) -> TaskResult | BaseException:
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


@dataclass(frozen=True, slots=True)
class JobRunner:
    """What a worker needs to run jobs: the registry, the cipher and the handlers by stage."""

    session_factory: SessionFactory
    cipher: FieldCipher
    handlers: Mapping[str, TaskHandler]
    lease_seconds: float = LEASE_SECONDS
    #: read-only transactions, for the queues' looks at the job table (on SQLite they do not
    #: take the write lock); the write factory when not given
    reader: SessionFactory | None = None

    def read(self) -> AbstractContextManager[Session]:
        """A read-only transaction when the runner has a reader, else a write transaction."""
        return (self.reader or self.session_factory)()

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
