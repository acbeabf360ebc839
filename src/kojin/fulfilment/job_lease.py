"""Leases: which worker run holds a running job, and until when.

A run claims a job under a row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write
transactions are serialized already) when the job is queued, or running under a lease that ran
out (its worker stopped). While it runs, a :class:`LeaseKeeper` thread renews the lease; every
change the run records afterwards checks that it still holds it. So two workers never run a
job at once, whichever queue handed it to them, and a job whose worker was killed is taken over
by the next worker once the lease has run out.

Lease times come from the clock of each worker's machine: machines that share a registry keep
their clocks synchronized (NTP), well within the lease length.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from kojin.db.base import utcnow
from kojin.errors import ConflictError, KojinError
from kojin.fulfilment.job_records import chain, lock_job, worker_of
from kojin.fulfilment.job_schemas import JobState
from kojin.fulfilment.models import FulfilmentJob

log = logging.getLogger("kojin.fulfilment")

#: a write transaction: committed when the block ends normally (``Database.uow``)
SessionFactory = Callable[[], AbstractContextManager[Session]]

#: seconds a claim lasts unless renewed (a stopped worker's job waits this long at most)
LEASE_SECONDS = 30.0


class JobLeaseHeldError(ConflictError):
    """Another worker holds the job under a lease that has not run out; try again after
    `retry_in` seconds (by then it has either been renewed or expired)."""

    def __init__(self, *, worker: str, retry_in: float) -> None:
        super().__init__(f"the fulfilment job is held by the worker {worker}")
        self.worker = worker
        self.retry_in = retry_in


def claim_job(
    *,
    session: Session,
    job_id: str,
    owner: str,
    lease_seconds: float,
    now: datetime | None = None,
) -> FulfilmentJob | None:
    """Take the job for the run `owner` and chain ``fulfilment.job_started``; None when it has
    nothing to run (waiting for approval or ended). JobLeaseHeldError when another run holds it."""
    moment = now or utcnow()
    row = lock_job(session, job_id)
    state = JobState(row.state)
    if state not in (JobState.QUEUED, JobState.RUNNING):
        return None
    previous = row.lease_owner
    if state is JobState.RUNNING and previous is not None:
        until = row.lease_until
        if until is not None and until > moment:
            raise JobLeaseHeldError(
                worker=worker_of(previous) or "", retry_in=(until - moment).total_seconds()
            )
    row.state = JobState.RUNNING.value
    row.lease_owner = owner
    row.lease_until = moment + timedelta(seconds=lease_seconds)
    row.updated_at = moment
    chain(
        session,
        row,
        actor=f"worker:{worker_of(owner)}",
        action="job_started",
        now=moment,
        details={
            "from_state": state.value,
            "worker": worker_of(owner),
            # the run that stopped without finishing (its lease ran out)
            "taken_over_from": worker_of(previous),
        },
    )
    return row


def renew_lease(*, session: Session, job_id: str, owner: str, lease_seconds: float) -> bool:
    """Extend the lease of `owner` on the job; False when it no longer holds it."""
    statement = (
        update(FulfilmentJob)
        .where(FulfilmentJob.id == job_id, FulfilmentJob.lease_owner == owner)
        .values(lease_until=utcnow() + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[object], session.execute(statement))
    return result.rowcount == 1


def give_up_lease(*, session: Session, job_id: str, owner: str) -> None:
    """Let the lease of `owner` run out now, so the next worker may take the job at once
    (after a failure of the registry itself, when the run cannot record more)."""
    session.execute(
        update(FulfilmentJob)
        .where(FulfilmentJob.id == job_id, FulfilmentJob.lease_owner == owner)
        .values(lease_until=utcnow())
        .execution_options(synchronize_session=False)
    )


class LeaseKeeper:
    """A daemon thread renewing a run's lease every third of its length until stopped.

    A renewal that finds the lease gone sets :attr:`lost` (the run then records nothing more);
    one that fails on the database is logged and tried again at the next beat.
    """

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        job_id: str,
        owner: str,
        lease_seconds: float,
    ) -> None:
        self._session_factory = session_factory
        self._job_id = job_id
        self._owner = owner
        self._lease_seconds = lease_seconds
        self._stopping = threading.Event()
        self.lost = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kojin-job-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        interval = self._lease_seconds / 3
        while not self._stopping.wait(interval):
            try:
                with self._session_factory() as session:
                    held = renew_lease(
                        session=session,
                        job_id=self._job_id,
                        owner=self._owner,
                        lease_seconds=self._lease_seconds,
                    )
            except KojinError as exc:
                log.warning("job %s: lease renewal failed: %s", self._job_id, exc.message)
                continue
            except Exception as exc:  # the database may be away for a moment
                log.warning("job %s: lease renewal failed: %s", self._job_id, type(exc).__name__)
                continue
            if not held:
                log.warning("job %s: lease lost to another worker", self._job_id)
                self.lost.set()
                return
