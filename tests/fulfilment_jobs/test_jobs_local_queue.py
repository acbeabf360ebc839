"""The local queue (the job table itself) and the in-process worker, on SQLite and PostgreSQL:
queued jobs run, an enqueue wakes the worker, and workers sharing a registry never run the
same job at once."""

from __future__ import annotations

import threading
from pathlib import Path

from jobs_support import (
    PERSON_ROWS,
    STORES,
    Calls,
    ErasureHandlers,
    erasure_job,
    new_request,
    read_job,
    wait_for,
    writes,
)

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.fulfilment.job_schemas import JobState
from kojin.fulfilment.queue import LocalQueue, queue_for
from kojin.fulfilment.runner import JobRunner
from kojin.fulfilment.worker import WorkerOptions, start_inprocess_worker
from kojin.settings import Settings


def _runner(database: Database, cipher: FieldCipher, handlers: ErasureHandlers) -> JobRunner:
    return JobRunner(
        session_factory=database.uow, cipher=cipher, handlers=handlers.handlers(), lease_seconds=5
    )


def test_run_once_runs_every_queued_job(
    database: Database, cipher: FieldCipher, stores: Path
) -> None:
    handlers = ErasureHandlers(stores)
    jobs = [erasure_job(database, cipher, new_request(database, cipher)) for _ in range(3)]
    runs = LocalQueue().run_once(runner=_runner(database, cipher, handlers))
    assert runs == 3
    assert [read_job(database, job.id).state for job in jobs] == [JobState.DONE] * 3
    # the first job erased the person's rows; the others found none to erase
    assert sum(len(writes(stores, store)) for store in STORES) == sum(PERSON_ROWS.values())
    assert LocalQueue().run_once(runner=_runner(database, cipher, handlers)) == 0


def test_workers_sharing_a_registry_never_run_a_job_twice_at_once(
    database: Database, cipher: FieldCipher, stores: Path
) -> None:
    calls = Calls()
    handlers = ErasureHandlers(stores, delay=0.05, calls=calls)
    jobs = [erasure_job(database, cipher, new_request(database, cipher)) for _ in range(4)]
    stop = threading.Event()
    queues = [LocalQueue(poll_interval=0.05) for _ in range(3)]
    threads = [
        threading.Thread(
            target=queue.run_worker,
            kwargs={"runner": _runner(database, cipher, handlers), "stop": stop, "concurrency": 2},
        )
        for queue in queues
    ]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: all(read_job(database, job.id).state is JobState.DONE for job in jobs))
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert calls.overlaps == []
    ran = [(job_id, name) for job_id, name, _ in calls.runs]
    assert len(ran) == len(set(ran))  # every task ran once: none was run twice
    assert all(attempt == 1 for *_, attempt in calls.runs)
    assert {job_id for job_id, _ in ran} == {job.id for job in jobs}


def test_the_inprocess_worker_runs_what_is_enqueued(
    sqlite_url: str, tmp_path: Path, stores: Path
) -> None:
    settings = Settings(home=tmp_path / "home", database_url=sqlite_url)
    Keyring.generate(path=keyring_path(settings)).save()
    cipher = FieldCipher(Keyring.read(keyring_path(settings)))
    assert isinstance(queue_for(settings), LocalQueue)
    database = Database.from_url(sqlite_url)
    handle = start_inprocess_worker(
        settings,
        ErasureHandlers(stores).handlers(),
        database=database,
        options=WorkerOptions(poll_interval=30.0),  # only the enqueue can wake it in time
    )
    try:
        job = erasure_job(database, cipher, new_request(database, cipher))
        handle.enqueue(job.id)
        wait_for(lambda: read_job(database, job.id).state is JobState.DONE, timeout=10)
    finally:
        handle.stop(timeout=10)
        database.dispose()
    assert not handle.alive
