"""What kojin relies on in psycopg and in SQLAlchemy (pool sizes, compiled statements) is still
there: an upgrade that changes it fails here, with a message naming the missing piece."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
import sqlalchemy
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy.pool import QueuePool

from kojin.db import psycopg_adapter
from kojin.db.engine import MAX_CONNECTIONS, POOL_OVERFLOW, POOL_SIZE
from kojin.db.uow import Database
from kojin.db.writes import PreparedInsert
from kojin.errors import ConfigurationError


def test_psycopg_provides_what_the_adapter_uses() -> None:
    psycopg_adapter.check_psycopg()


def test_a_missing_psycopg_feature_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(psycopg, "RawCursor")
    with pytest.raises(ConfigurationError, match=r"lacks psycopg\.RawCursor, which kojin"):
        psycopg_adapter.check_psycopg()


def test_the_connection_provides_what_the_adapter_uses(pg_url: str) -> None:
    database = Database.from_url(pg_url)
    with database.engine.connect() as conn:
        driver = psycopg_adapter.driver_connection(conn)
        assert isinstance(driver, psycopg.Connection)
        psycopg_adapter.check_psycopg(driver)
        before = driver.cursor_factory
        with psycopg_adapter.raw_cursors(driver):
            row = conn.exec_driver_sql("SELECT $1::int + $2::int", (2, 3)).one()
        assert row[0] == 5
        assert driver.cursor_factory is before
    database.dispose()


def test_the_pool_hands_out_the_connections_the_database_announces(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{(tmp_path / 'pool.db').as_posix()}")
    try:
        pool = database.engine.pool
        assert isinstance(pool, QueuePool)
        assert pool.size() == POOL_SIZE
        assert database.max_connections == MAX_CONNECTIONS == POOL_SIZE + POOL_OVERFLOW
        with ExitStack() as held:
            for _ in range(database.max_connections):
                held.enter_context(database.engine.connect())
            assert pool.checkedout() == database.max_connections
            assert pool.overflow() == POOL_OVERFLOW
    finally:
        database.dispose()


def test_sqlalchemy_compiles_what_the_prepared_inserts_read() -> None:
    """kojin.db.writes reads the compiled statement's bind names and positions: an upgrade
    that renames them fails here by name, before any server is needed."""
    table = Table("t", MetaData(), Column("a", Integer), Column("b value", String))
    dialect = create_engine("postgresql+psycopg://kojin@localhost/none").dialect  # no connection
    compiled = insert(table).compile(dialect=dialect, column_keys=["a", "b value"])
    for name in ("positional", "positiontup", "bind_names", "escaped_bind_names"):
        assert hasattr(compiled, name), (
            f"SQLAlchemy {sqlalchemy.__version__} no longer gives SQLCompiler.{name}, "
            "which kojin.db.writes relies on"
        )
    rows = [{"a": 1, "b value": "x"}, {"a": 2, "b value": "y"}]
    [(sql, values)] = PreparedInsert(table).driver_statements(dialect, rows)
    row = "(%s::INTEGER, %s::VARCHAR)"
    assert sql == f'INSERT INTO t (a, "b value") VALUES {row}, {row}'
    assert values == (1, "x", 2, "y")
