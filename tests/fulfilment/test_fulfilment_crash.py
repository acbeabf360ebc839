"""A worker killed with SIGKILL in the middle of an erasure across three stores (the shop on
PostgreSQL, the support desk on MariaDB, the CRM exports as CSV and Parquet files), and a new
worker that finishes the job: every effect happens exactly once, and the audit chain shows it.

The test holds a lock on one of the shop's tables, so the worker blocks inside that collection's
task after the earlier collections are done; it is killed there. Triggers in both databases
log every row written, so "exactly once" is counted by the stores themselves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy as sa
from fulfilment_support import TODAY, Fulfilment, request_in_review, server_url

import kojin
from company import Company, build_company, person
from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.db.uow import Database
from kojin.fulfilment.job_schemas import JobOut, JobState, TaskState
from kojin.fulfilment.jobs import get_job
from kojin.fulfilment.service import approve_fulfilment, start_fulfilment

pytestmark = [pytest.mark.postgres, pytest.mark.mariadb]

#: seconds without a sign of life after which a killed worker's job goes to another
STALLED_AFTER = "2"
T = TypeVar("T")

#: the SQL tables of the company and their key column, for the write-logging triggers
SHOP_TABLES = {"customers": "id", "orders": "id", "order_items": "id", "payments": "id"}
SUPPORT_TABLES = {"tickets": "id", "ticket_messages": "id", "newsletter_subscriptions": "email"}


@pytest.fixture
def company(tmp_path: Path) -> Iterator[Company]:
    """The sample company on the servers only: its shop on PostgreSQL, support on MariaDB."""
    built = build_company(
        tmp_path / "company",
        shop_url=server_url("KOJIN_TEST_DATABASE_URL", "PostgreSQL"),
        support_url=server_url("KOJIN_TEST_MARIADB_URL", "MariaDB"),
        today=TODAY,
    )
    yield built
    built.drop()


def _wait_for(what: Callable[[], T | None], *, timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s")
        time.sleep(0.05)


def _log_writes(company: Company) -> None:
    """A ``writes_log`` table in each database and a trigger per table and operation."""
    shop = sa.create_engine(company.shop_url)
    schema = company.shop_schema
    with shop.begin() as conn:
        conn.execute(sa.text(f'CREATE TABLE "{schema}".writes_log (tbl text, pk text, op text)'))
        conn.execute(
            sa.text(
                f'CREATE FUNCTION "{schema}".log_write() RETURNS trigger AS $$ BEGIN '
                f'INSERT INTO "{schema}".writes_log VALUES (TG_TABLE_NAME, OLD.id::text, TG_OP); '
                "RETURN NULL; END; $$ LANGUAGE plpgsql"
            )
        )
        for table in SHOP_TABLES:
            conn.execute(
                sa.text(
                    f'CREATE TRIGGER log_{table} AFTER UPDATE OR DELETE ON "{schema}".{table} '
                    f'FOR EACH ROW EXECUTE FUNCTION "{schema}".log_write()'
                )
            )
    shop.dispose()
    support = sa.create_engine(company.support_url)
    database = company.support_schema
    with support.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE `{database}`.writes_log (tbl TEXT, pk TEXT, op TEXT)"))
        for table, key in SUPPORT_TABLES.items():
            for op in ("UPDATE", "DELETE"):
                conn.execute(
                    sa.text(
                        f"CREATE TRIGGER `{database}`.log_{table}_{op.lower()} AFTER {op} "
                        f"ON `{database}`.{table} FOR EACH ROW INSERT INTO "
                        f"`{database}`.writes_log VALUES ('{table}', OLD.{key}, '{op}')"
                    )
                )
    support.dispose()


def _logged(url: str, schema: str | None) -> list[tuple[str, str]]:
    engine = sa.create_engine(url)
    quote = "`" if url.startswith("mysql") else '"'
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(f"SELECT tbl, pk FROM {quote}{schema}{quote}.writes_log"))
            return [(str(r[0]), str(r[1])) for r in rows]
    finally:
        engine.dispose()


@contextmanager
def _locked(company: Company, table: str) -> Iterator[Callable[[], None]]:
    """Hold an exclusive lock on a shop table until the returned function is called."""
    engine = sa.create_engine(company.shop_url)
    conn = engine.connect()
    transaction = conn.begin()
    conn.execute(sa.text(f'LOCK TABLE "{company.shop_schema}".{table} IN ACCESS EXCLUSIVE MODE'))
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            transaction.rollback()
            released = True

    try:
        yield release
    finally:
        release()
        conn.close()
        engine.dispose()


def _start_worker(fulfilment: Fulfilment, log: Path, *, once: bool) -> subprocess.Popen[bytes]:
    settings = fulfilment.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOJIN_")}
    shop, support = (settings.store_urls[key].get_secret_value() for key in ("shop", "support"))
    env.update(
        PYTHONPATH=str(Path(kojin.__file__).parents[1]),
        KOJIN_HOME=str(settings.home),
        KOJIN_KEYS_DIR=str(settings.resolved_keys_dir()),
        KOJIN_DATABASE_URL=settings.resolved_database_url(),
        KOJIN_DATAMAP_FILE=str(settings.datamap_file),
        KOJIN_STORE_SHOP_URL=shop,
        KOJIN_STORE_SUPPORT_URL=support,
    )
    command = [sys.executable, "-m", "kojin.cli", "worker", "--stalled-after", STALLED_AFTER]
    with log.open("ab") as out:
        return subprocess.Popen(
            [*command, "--once"] if once else command, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _job(database: Database, job_id: str) -> JobOut:
    with database.read() as session:
        return get_job(session=session, job_id=job_id)


def test_a_killed_worker_leaves_an_erasure_that_a_new_worker_finishes_exactly_once(
    fulfilment: Fulfilment, company: Company, subject_id: str, tmp_path: Path
) -> None:
    assert company.shop_schema is not None
    assert company.support_schema is not None
    database = fulfilment.database
    _log_writes(company)
    request_id = request_in_review(
        database, fulfilment.cipher, kind="erasure", subject_id=subject_id
    )
    with database.uow() as session:
        job = start_fulfilment(
            session=session,
            cipher=fulfilment.cipher,
            settings=fulfilment.settings,
            request_id=request_id,
            actor="staff:hanako",
        )
    located = fulfilment.run(job.id)
    assert located.state is JobState.AWAITING_APPROVAL, located.error
    applies = [t for t in located.tasks if t.stage == "apply"]
    systems = {t.name.split(".")[0] for t in applies}
    assert systems == {"shop_db", "support_db", "crm_exports"}  # three stores
    # the shop collection to block in: one with work done before it in the job
    blocked = next(t for t in applies[1:] if t.name.startswith("shop_db."))
    before = [t.name for t in applies[: applies.index(blocked)]]
    with database.uow() as session:
        approve_fulfilment(session=session, job_id=job.id, actor="staff:taro")

    log = tmp_path / "workers.log"
    with _locked(company, blocked.name.split(".")[1]) as release:
        first = _start_worker(fulfilment, log, once=False)
        try:

            def blocked_running() -> JobOut | None:
                now = _job(database, job.id)
                task = next(t for t in now.tasks if t.name == blocked.name)
                return now if task.state is TaskState.RUNNING else None

            _wait_for(blocked_running)
            time.sleep(0.5)  # the worker is inside the task, waiting on the lock
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(30)
        assert first.returncode == -signal.SIGKILL, log.read_text()
        release()
    killed = _job(database, job.id)
    assert killed.state is JobState.RUNNING
    states = {t.name: (t.state, t.attempts) for t in killed.tasks}
    assert all(states[name] == (TaskState.DONE, 1) for name in before)
    assert states[blocked.name] == (TaskState.RUNNING, 1)

    # the dead worker's lease runs out; a new worker takes the job over and finishes it
    _wait_for(lambda: _job(database, job.id).lease_until is not None, timeout=5)
    time.sleep(float(STALLED_AFTER) + 0.5)
    second = _start_worker(fulfilment, log, once=True)
    assert second.wait(120) == 0, log.read_text()
    done = _job(database, job.id)
    assert done.state is JobState.DONE, (done.error, log.read_text())
    finished = {t.name: (t.state, t.attempts) for t in done.tasks}
    assert finished[blocked.name] == (TaskState.DONE, 2)
    assert all(finished[t.name][0] is TaskState.DONE for t in applies)

    # every effect exactly once: no row was written twice, in either database
    for url, schema in (
        (company.shop_url, company.shop_schema),
        (company.support_url, company.support_schema),
    ):
        logged = _logged(url, schema)
        assert logged, schema
        assert len(logged) == len(set(logged)), schema
    # what the plan asked for is what happened; the person is gone but for the held payments
    assert done.rows_planned == sum(t.rows_planned for t in done.tasks)
    target = person(0)
    held = {str(k[0]) for keys in company.held.values() for k in keys}
    for address in company.expected:
        for row in company.rows(address):
            if address.endswith("payments") and str(row["id"]) in held:
                continue
            assert target.email not in {str(v) for v in row.values()}, address

    # the chain: the blocked task started twice, by two workers; it verifies
    with database.read() as session:
        entries = list(
            session.execute(
                sa.select(AuditEntry).where(AuditEntry.object_id == job.id).order_by(AuditEntry.seq)
            ).scalars()
        )
        assert verify_chain(session=session).ok
    started = [
        (entry.details.get("attempt"), entry.actor)
        for entry in entries
        if entry.action == "fulfilment.task_started" and entry.details.get("task") == blocked.name
    ]
    assert [attempt for attempt, _ in started] == [1, 2]
    assert started[0][1] != started[1][1]
