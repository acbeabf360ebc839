"""A ``kojin worker`` process killed with SIGKILL in the middle of an erasure across three
stores, and a new worker that takes the job over: the job finishes, every effect happened
exactly once (counted by the stores' own triggers), and the audit chain shows the second
attempt. On the embedded SQLite registry (the local queue) and on PostgreSQL (procrastinate).

The erase handler of the second store waits at a gate the test holds shut, right after its
guarded UPDATE committed: the kill lands after the effect and before kojin recorded it, the
hardest moment for exactly-once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from jobs_support import (
    OTHER,
    PERSON,
    PERSON_ROWS,
    STORES,
    chain_of,
    erasure_job,
    gate_closed,
    new_request,
    read_job,
    remaining,
    wait_for,
    writes,
)

import kojin
from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.fulfilment.job_schemas import JobOut, JobState, TaskState
from kojin.fulfilment.queue import queue_for
from kojin.settings import Settings

HERE = Path(__file__).parent
#: seconds without a sign of life after which a killed worker's job goes to another
STALLED_AFTER = "1.5"


def _start_worker(
    settings: Settings, stores: Path, gate: Path, log: Path
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOJIN_", "JOBS_TEST_"))}
    src = Path(kojin.__file__).parents[1]
    env.update(
        PYTHONPATH=os.pathsep.join([str(src), str(HERE)]),
        KOJIN_HOME=str(settings.home),
        KOJIN_DATABASE_URL=settings.resolved_database_url(),
        JOBS_TEST_STORES=str(stores),
        JOBS_TEST_GATE=str(gate),
        JOBS_TEST_GATE_STORE="shop",
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "jobs_worker_proc", "worker", "--stalled-after", STALLED_AFTER],
            env=env,
            cwd=HERE,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _shop_task_running(database: Database, job_id: str) -> JobOut | None:
    job = read_job(database, job_id)
    shop = [t for t in job.tasks if t.name == "shop.customers"]
    return job if shop and shop[0].state is TaskState.RUNNING else None


def _kill_mid_erasure_and_resume(
    settings: Settings, database: Database, cipher: FieldCipher, stores: Path, tmp_path: Path
) -> None:
    job = erasure_job(database, cipher, new_request(database, cipher))
    queue = queue_for(settings)
    queue.enqueue(job.id)  # as the server does after its commit
    queue.close()
    gate = tmp_path / "gate"
    log = tmp_path / "workers.log"
    with gate_closed(gate):
        first = _start_worker(settings, stores, gate, log)
        try:
            # the shop's rows are erased in the store; kojin has not recorded it yet
            wait_for(lambda: len(writes(stores, "shop")) == PERSON_ROWS["shop"], timeout=60)
            wait_for(lambda: _shop_task_running(database, job.id), timeout=60)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(30)
    assert first.returncode == -signal.SIGKILL, log.read_text()
    killed = read_job(database, job.id)
    assert killed.state is JobState.RUNNING
    assert [(t.name, t.state, t.attempts) for t in killed.tasks] == [
        ("all stores", TaskState.DONE, 1),
        ("crm.customers", TaskState.DONE, 1),
        ("shop.customers", TaskState.RUNNING, 1),
        ("billing.customers", TaskState.PENDING, 0),
    ]
    assert writes(stores, "billing") == []

    second = _start_worker(settings, stores, gate, log)
    try:
        wait_for(lambda: read_job(database, job.id).state is JobState.DONE, timeout=90)
    finally:
        second.send_signal(signal.SIGTERM)  # a graceful stop
        second.wait(60)
    assert second.returncode == 0, log.read_text()
    done = read_job(database, job.id)

    # every effect exactly once: each store's trigger logged each of the person's rows once
    for store in STORES:
        logged = writes(stores, store)
        assert len(logged) == len(set(logged)) == PERSON_ROWS[store], store
        assert remaining(stores, store, PERSON) == 0
        assert remaining(stores, store, OTHER) == 2
    assert [(t.name, t.state, t.attempts) for t in done.tasks] == [
        ("all stores", TaskState.DONE, 1),
        ("crm.customers", TaskState.DONE, 1),
        ("shop.customers", TaskState.DONE, 2),
        ("billing.customers", TaskState.DONE, 1),
    ]
    shop = done.tasks[2]
    assert shop.rows_planned == PERSON_ROWS["shop"]
    assert shop.rows_written == 0

    # the chain: the shop task started twice, by two workers; the second took the job over
    entries = chain_of(database, job.id)
    shop_steps = [
        (e.action.removeprefix("fulfilment."), e.details["attempt"], e.actor)
        for e in entries
        if e.details.get("task") == "shop.customers"
    ]
    assert [step[:2] for step in shop_steps] == [
        ("task_started", 1),
        ("task_started", 2),
        ("task_done", 2),
    ]
    assert shop_steps[0][2] != shop_steps[1][2] == shop_steps[2][2]
    started = [e for e in entries if e.action == "fulfilment.job_started"]
    assert len(started) == 2
    assert started[0].details["taken_over_from"] is None
    assert started[1].details["taken_over_from"] == started[0].details["worker"]
    assert started[1].details["from_state"] == "running"
    assert entries[-1].action == "fulfilment.job_done"
    with database.read() as session:
        assert verify_chain(session=session).ok


def test_a_killed_worker_on_sqlite_is_resumed_exactly_once(
    sqlite_url: str, tmp_path: Path, stores: Path
) -> None:
    settings = Settings(home=tmp_path / "home", database_url=sqlite_url)
    Keyring.generate(path=keyring_path(settings)).save()
    cipher = FieldCipher(Keyring.read(keyring_path(settings)))
    database = Database.from_url(sqlite_url)
    try:
        _kill_mid_erasure_and_resume(settings, database, cipher, stores, tmp_path)
    finally:
        database.dispose()


@pytest.mark.postgres
def test_a_killed_worker_on_postgresql_is_resumed_exactly_once(
    pg_settings: Settings,
    pg_database: Database,
    pg_cipher: FieldCipher,
    stores: Path,
    tmp_path: Path,
) -> None:
    _kill_mid_erasure_and_resume(pg_settings, pg_database, pg_cipher, stores, tmp_path)
