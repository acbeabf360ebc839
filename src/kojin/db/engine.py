"""Engines for the registry: a SQLite file by default (WAL, foreign keys, busy timeout), or any
PostgreSQL URL.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` so that writers queue on the
database lock at the start instead of failing when a read transaction is upgraded; read-only
sessions (see :mod:`kojin.db.uow`) use a deferred ``BEGIN``.

Pooling is SQLAlchemy's queue pool with the sizes below, without a liveness ping per checkout
(no extra round trip per transaction); connections are recycled hourly on PostgreSQL. The
statements of the hot paths are in :mod:`kojin.db.writes`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

from kojin.errors import ConfigurationError

#: Execution option that marks an engine or connection as read-only (deferred BEGIN on SQLite).
READ_ONLY_OPTION = "kojin_read_only"

#: Milliseconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: connections a registry engine keeps open, and how many more it opens under load
POOL_SIZE = 5
POOL_OVERFLOW = 10
#: the most connections a registry engine hands out at once
MAX_CONNECTIONS = POOL_SIZE + POOL_OVERFLOW


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for `url`; SQLite files get their parent folder created."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError; the URL itself may hold secrets
        raise ConfigurationError("database URL cannot be parsed (KOJIN_DATABASE_URL)") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, database=parsed.database, echo=echo)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            echo=echo,
            pool_recycle=3600,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            json_serializer=_json_dumps,
        )
    raise ConfigurationError(
        f"unsupported registry database backend {backend!r}: use SQLite or PostgreSQL"
    )


def _sqlite_engine(url: str, *, database: str | None, echo: bool) -> Engine:
    if not database or database == ":memory:":
        raise ConfigurationError("the registry needs a SQLite file, not an in-memory database")
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        json_serializer=_json_dumps,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
