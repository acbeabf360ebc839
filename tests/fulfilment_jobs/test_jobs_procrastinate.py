"""The procrastinate queue of a PostgreSQL registry (each test in a fresh schema of its own):
its tables are created once, enqueued jobs run, workers never run a job twice at once, and jobs
left without a procrastinate job (or of a stalled worker) are handed back."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from jobs_support import (
    PERSON_ROWS,
    STORES,
    Calls,
    ErasureHandlers,
    erasure_job,
    gate_closed,
    new_request,
    read_job,
    wait_for,
    writes,
)

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.fulfilment.job_procrastinate import ProcrastinateQueue, libpq_url
from kojin.fulfilment.job_schemas import JobState, TaskState
from kojin.fulfilment.queue import procrastinate_queue, queue_for
from kojin.fulfilment.runner import JobRunner
from kojin.fulfilment.worker import WorkerOptions, start_inprocess_worker
from kojin.settings import Settings

pytestmark = pytest.mark.postgres


def _runner(database: Database, cipher: FieldCipher, handlers: ErasureHandlers) -> JobRunner:
    return JobRunner(
        session_factory=database.uow, cipher=cipher, handlers=handlers.handlers(), lease_seconds=5
    )


def _queue(url: str, *, stalled_after: float = 30.0) -> ProcrastinateQueue:
    return procrastinate_queue(url, stalled_after=stalled_after, poll_interval=0.2)


def _jobs_table(url: str) -> list[tuple[str, str]]:
    """(lock, status) of every procrastinate job in the registry's schema."""
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute("SELECT lock, status::text FROM procrastinate_jobs ORDER BY id")
        return [(str(lock), str(status)) for lock, status in rows]


def test_the_queue_of_a_postgresql_registry_is_procrastinate(pg_settings: Settings) -> None:
    queue = queue_for(pg_settings)
    assert isinstance(queue, ProcrastinateQueue)
    queue.close()


def test_procrastinate_tables_are_created_once_in_the_registry_schema(pg_own_url: str) -> None:
    schema = pg_own_url.rsplit("search_path%3D", 1)[-1].split("&")[0]
    with psycopg.connect(libpq_url(pg_own_url)) as conn:
        assert conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone() == (None,)
    with ThreadPoolExecutor(4) as pool:  # workers starting together
        list(pool.map(lambda _: _queue(pg_own_url).ensure_schema(), range(4)))
    with psycopg.connect(libpq_url(pg_own_url)) as conn:
        # in the registry's schema, not in public (other tests' schemas may have their own)
        found = conn.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'procrastinate_jobs' AND table_schema IN (%s, 'public')",
            (schema,),
        ).fetchall()
    assert found == [(schema,)]


def test_enqueued_jobs_run_and_a_second_enqueue_waits_once(
    pg_settings: Settings, pg_database: Database, pg_cipher: FieldCipher, stores: Path
) -> None:
    url = pg_settings.resolved_database_url()
    job = erasure_job(pg_database, pg_cipher, new_request(pg_database, pg_cipher))
    queue = _queue(url)
    try:
        queue.enqueue(job.id)
        queue.enqueue(job.id)  # already waiting: not twice
        assert _jobs_table(url) == [(job.id, "todo")]
        runs = queue.run_once(runner=_runner(pg_database, pg_cipher, ErasureHandlers(stores)))
    finally:
        queue.close()
    assert runs == 1
    assert read_job(pg_database, job.id).state is JobState.DONE
    assert sum(len(writes(stores, store)) for store in STORES) == sum(PERSON_ROWS.values())
    assert _jobs_table(url) == []  # succeeded procrastinate jobs are deleted


def test_a_queued_job_never_deferred_is_found_by_the_sweep(
    pg_settings: Settings, pg_database: Database, pg_cipher: FieldCipher, stores: Path
) -> None:
    url = pg_settings.resolved_database_url()
    job = erasure_job(pg_database, pg_cipher, new_request(pg_database, pg_cipher))
    # the server stopped between its commit and the deferral: no procrastinate job exists
    queue = _queue(url, stalled_after=0.5)
    try:
        wait_for(lambda: _older_than(pg_database, job.id, 0.5), timeout=5)
        queue.run_once(runner=_runner(pg_database, pg_cipher, ErasureHandlers(stores)))
    finally:
        queue.close()
    assert read_job(pg_database, job.id).state is JobState.DONE


def _older_than(database: Database, job_id: str, seconds: float) -> bool:
    from kojin.db.base import utcnow

    return (utcnow() - read_job(database, job_id).updated_at).total_seconds() > seconds


def test_two_workers_never_run_the_same_job_at_once(
    pg_settings: Settings, pg_database: Database, pg_cipher: FieldCipher, stores: Path
) -> None:
    url = pg_settings.resolved_database_url()
    calls = Calls()
    handlers = ErasureHandlers(stores, delay=0.1, calls=calls)
    jobs = [
        erasure_job(pg_database, pg_cipher, new_request(pg_database, pg_cipher)) for _ in range(4)
    ]
    stop = threading.Event()
    queues = [_queue(url) for _ in range(2)]
    threads = [
        threading.Thread(
            target=queue.run_worker,
            kwargs={
                "runner": _runner(pg_database, pg_cipher, handlers),
                "stop": stop,
                "concurrency": 2,
            },
        )
        for queue in queues
    ]
    for thread in threads:
        thread.start()
    try:
        for job in jobs:  # enqueued through both queues, some twice
            queues[0].enqueue(job.id)
            queues[1].enqueue(job.id)
        wait_for(
            lambda: all(read_job(pg_database, job.id).state is JobState.DONE for job in jobs),
            timeout=60,
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        for queue in queues:
            queue.close()
    assert not any(thread.is_alive() for thread in threads)
    assert calls.overlaps == []
    ran = [(job_id, name) for job_id, name, _ in calls.runs]
    assert len(ran) == len(set(ran))  # no task of any job ran twice
    assert all(attempt == 1 for *_, attempt in calls.runs)
    assert {job_id for job_id, _ in ran} == {job.id for job in jobs}
    assert sum(len(writes(stores, store)) for store in STORES) == sum(PERSON_ROWS.values())


def test_the_inprocess_worker_on_postgresql_and_its_graceful_stop(
    pg_settings: Settings,
    pg_database: Database,
    pg_cipher: FieldCipher,
    stores: Path,
    tmp_path: Path,
) -> None:
    url = pg_settings.resolved_database_url()
    gate = tmp_path / "gate"
    handlers = ErasureHandlers(stores, gate=gate, gate_store="shop")
    job = erasure_job(pg_database, pg_cipher, new_request(pg_database, pg_cipher))
    handle = start_inprocess_worker(
        pg_settings,
        handlers.handlers(),
        database=pg_database,
        options=WorkerOptions(poll_interval=0.2),
    )
    try:
        with gate_closed(gate) as open_gate:
            handle.enqueue(job.id)  # from the server's thread, while the worker runs in its own
            wait_for(lambda: len(writes(stores, "shop")) == PERSON_ROWS["shop"], timeout=30)
            stopping = threading.Thread(target=handle.stop, kwargs={"timeout": 30})
            stopping.start()  # the server shuts down while the shop task is in hand
            time.sleep(0.3)
            open_gate()
            stopping.join(30)
    finally:
        handle.stop(timeout=30)
    assert not handle.alive
    paused = read_job(pg_database, job.id)
    assert paused.state is JobState.QUEUED  # put back between two tasks, for the next worker
    assert [t.name for t in paused.tasks if t.state is TaskState.DONE] == [
        "all stores",
        "crm.customers",
        "shop.customers",
    ]
    assert _jobs_table(url) == [(job.id, "todo")]  # procrastinate runs it again
    queue = _queue(url)
    try:
        queue.run_once(runner=_runner(pg_database, pg_cipher, handlers))
    finally:
        queue.close()
    done = read_job(pg_database, job.id)
    assert done.state is JobState.DONE
    assert [t.attempts for t in done.tasks] == [1, 1, 1, 1]
    assert sum(len(writes(stores, store)) for store in STORES) == sum(PERSON_ROWS.values())
