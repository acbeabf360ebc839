"""Migrations build exactly the models' schema; engines are configured as documented."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from kojin.audit.models import GENESIS_HASH, AuditHead
from kojin.db.base import UTCDateTime
from kojin.db.engine import make_engine
from kojin.db.migrate import (
    HEAD_REVISION,
    current_revision,
    head_revision,
    migrations_folder,
    upgrade,
)
from kojin.db.uow import Database
from kojin.errors import ConfigurationError
from kojin.migrations.metadata import include_name, metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database without any migration: a SQLite file in a folder not created yet, or an
    empty PostgreSQL schema (skipped when not configured)."""
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'deep' / 'kojin.sqlite3').as_posix()}"
    url: str = request.getfixturevalue("pg_empty_url")
    return url


def test_fresh_database_upgrades_to_head(empty_url: str) -> None:
    assert current_revision(empty_url) is None
    assert upgrade(empty_url) == head_revision()
    assert upgrade(empty_url) == head_revision()  # idempotent


def test_migrations_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_migrations_seed_the_chain_head(database: Database) -> None:
    with database.read() as session:
        head = session.execute(select(AuditHead)).scalars().one()
    assert (head.seq, head.hash) == (0, GENESIS_HASH)


def test_versions_are_named_by_date() -> None:
    names = [
        p.name for p in (migrations_folder() / "versions").glob("*.py") if p.name != "__init__.py"
    ]
    assert names
    for name in names:
        stamp = name.split("_", 1)[0]
        assert datetime.strptime(stamp, "%Y%m%d"), name


def test_sqlite_engine_pragmas(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError as SAIntegrityError

    with pytest.raises(SAIntegrityError), database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO consent_withdrawals (id, consent_id, method, withdrawn_at, "
                "recorded_at, recorded_by) VALUES ('w', 'no-such-consent', 'oral', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 't')"
            )
        )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("mysql+pymysql://root@localhost/test", "unsupported"),
        ("not a url", "cannot be parsed"),
    ],
)
def test_unusable_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make_engine(url)


def test_naive_datetimes_are_refused(database: Database) -> None:
    column = UTCDateTime()
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 1, 1), database.engine.dialect)


def _upgrade_in_processes(url: str, count: int = 3) -> None:
    code = "import sys; from kojin.db.migrate import upgrade; print(upgrade(sys.argv[1]))"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        assert out.strip() == head_revision()


@pytest.mark.slow
def test_concurrent_upgrades_in_processes(empty_url: str) -> None:
    _upgrade_in_processes(empty_url)
    assert current_revision(empty_url) == head_revision()


def test_the_head_constant_is_alembics_head() -> None:
    # upgrade() skips Alembic when a database is at HEAD_REVISION: a new migration must move it
    assert head_revision() == HEAD_REVISION, (
        "a migration was added: set kojin.db.migrate.HEAD_REVISION to its revision"
    )


def test_a_database_at_head_is_checked_without_loading_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'at-head.sqlite3').as_posix()}"
    upgrade(url)
    code = (
        "import sys; from kojin.db.migrate import upgrade; print(upgrade(sys.argv[1])); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, url], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [HEAD_REVISION, "[]"]
