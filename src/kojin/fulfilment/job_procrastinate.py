"""The queue of a PostgreSQL registry: procrastinate jobs shared by ``kojin worker`` processes.

Each run of a fulfilment job is one procrastinate job of the task :data:`TASK_NAME` (argument:
the kojin job id) on the queue :data:`QUEUE_NAME`, deferred with the kojin job id as its
``lock`` (procrastinate never runs two of them at once) and ``queueing_lock`` (at most one
waits). Procrastinate keeps its queue in its own tables of the registry's database and
schema; :meth:`ProcrastinateQueue.ensure_schema` creates them when they are missing (under an
advisory lock, so workers starting together create them once).

Workers heart-beat every third of `stalled_after`; a worker that stops (killed, its machine
gone) leaves its job ``doing``: every worker, when it starts and every half of
`stalled_after` afterwards, hands such jobs back to the queue (``get_stalled_jobs`` and
``retry_job``), and defers again any kojin job left queued or abandoned without a
procrastinate job (a server that stopped between its commit and the deferral). The kojin
job's lease still decides who runs it: a run that finds the lease held is retried once it
has run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

import psycopg
from sqlalchemy.engine import make_url

from kojin.db.base import utcnow
from kojin.fulfilment.job_lease import JobLeaseHeldError
from kojin.fulfilment.job_schemas import JobState
from kojin.fulfilment.jobs import runnable_job_ids
from kojin.fulfilment.queue import STALLED_AFTER, worker_name
from kojin.fulfilment.runner import JobRunner

if TYPE_CHECKING:
    import procrastinate
    from procrastinate.jobs import Job

log = logging.getLogger("kojin.fulfilment")

#: the procrastinate task that runs one kojin fulfilment job
TASK_NAME: Final = "kojin.fulfilment.run"
#: the procrastinate queue of fulfilment jobs
QUEUE_NAME: Final = "kojin_fulfilment"
#: advisory-lock key serializing the creation of procrastinate's tables ("kojinprq")
SCHEMA_LOCK_KEY: Final = int.from_bytes(b"kojinprq", "big") & 0x7FFF_FFFF_FFFF_FFFF
#: the kojin jobs that have a procrastinate job waiting or running (their ``lock``)
_ACTIVE_LOCKS: Final = (
    "SELECT lock FROM procrastinate_jobs"
    " WHERE queue_name = %(queue)s AND status IN ('todo', 'doing')"
)
#: seconds between a worker's looks for new jobs when no notification arrived
POLL_INTERVAL: Final = 5.0


def libpq_url(url: str) -> str:
    """A libpq connection URI for the SQLAlchemy PostgreSQL `url` (query options such as
    ``options=-csearch_path=…`` kept)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class RunLater(Exception):  # noqa: N818 - a signal to procrastinate's retry, not an error
    """Procrastinate runs the job again after `seconds` (the lease is held, or this worker
    stopped between two tasks)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"run again in {seconds:.0f} s")
        self.seconds = seconds


def _retry_strategy() -> procrastinate.BaseRetryStrategy:
    from procrastinate import BaseRetryStrategy, RetryDecision

    class RetryWhenAsked(BaseRetryStrategy):
        """Retry on :class:`RunLater` only; other failures wait for the sweep."""

        def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
            if isinstance(exception, RunLater):
                return RetryDecision(retry_in={"seconds": math.ceil(exception.seconds)})
            return None

    return RetryWhenAsked()


class ProcrastinateQueue:
    """Fulfilment jobs on procrastinate, for a PostgreSQL registry shared by many workers."""

    def __init__(
        self,
        *,
        conninfo: str,
        stalled_after: float = STALLED_AFTER,
        poll_interval: float | None = None,
    ) -> None:
        self._conninfo = conninfo
        self.stalled_after = stalled_after
        self.poll_interval = poll_interval or POLL_INTERVAL
        self._guard = threading.Lock()
        self._schema_ready = False
        self._deferrer: procrastinate.App | None = None

    def ensure_schema(self) -> None:
        """Create procrastinate's tables in the registry's schema when they are missing."""
        if self._schema_ready:
            return
        from procrastinate.schema import SchemaManager

        with psycopg.connect(self._conninfo) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
            found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if found is None or found[0] is None:
                conn.execute(SchemaManager.get_schema())
                log.info("created procrastinate's tables for the fulfilment queue")
        self._schema_ready = True

    def _sync_app(self) -> procrastinate.App:
        with self._guard:
            if self._deferrer is None:
                from procrastinate import App, SyncPsycopgConnector

                self.ensure_schema()
                app = App(
                    connector=SyncPsycopgConnector(conninfo=self._conninfo, min_size=1, max_size=2)
                )
                app.open()
                self._deferrer = app
            return self._deferrer

    def enqueue(self, job_id: str) -> None:
        """Defer a procrastinate job for the kojin job (nothing when one is waiting already)."""
        from procrastinate.exceptions import AlreadyEnqueued

        deferrer = self._sync_app().configure_task(TASK_NAME, **_options(job_id))
        with contextlib.suppress(AlreadyEnqueued):
            deferrer.defer(job_id=job_id)

    def close(self) -> None:
        with self._guard:
            if self._deferrer is not None:
                self._deferrer.close()
                self._deferrer = None

    def run_once(self, *, runner: JobRunner, stop: threading.Event | None = None) -> int:
        """Hand back stalled and lost jobs, run every job waiting now, then return."""
        return asyncio.run(self._serve(runner, stop or threading.Event(), 1, wait=False))

    def run_worker(self, *, runner: JobRunner, stop: threading.Event, concurrency: int = 1) -> int:
        """Run a procrastinate worker (with `concurrency` jobs at once) until `stop` is set."""
        return asyncio.run(self._serve(runner, stop, max(concurrency, 1), wait=True))

    async def _serve(
        self, runner: JobRunner, stop: threading.Event, concurrency: int, *, wait: bool
    ) -> int:
        from procrastinate import App, PsycopgConnector

        await asyncio.to_thread(self.ensure_schema)
        name = worker_name()
        runs = [0]

        def run(job_id: str) -> None:
            runs[0] += 1
            try:
                job = runner.run(job_id, worker_id=name, stop=stop)
            except JobLeaseHeldError as held:
                raise RunLater(held.retry_in + 0.5) from None
            if job.state is JobState.QUEUED and stop.is_set():
                raise RunLater(0)  # this worker stops between two tasks: another goes on

        app = App(
            connector=PsycopgConnector(
                conninfo=self._conninfo, min_size=1, max_size=concurrency + 3
            )
        )
        app.task(name=TASK_NAME, queue=QUEUE_NAME, retry=_retry_strategy())(run)
        async with app.open_async():
            await self._recover(app, runner)
            worker = asyncio.create_task(
                app.run_worker_async(
                    queues=[QUEUE_NAME],
                    name=name,
                    concurrency=concurrency,
                    wait=wait,
                    install_signal_handlers=False,
                    update_heartbeat_interval=self.stalled_after / 3,
                    stalled_worker_timeout=self.stalled_after,
                    fetch_job_polling_interval=self.poll_interval,
                    delete_jobs="successful",
                )
            )
            await self._watch(app, runner, worker, stop)
        return runs[0]

    async def _watch(
        self,
        app: procrastinate.App,
        runner: JobRunner,
        worker: asyncio.Task[None],
        stop: threading.Event,
    ) -> None:
        """Until the worker ends: stop it when asked; hand back stalled jobs meanwhile."""
        loop = asyncio.get_running_loop()
        sweep_at = loop.time() + self.stalled_after / 2
        while not worker.done():
            if stop.is_set():
                worker.cancel()  # procrastinate then stops fetching and waits for its jobs
                break
            await asyncio.wait({worker}, timeout=0.2)
            if loop.time() >= sweep_at and not worker.done():
                try:
                    await self._recover(app, runner)
                except Exception as exc:  # the database may be away for a moment
                    log.error("fulfilment queue: the sweep failed: %s", type(exc).__name__)
                sweep_at = loop.time() + self.stalled_after / 2
        try:
            await worker
        except asyncio.CancelledError:
            if not stop.is_set():
                raise

    async def _recover(self, app: procrastinate.App, runner: JobRunner) -> None:
        """Hand back the jobs of stalled workers; defer kojin jobs that have no job waiting."""
        from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
        from procrastinate.jobs import Status

        manager = app.job_manager
        stalled = await manager.get_stalled_jobs(
            seconds_since_heartbeat=self.stalled_after, task_name=TASK_NAME
        )
        for job in stalled:
            assert job.id is not None
            log.warning("fulfilment queue: job %s of a stalled worker handed back", job.id)
            try:
                await manager.retry_job(job)
            except ConnectorException:  # another run of that kojin job waits already
                await manager.finish_job_by_id_async(
                    job_id=job.id, status=Status.FAILED, delete_job=False
                )
        active = await app.connector.execute_query_all_async(_ACTIVE_LOCKS, queue=QUEUE_NAME)
        waiting = {row["lock"] for row in active}
        lost = await asyncio.to_thread(self._lost_jobs, runner)
        for job_id in lost:
            if job_id in waiting:
                continue
            with contextlib.suppress(AlreadyEnqueued):
                await app.configure_task(TASK_NAME, **_options(job_id)).defer_async(job_id=job_id)

    def _lost_jobs(self, runner: JobRunner) -> list[str]:
        """Kojin jobs queued for longer than `stalled_after`, or abandoned by their worker."""
        now = utcnow()
        with runner.read() as session:
            return runnable_job_ids(
                session=session,
                now=now,
                limit=100,
                queued_before=now - timedelta(seconds=self.stalled_after),
            )


def _options(job_id: str) -> dict[str, Any]:
    return {"queue": QUEUE_NAME, "lock": job_id, "queueing_lock": job_id}
