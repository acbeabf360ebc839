"""Handing fulfilment jobs to workers from the server.

With ``worker_mode = "inprocess"`` and a data map configured, the server runs its own worker
thread and wakes it for each job; with ``"external"`` a job is put on the registry's queue for
``kojin worker`` processes (procrastinate's on PostgreSQL; on other databases the workers find
queued jobs in the job table themselves). Without a data map no job can be created, so no
worker is started.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kojin.db.uow import Database
from kojin.fulfilment.queue import JobQueue, queue_for
from kojin.fulfilment.worker import WorkerHandle, start_inprocess_worker
from kojin.settings import Settings


@dataclass
class JobDispatch:
    """Where the server sends a job after the transaction that created or approved it."""

    settings: Settings
    handle: WorkerHandle | None = None
    _queue: JobQueue | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue(self, job_id: str) -> None:
        """Wake the worker, or queue the job for the external workers (blocking I/O on
        PostgreSQL: call it from a worker thread)."""
        if self.handle is not None:
            self.handle.enqueue(job_id)
            return
        if self.settings.worker_mode != "external":
            return
        with self._lock:
            if self._queue is None:
                self._queue = queue_for(self.settings)
            queue = self._queue
        queue.enqueue(job_id)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.stop()
        with self._lock:
            if self._queue is not None:
                self._queue.close()
                self._queue = None


def start_dispatch(settings: Settings, database: Database) -> JobDispatch:
    """The server's dispatch: with its own worker thread when it runs jobs in process."""
    if settings.worker_mode == "inprocess" and settings.datamap_file is not None:
        from kojin.fulfilment.handlers import build_handlers

        handle = start_inprocess_worker(settings, build_handlers(settings), database=database)
        return JobDispatch(settings=settings, handle=handle)
    return JobDispatch(settings=settings)
