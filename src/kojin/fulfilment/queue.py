"""Queues hand fulfilment jobs to workers.

:class:`LocalQueue` works on any registry (the embedded SQLite default included): the
``fulfilment_jobs`` table is the queue. A worker picks the oldest queued job, or a running one
whose lease ran out (its worker stopped), and claims it under a row lock
(:func:`kojin.fulfilment.job_lease.claim_job`). It serves the server's in-process worker and
``kojin worker`` on the same machine.

:class:`~kojin.fulfilment.job_procrastinate.ProcrastinateQueue` is for a PostgreSQL registry
shared by any number of ``kojin worker`` processes on any number of machines: each run of a
job is a job of the `procrastinate <https://procrastinate.readthedocs.io>`_ library in its own
tables of the same database. :func:`queue_for` picks one by the registry's URL.

Whichever queue hands a job over, the lease decides who runs it: two workers never run a job
at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.engine import make_url

from kojin.db.base import utcnow
from kojin.errors import KojinError
from kojin.fulfilment.job_lease import LEASE_SECONDS, JobLeaseHeldError
from kojin.fulfilment.jobs import runnable_job_ids
from kojin.fulfilment.runner import JobRunner
from kojin.settings import Settings

if TYPE_CHECKING:
    from kojin.fulfilment.job_procrastinate import ProcrastinateQueue

log = logging.getLogger("kojin.fulfilment")

#: seconds between looks at the registry for queued jobs when nothing woke the worker
POLL_INTERVAL = 2.0
#: seconds after which a worker that gave no sign of life has its jobs run by another (the
#: lease length of its runs)
STALLED_AFTER = LEASE_SECONDS


class JobQueue(Protocol):
    """Hands queued jobs to workers."""

    def enqueue(self, job_id: str) -> None:
        """Ask a worker to run the job (call after the transaction that queued it commits)."""

    def run_worker(self, *, runner: JobRunner, stop: threading.Event, concurrency: int = 1) -> int:
        """Run jobs as they come until `stop` is set; returns how many runs were made."""

    def run_once(self, *, runner: JobRunner, stop: threading.Event | None = None) -> int:
        """Run the jobs waiting now, then return how many runs were made."""

    def close(self) -> None:
        """Release connections the queue holds."""


def worker_name() -> str:
    """This process as the chain names a worker: ``<host>:<pid>`` (no user, no address)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LocalQueue:
    """The ``fulfilment_jobs`` table as the queue; :meth:`enqueue` wakes this process's
    workers, other processes find the job at their next look (every `poll_interval` s)."""

    def __init__(self, *, poll_interval: float = POLL_INTERVAL) -> None:
        self.poll_interval = poll_interval
        self._wake = threading.Event()

    def enqueue(self, job_id: str) -> None:
        self._wake.set()

    def close(self) -> None:
        return None

    def run_once(
        self,
        *,
        runner: JobRunner,
        stop: threading.Event | None = None,
        worker: str | None = None,
    ) -> int:
        """Run every job that is runnable now (each at most once per call), oldest first."""
        name = worker or worker_name()
        tried: set[str] = set()
        runs = 0
        while stop is None or not stop.is_set():
            with runner.read() as session:
                ids = runnable_job_ids(session=session, now=utcnow())
            fresh = [job_id for job_id in ids if job_id not in tried]
            if not fresh:
                return runs
            for job_id in fresh:
                if stop is not None and stop.is_set():
                    break
                tried.add(job_id)
                runs += _run_logged(runner, job_id, worker=name, stop=stop)
        return runs

    def run_worker(self, *, runner: JobRunner, stop: threading.Event, concurrency: int = 1) -> int:
        """Run jobs with `concurrency` threads until `stop` is set."""
        base = worker_name()
        counts = [0] * max(concurrency, 1)

        def loop(index: int) -> None:
            name = base if len(counts) == 1 else f"{base}/{index + 1}"
            while not stop.is_set():
                try:
                    counts[index] += self.run_once(runner=runner, stop=stop, worker=name)
                except Exception as exc:  # the registry may be away: look again later
                    log.error("fulfilment worker: %s", _describe(exc))
                self._sleep(stop)

        threads = [
            threading.Thread(target=loop, args=(i,), name=f"kojin-jobs-{i + 1}", daemon=True)
            for i in range(len(counts))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(counts)

    def _sleep(self, stop: threading.Event) -> None:
        """Wait up to `poll_interval` seconds, less when woken or stopped."""
        waited = 0.0
        while waited < self.poll_interval and not stop.is_set():
            if self._wake.wait(0.1):
                self._wake.clear()
                return
            waited += 0.1


def _describe(exc: BaseException) -> str:
    return exc.message if isinstance(exc, KojinError) else type(exc).__name__


def _run_logged(
    runner: JobRunner, job_id: str, *, worker: str, stop: threading.Event | None
) -> int:
    """Run the job; 1 when this worker ran it, 0 when another holds it or it failed to run."""
    try:
        runner.run(job_id, worker_id=worker, stop=stop)
    except JobLeaseHeldError:
        return 0
    except Exception as exc:  # the registry may be away: the lease was given up
        log.error("job %s: the run stopped: %s", job_id, _describe(exc))
        return 0
    return 1


def queue_for(
    settings: Settings,
    *,
    stalled_after: float = STALLED_AFTER,
    poll_interval: float | None = None,
) -> JobQueue:
    """The queue for the registry of `settings`: procrastinate's on PostgreSQL, the local one
    elsewhere. `stalled_after` is how long a procrastinate worker may miss heartbeats before
    its job is handed to another."""
    url = make_url(settings.resolved_database_url())
    if url.get_backend_name() == "postgresql":
        return procrastinate_queue(
            url.render_as_string(hide_password=False),
            stalled_after=stalled_after,
            poll_interval=poll_interval,
        )
    return LocalQueue(poll_interval=poll_interval or POLL_INTERVAL)


def procrastinate_queue(
    url: str, *, stalled_after: float = STALLED_AFTER, poll_interval: float | None = None
) -> ProcrastinateQueue:
    """A :class:`~kojin.fulfilment.job_procrastinate.ProcrastinateQueue` on the PostgreSQL
    registry at the SQLAlchemy `url` (procrastinate is imported only now)."""
    from kojin.fulfilment.job_procrastinate import ProcrastinateQueue, libpq_url

    return ProcrastinateQueue(
        conninfo=libpq_url(url), stalled_after=stalled_after, poll_interval=poll_interval
    )
