"""Engines for the registry: a SQLite file by default (WAL, foreign keys, busy timeout), or any
PostgreSQL URL.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` so that writers queue on the
database lock at the start instead of failing when a read transaction is upgraded; read-only
sessions (see :mod:`kojin.db.uow`) use a deferred ``BEGIN``.

:class:`PreparedInsert` writes rows of a table on the hot paths (audit entries, decisions) with a
statement compiled once per dialect. Pooling is SQLAlchemy's default queue pool, without a
liveness ping per checkout (no extra round trip per transaction); connections are recycled
hourly on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, Table, create_engine, event, insert
from sqlalchemy.engine import Connection, Dialect, make_url

from kojin.errors import ConfigurationError

#: Execution option that marks an engine or connection as read-only (deferred BEGIN on SQLite).
READ_ONLY_OPTION = "kojin_read_only"

#: Milliseconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


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
        return create_engine(parsed, echo=echo, pool_recycle=3600, json_serializer=_json_dumps)
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


#: ``%(name)s`` placeholders of the "pyformat" parameter style (psycopg)
_NAMED_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s")
#: the most parameters one multi-row statement carries (PostgreSQL allows 65,535)
_MAX_PARAMETERS = 32_000


@dataclass(slots=True)
class _CompiledInsert:
    """One row's statement; for "pyformat" drivers also a multi-row ``VALUES`` form."""

    sql: str
    #: the row keys (column keys) in the order the statement takes them
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    #: ``INSERT INTO … (…)`` and one positional ``(%s, …)`` row, for a multi-row statement
    multi_row: tuple[str, str] | None = None
    _multi_sql: dict[int, str] = field(default_factory=dict)

    def values(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            row[name] if process is None else process(row[name])
            for name, process in zip(self.names, self.processors, strict=True)
        )

    def execute(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if self.multi_row is None:
            conn.exec_driver_sql(self.sql, [self.values(row) for row in rows])
            return
        step = max(_MAX_PARAMETERS // len(self.names), 1)
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            flat = tuple(value for row in chunk for value in self.values(row))
            conn.exec_driver_sql(self._multi_statement(len(chunk)), flat)

    def _multi_statement(self, count: int) -> str:
        sql = self._multi_sql.get(count)
        if sql is None:
            assert self.multi_row is not None
            head, row = self.multi_row
            sql = self._multi_sql[count] = f"{head} VALUES {', '.join([row] * count)}"
        return sql


class PreparedInsert:
    """``INSERT`` of every column of `table`, compiled once per dialect, for hot paths.

    Rows go through each column type's own bind processor (the conversion SQLAlchemy applies:
    JSON serialiser, date and time formats, type decorators) and then straight to the driver,
    without building a statement context per row: as one ``executemany`` for positional
    drivers (SQLite), as one multi-row ``INSERT … VALUES (…), (…)`` for "pyformat" drivers
    (psycopg, whose ``executemany`` costs a pipeline exchange per row). Every row must give
    every column (KeyError naming the column otherwise).
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self._compiled: dict[str, _CompiledInsert] = {}

    def execute(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert `rows` in the connection's transaction (nothing when `rows` is empty)."""
        if not rows:
            return
        compiled = self._compiled.get(conn.dialect.name)
        if compiled is None:
            compiled = self._compiled[conn.dialect.name] = self._compile(conn.dialect)
        compiled.execute(conn, rows)

    def _compile(self, dialect: Dialect) -> _CompiledInsert:
        columns = {column.key: column for column in self.table.columns}
        compiled = insert(self.table).compile(dialect=dialect, column_keys=list(columns))
        multi_row: tuple[str, str] | None = None
        if compiled.positional:
            names = tuple(compiled.positiontup or ())
        elif dialect.paramstyle == "pyformat":
            escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
            name_of = {escaped.get(name, name): name for name in compiled.bind_names.values()}
            head, _, row = compiled.string.partition(" VALUES ")
            names = tuple(name_of[key] for key in _NAMED_PLACEHOLDER.findall(row))
            multi_row = (head, _NAMED_PLACEHOLDER.sub("%s", row))
        else:  # pragma: no cover - kojin's backends are SQLite (qmark) and psycopg (pyformat)
            raise ConfigurationError(f"unsupported parameter style {dialect.paramstyle!r}")
        return _CompiledInsert(
            sql=compiled.string,
            names=names,
            processors=tuple(
                columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
            ),
            multi_row=multi_row,
        )
