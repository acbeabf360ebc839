"""The statements of the hot paths (audit appends, decisions, provision records).

:class:`PreparedInsert` writes rows of a table with a statement compiled once per dialect.
On PostgreSQL, :func:`begin_and_fetch_first` and :class:`WriteBatch` save round trips:
``BEGIN`` travels in one message with a transaction's first query (the chain-head lock), and a
group of writes goes as one statement instead of one statement each (the psycopg specifics are
in :mod:`kojin.db.psycopg_adapter`). On SQLite (in-process, no round trips) both run their
statements one after another.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Executable, Table, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from kojin.errors import ConfigurationError

#: SQLAlchemy's driver name for psycopg 3; psycopg itself (and kojin's adapter for it) is
#: imported only when a connection uses it, so SQLite commands never load it
PSYCOPG = "psycopg"
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
        for sql, values in self.multi_row_statements(rows):
            conn.exec_driver_sql(sql, values)

    def multi_row_statements(
        self, rows: Sequence[Mapping[str, Any]]
    ) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """The multi-row ``INSERT`` statements and their flat parameters for `rows`."""
        step = max(_MAX_PARAMETERS // len(self.names), 1)
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            flat = tuple(value for row in chunk for value in self.values(row))
            yield self._multi_statement(len(chunk)), flat

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

    def driver_statements(
        self, dialect: Dialect, rows: Sequence[Mapping[str, Any]]
    ) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """The driver-level statements that insert `rows` ("pyformat" drivers only)."""
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        if compiled.multi_row is None:
            raise ConfigurationError(f"no multi-row insert for the {dialect.name} dialect")
        if rows:
            yield from compiled.multi_row_statements(rows)

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


def begin_and_fetch_first(conn: Connection, sql: str) -> tuple[Any, ...] | None:
    """Run the parameterless query `sql` in the connection's transaction; return its first row.

    On psycopg, when the transaction has not started on the server yet, ``BEGIN`` and the query
    travel as one simple-query message: one round trip where the driver's implicit ``BEGIN``
    would take its own. Values then come back as text (``str``; None for NULL) for the caller
    to convert. Otherwise the query runs through `conn` and the row has the columns' types.
    """
    if conn.dialect.driver == PSYCOPG:
        from kojin.db import psycopg_adapter

        driver = psycopg_adapter.driver_connection(conn)
        if driver is not None and psycopg_adapter.idle(driver):
            return psycopg_adapter.begin_and_fetch_first(conn, driver, sql)
    row = conn.exec_driver_sql(sql).first()
    return None if row is None else tuple(row)


@dataclass(frozen=True, slots=True)
class _PositionalStatement:
    """A Core statement compiled for psycopg with ``%s`` placeholders."""

    sql: str
    #: the bind names in placeholder order
    names: tuple[str, ...]
    #: values bound in the statement itself (e.g. a WHERE constant), by bind name
    bound: Mapping[str, Any]


#: compiled Core statements by (statement identity, dialect, parameter names), with the statement
_COMPILED: dict[tuple[int, str, tuple[str, ...]], tuple[Executable, _PositionalStatement]] = {}


def _positional(
    statement: Executable, dialect: Dialect, names: tuple[str, ...]
) -> _PositionalStatement:
    key = (id(statement), dialect.name, names)
    cached = _COMPILED.get(key)
    if cached is not None and cached[0] is statement:
        return cached[1]
    compiled = statement.compile(dialect=dialect, column_keys=list(names))  # type: ignore[attr-defined]
    if not isinstance(compiled, SQLCompiler) or dialect.paramstyle != "pyformat":
        raise ConfigurationError(f"cannot batch {type(statement).__name__} on {dialect.name}")
    escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
    name_of = {escaped.get(name, name): name for name in compiled.bind_names.values()}
    positional = _PositionalStatement(
        sql=_NAMED_PLACEHOLDER.sub("%s", compiled.string),
        names=tuple(name_of[found] for found in _NAMED_PLACEHOLDER.findall(compiled.string)),
        bound=compiled.construct_params(dict.fromkeys(names), escape_names=False) or {},
    )
    _COMPILED[key] = (statement, positional)
    return positional


#: the most parameters one combined statement carries (PostgreSQL's limit is 65,535)
_MAX_COMBINED_PARAMETERS = 2 * _MAX_PARAMETERS


class WriteBatch:
    """Writes of one transaction queued in order and sent together by :meth:`flush`.

    On PostgreSQL they become one statement (data-modifying ``WITH`` parts; several statements
    only past 64,000 parameters): one round trip for the whole group, checked as one statement
    (foreign keys at its end, the first error raised as SQLAlchemy's wrapper, the transaction
    then failed for the caller's unit of work to roll back). The writes of a batch run as
    parts of one statement, so no two of them may touch the same row. On other drivers each
    write runs through the connection at once, as if there were no batch. Nothing is committed.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._combined = conn.dialect.driver == PSYCOPG
        self._pending: list[tuple[str, tuple[Any, ...]]] = []

    @property
    def combined(self) -> bool:
        """True when the writes wait for :meth:`flush` (PostgreSQL), False when they run at once."""
        return self._combined

    def insert(self, prepared: PreparedInsert, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert `rows` (every column given) with `prepared`'s statement."""
        if not self._combined:
            prepared.execute(self._conn, rows)
            return
        self._pending.extend(prepared.driver_statements(self._conn.dialect, rows))

    def execute(self, statement: Executable, params: Mapping[str, Any]) -> None:
        """Run a Core statement that returns no rows with one set of parameters.

        In a combined batch the values go to the driver as given: only types without a bind
        conversion (numbers, strings) belong here.
        """
        if not self._combined:
            self._conn.execute(statement, dict(params))
            return
        positional = _positional(statement, self._conn.dialect, tuple(params))
        bound = {**positional.bound, **params}
        self._pending.append((positional.sql, tuple(bound[name] for name in positional.names)))

    def flush(self) -> None:
        """Send every queued write (on PostgreSQL in one round trip); the batch is then empty."""
        pending, self._pending = self._pending, []
        group: list[tuple[str, tuple[Any, ...]]] = []
        count = 0
        for sql, values in pending:
            if group and count + len(values) > _MAX_COMBINED_PARAMETERS:
                self._send(group)
                group, count = [], 0
            group.append((sql, values))
            count += len(values)
        if group:
            self._send(group)

    def _send(self, group: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
        # PostgreSQL's own $n placeholders, sent through psycopg's RawCursor: the driver would
        # otherwise parse the long, group-sized text for %s in Python on every execution.
        # Still through SQLAlchemy, so its events, logging and error wrapping apply.
        native, start = [], 1
        for part, part_values in group:
            native.append(_numbered(part, start))
            start += len(part_values)
        *parts, last = native
        sql = last
        if parts:
            ctes = ", ".join(f"kojin_w{index} AS ({part})" for index, part in enumerate(parts))
            sql = f"WITH {ctes} {last}"
        values = tuple(value for _, part_values in group for value in part_values)
        from kojin.db import psycopg_adapter

        driver = psycopg_adapter.driver_connection(self._conn)
        assert driver is not None  # a combined batch runs on psycopg only
        with psycopg_adapter.raw_cursors(driver):
            self._conn.exec_driver_sql(sql, values)


#: a positional placeholder or an escaped percent sign in "pyformat" SQL text
_PYFORMAT_TOKEN = re.compile(r"%[s%]")
#: "pyformat" SQL text with its placeholders numbered from a start, by (text, start)
_NUMBERED: dict[tuple[str, int], str] = {}
_NUMBERED_MAX = 512


def _numbered(sql: str, start: int) -> str:
    """`sql` with its ``%s`` as ``$start, $start+1, …`` and ``%%`` as ``%`` (cached)."""
    key = (sql, start)
    native = _NUMBERED.get(key)
    if native is None:
        numbers = itertools.count(start)
        native = _PYFORMAT_TOKEN.sub(
            lambda match: "%" if match.group() == "%%" else f"${next(numbers)}", sql
        )
        if len(_NUMBERED) >= _NUMBERED_MAX:
            _NUMBERED.clear()
        _NUMBERED[key] = native
    return native
