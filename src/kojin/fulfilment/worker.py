"""Workers: ``kojin worker`` processes, and the server's own worker thread.

A worker opens the registry and the keyring, picks the queue for the registry
(:func:`kojin.fulfilment.queue.queue_for`) and runs jobs with the handlers it is given until
asked to stop. With ``worker_mode = "inprocess"`` (the default) the server runs one in a daemon
thread (:func:`start_inprocess_worker`); with ``"external"`` jobs wait for ``kojin worker``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from kojin.crypto import FieldCipher, load_keyring
from kojin.db.uow import Database
from kojin.errors import KojinError
from kojin.fulfilment.queue import STALLED_AFTER, JobQueue, queue_for
from kojin.fulfilment.runner import JobRunner, TaskHandler
from kojin.registry.opening import open_database
from kojin.settings import Settings

log = logging.getLogger("kojin.fulfilment")

#: seconds the in-process worker waits before starting again after its queue failed
RESTART_DELAY = 5.0


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How a worker runs: jobs at once; after how many seconds without a sign of life a
    worker's job goes to another (its lease length, and on PostgreSQL procrastinate's
    heartbeat threshold); how often the registry is looked at when nothing woke the worker."""

    concurrency: int = 1
    stalled_after: float = STALLED_AFTER
    poll_interval: float | None = None


def run_worker(
    settings: Settings,
    handlers: Mapping[str, TaskHandler],
    *,
    stop: threading.Event,
    once: bool = False,
    options: WorkerOptions | None = None,
    database: Database | None = None,
) -> int:
    """Run fulfilment jobs until `stop` is set (with `once`: the jobs waiting now, then
    return); returns how many job runs were made. Opens (and migrates) the registry unless
    `database` is given."""
    chosen = options or WorkerOptions()
    queue = queue_for(
        settings, stalled_after=chosen.stalled_after, poll_interval=chosen.poll_interval
    )
    try:
        return _serve(
            settings, handlers, queue, stop=stop, once=once, options=chosen, database=database
        )
    finally:
        queue.close()


def _serve(
    settings: Settings,
    handlers: Mapping[str, TaskHandler],
    queue: JobQueue,
    *,
    stop: threading.Event,
    once: bool,
    options: WorkerOptions,
    database: Database | None,
) -> int:
    db = database or open_database(settings)
    try:
        runner = JobRunner(
            session_factory=db.uow,
            cipher=FieldCipher(load_keyring(settings)),
            handlers=handlers,
            lease_seconds=options.stalled_after,
            reader=db.read,
        )
        if once:
            return queue.run_once(runner=runner, stop=stop)
        return queue.run_worker(runner=runner, stop=stop, concurrency=options.concurrency)
    finally:
        if database is None:
            db.dispose()


@dataclass(slots=True)
class WorkerHandle:
    """The server's worker thread: :meth:`enqueue` a job after its commit, :meth:`stop` at
    shutdown (the task in hand finishes; the job is left queued for the next start)."""

    queue: JobQueue
    _stop: threading.Event
    _thread: threading.Thread
    runs: list[int] = field(default_factory=list)

    def enqueue(self, job_id: str) -> None:
        self.queue.enqueue(job_id)

    def stop(self, *, timeout: float | None = 60.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self.queue.close()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


def start_inprocess_worker(
    settings: Settings,
    handlers: Mapping[str, TaskHandler],
    *,
    database: Database | None = None,
    options: WorkerOptions | None = None,
) -> WorkerHandle:
    """Start the server's own worker in a daemon thread (for ``worker_mode = "inprocess"``);
    `database` is the server's open registry. A failure of the queue (the database away) is
    logged and the worker starts again after :data:`RESTART_DELAY` seconds."""
    chosen = options or WorkerOptions()
    queue = queue_for(
        settings, stalled_after=chosen.stalled_after, poll_interval=chosen.poll_interval
    )
    stop = threading.Event()
    runs: list[int] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                runs.append(
                    _serve(
                        settings,
                        handlers,
                        queue,
                        stop=stop,
                        once=False,
                        options=chosen,
                        database=database,
                    )
                )
            except KojinError as exc:
                log.error("fulfilment worker stopped: %s", exc.message)
            except Exception as exc:
                log.error("fulfilment worker stopped: %s", type(exc).__name__)
            stop.wait(RESTART_DELAY)

    thread = threading.Thread(target=serve, name="kojin-fulfilment", daemon=True)
    thread.start()
    return WorkerHandle(queue=queue, _stop=stop, _thread=thread, runs=runs)
