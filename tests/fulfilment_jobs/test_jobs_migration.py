"""The migration of the job tables: it builds exactly what the models declare, and goes down
and up again, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from kojin.db.base import Base
from kojin.db.engine import make_engine
from kojin.db.migrate import alembic_config, current_revision, upgrade
from kojin.fulfilment import models  # noqa: F401 - registers the job tables
from kojin.migrations import metadata as _all_models  # noqa: F401 - and every other table
from kojin.migrations.metadata import include_name

TABLES = {"fulfilment_jobs", "fulfilment_tasks"}
REVISION = "20261201_0008"
PREVIOUS = "20261201_0007"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'fresh' / 'kojin.sqlite3').as_posix()}"
    url: str = request.getfixturevalue("pg_empty_url")
    return url


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_the_migration_builds_the_job_models_and_goes_down_and_up(fresh_url: str) -> None:
    upgrade(fresh_url, revision=REVISION)
    assert current_revision(fresh_url) == REVISION
    assert _tables(fresh_url) >= TABLES | {"data_requests"}
    # and whatever later revisions add ("heads": past kojin's shortcut for a database at
    # HEAD_REVISION, which names the newest revision once the job tables are wired in)
    upgrade(fresh_url, revision="heads")
    assert set(Base.metadata.tables) >= TABLES
    assert _differences(fresh_url) == []

    command.downgrade(alembic_config(fresh_url), PREVIOUS)
    assert current_revision(fresh_url) == PREVIOUS
    assert not _tables(fresh_url) & TABLES
    assert "data_requests" in _tables(fresh_url)

    upgrade(fresh_url, revision="heads")
    assert _differences(fresh_url) == []
