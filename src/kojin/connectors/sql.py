"""The SQL connector: PostgreSQL (psycopg 3), MariaDB/MySQL (PyMySQL) and SQLite through
SQLAlchemy 2 Core.

Tables and columns are SQLAlchemy ``table()``/``column()`` constructs (quoted by the dialect) and
every value is a bound parameter; no SQL is built from strings. Reads are set-based: one SELECT
per fetch, ``WHERE a IN (...) OR lower(b) IN (...)``, split only when a value set exceeds the
driver's parameter limit. Writes run in one transaction and are guarded: an UPDATE only touches
rows whose values differ from the new ones (``IS DISTINCT FROM``; MariaDB ``<=>``; SQLite
``IS``), so a change applied twice writes nothing the second time, and the returned count is
the rows really written.

Values the map gives no type for are bound so that the database converts them to the column's
type (``"0"`` into an integer column, an integer into a text column): as untyped text on
PostgreSQL and MariaDB, as given on SQLite; what does not convert is an InputError naming the
column.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection as AbstractSet
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from kojin.connectors.base import Row, RowChange, RowKey, Scalar
from kojin.connectors.sql_errors import driver_reason, store_error
from kojin.connectors.values import is_temporal, stored_scalar, text_form, typed_value
from kojin.datamap.model import Location
from kojin.errors import ConfigurationError, InputError

#: bound parameters a statement may carry, per dialect (psycopg and MariaDB prepared statements
#: count them in 16 bits; SQLite's default limit since 3.32 is 32766, 999 before)
_PARAMETER_LIMITS = {
    "postgresql": 65_000,
    "mysql": 65_000,
    "mariadb": 65_000,
    "sqlite": 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999,
}
_UNTYPED = sa.types.NullType()


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class SqlConnector:
    """A connector to one SQL database; `schema` is the default for datasets naming none."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        try:
            self.engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise ConfigurationError(
                f"not a usable database URL ({type(exc).__name__}); the URL is not shown"
            ) from None
        self.schema = schema
        self.dialect = self.engine.dialect.name
        self.parameter_limit = _PARAMETER_LIMITS.get(self.dialect, 999)
        #: MariaDB/MySQL: whether a column's collation compares without case, by table and column
        self._case_insensitive: dict[tuple[str | None, str, str], bool] = {}

    # -- addressing -------------------------------------------------------------------------

    def _table(self, location: Location, columns: Sequence[str]) -> sa.TableClause:
        schema = location.dataset.schema_name or self.schema
        unique = list(dict.fromkeys(columns))
        return sa.table(location.collection.name, *(sa.column(c) for c in unique), schema=schema)

    def _bind_value(self, location: Location, column: str, value: Scalar) -> Any:
        """A value to bind for `column`: converted to the map's type when it names one (dates
        and times excepted on SQLite, which keeps them as text in the application's own
        format); else as given, in the form the server converts to the column's type:
        PostgreSQL and MariaDB get numbers as text (PostgreSQL has no implicit cast from a
        number to text, and MariaDB in strict mode refuses to compare text with a number in an
        UPDATE), SQLite converts by the column's affinity."""
        data_type = self._data_type(location, column)
        if data_type is not None and not (self.dialect == "sqlite" and is_temporal(data_type)):
            return typed_value(value, data_type, field=f"{location.address}.{column}")
        if self.dialect == "postgresql":
            return text_form(value)
        if self.dialect in ("mysql", "mariadb") and not isinstance(value, bool):
            return text_form(value)
        return value

    def _lookup_values(
        self, location: Location, column: str, values: Sequence[Scalar]
    ) -> list[Any]:
        """Values to look rows up by: those that do not convert to the map's type for the
        column cannot be in it, and are left out."""
        bound = []
        for value in values:
            try:
                bound.append(self._bind_value(location, column, value))
            except InputError:
                continue
        return bound

    def _param(self, location: Location, column: str, value: Scalar) -> sa.BindParameter[Any]:
        return sa.bindparam(None, self._bind_value(location, column, value), type_=_UNTYPED)

    def _primary_key(self, location: Location) -> tuple[str, ...]:
        key = location.collection.primary_key
        if not key:
            raise InputError(
                f"{location.address} has no primary key in the data map: its rows cannot be "
                "changed or deleted one by one",
                field=location.address,
            )
        return key

    def _key_filter(
        self,
        location: Location,
        table: sa.TableClause,
        key: tuple[str, ...],
        keys: Sequence[RowKey],
    ) -> sa.ColumnElement[bool]:
        """``pk IN (...)``, or ``(a, b) IN ((...), ...)`` for a composite key."""
        if len(key) == 1:
            values = self._lookup_values(location, key[0], [k[0] for k in keys])
            return table.c[key[0]].in_(sa.bindparam(None, values, expanding=True, type_=_UNTYPED))
        rows = []
        for k in keys:
            parts = [self._lookup_values(location, c, [v]) for c, v in zip(key, k, strict=True)]
            if all(parts):
                rows.append(tuple(p[0] for p in parts))
        return sa.tuple_(*(table.c[c] for c in key)).in_(
            sa.bindparam(None, rows, expanding=True, type_=_UNTYPED)
        )

    def _check_keys(self, location: Location, key: tuple[str, ...], keys: Sequence[RowKey]) -> None:
        for k in keys:
            if len(k) != len(key):
                raise InputError(
                    f"{location.address}: a row key has {len(k)} values, the primary key "
                    f"({', '.join(key)}) has {len(key)}",
                    field=location.address,
                )

    @contextmanager
    def _connection(
        self, action: str, location: Location, *, write: bool
    ) -> Iterator[sa.Connection]:
        """A connection (in a transaction when `write`); a store that cannot be reached is a
        ConfigurationError naming the system, never the URL."""
        try:
            conn = self.engine.connect()
        except SQLAlchemyError as exc:
            raise ConfigurationError(
                f"{action} {location.address}: the store of system {location.system.key} is "
                f"unreachable ({driver_reason(exc)})"
            ) from None
        try:
            if write:
                with conn.begin():
                    yield conn
            else:
                yield conn
        finally:
            conn.close()

    # -- the protocol -----------------------------------------------------------------------

    def fetch(
        self,
        location: Location,
        where: Mapping[str, AbstractSet[Scalar]],
        *,
        casefold: AbstractSet[str] = frozenset(),
    ) -> list[Row]:
        """Rows whose columns hold any of the values (OR across columns), every column of each
        row, in one SELECT (more only past the dialect's parameter limit)."""
        terms: list[tuple[str, bool, Scalar]] = []
        for column, values in where.items():
            folded = column in casefold
            seen: set[tuple[bool, Scalar]] = set()
            for value in values:
                if value is None:
                    continue
                fold = folded and isinstance(value, str)
                item = value.lower() if fold and isinstance(value, str) else value
                if (fold, item) not in seen:
                    seen.add((fold, item))
                    terms.append((column, fold, item))
        if not terms:
            return []
        columns = list(where) + list(location.collection.primary_key)
        table = self._table(location, columns)
        rows: list[Row] = []
        seen_rows: set[tuple[Scalar, ...]] = set()
        chunks = list(_chunks(terms, self.parameter_limit))
        try:
            with self._connection("reading", location, write=False) as conn:
                for chunk in chunks:
                    query: sa.Select[Any] = (
                        sa.select(sa.literal_column("*"))
                        .select_from(table)
                        .where(sa.or_(*self._conditions(location, table, chunk, conn)))
                    )
                    result = conn.execute(query)
                    names = list(result.keys())
                    # dates kept as text are shown in ISO 8601, except in keys, which must
                    # come back exactly as stored to find their rows again
                    key = location.collection.primary_key
                    types = [None if n in key else self._data_type(location, n) for n in names]
                    for raw in result:
                        row = {
                            n: stored_scalar(v, t)
                            for n, v, t in zip(names, raw, types, strict=True)
                        }
                        if len(chunks) > 1:
                            identity = self._row_identity(location, row)
                            if identity in seen_rows:
                                continue
                            seen_rows.add(identity)
                        rows.append(row)
        except SQLAlchemyError as exc:
            raise store_error(
                exc, action="reading", address=location.address, columns=list(where)
            ) from None
        return rows

    def _folds_itself(self, conn: sa.Connection, location: Location, column: str) -> bool:
        """Whether the column compares without case by itself (MariaDB/MySQL with a ``_ci``
        collation, their default): then the bare column is compared, so that its index serves
        the lookup (MariaDB has no index on ``lower(column)``). Asked once per column."""
        if self.dialect not in ("mysql", "mariadb"):
            return False
        schema = location.dataset.schema_name or self.schema
        key = (schema, location.collection.name, column)
        if key not in self._case_insensitive:
            query = sa.text(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_schema = COALESCE(:schema, DATABASE()) "
                "AND table_name = :table AND column_name = :column"
            )
            found = conn.execute(
                query, {"schema": schema, "table": location.collection.name, "column": column}
            ).scalar()
            self._case_insensitive[key] = isinstance(found, str) and found.endswith("_ci")
        return self._case_insensitive[key]

    def _conditions(
        self,
        location: Location,
        table: sa.TableClause,
        terms: Sequence[tuple[str, bool, Scalar]],
        conn: sa.Connection,
    ) -> list[sa.ColumnElement[bool]]:
        grouped: dict[tuple[str, bool], list[Any]] = {}
        for column, fold, value in terms:
            bound = [value] if fold else self._lookup_values(location, column, [value])
            grouped.setdefault((column, fold), []).extend(bound)
        conditions: list[sa.ColumnElement[bool]] = []
        for (column, fold), values in grouped.items():
            folded = fold and not self._folds_itself(conn, location, column)
            target: sa.ColumnElement[Any] = (
                sa.func.lower(table.c[column]) if folded else table.c[column]
            )
            conditions.append(
                target.in_(sa.bindparam(None, values, expanding=True, type_=_UNTYPED))
            )
        return conditions

    @staticmethod
    def _data_type(location: Location, column: str) -> str | None:
        field = location.collection.field(column)
        return field.data_type if field is not None else None

    @staticmethod
    def _row_identity(location: Location, row: Row) -> tuple[Scalar, ...]:
        key = location.collection.primary_key
        if key and all(k in row for k in key):
            return tuple(row[k] for k in key)
        return tuple(row.values())

    def update(self, location: Location, changes: Sequence[RowChange]) -> int:
        """Apply `changes` in one transaction: rows given the same values share one UPDATE
        (``WHERE pk IN (...)``), rows with values of their own go through one executemany per
        set of columns; rows already holding the new values are not written."""
        if not changes:
            return 0
        key = self._primary_key(location)
        self._check_keys(location, key, [c.key for c in changes])
        merged: dict[RowKey, dict[str, Scalar]] = {}
        for change in changes:
            merged.setdefault(tuple(change.key), {}).update(change.values)
        shared: dict[tuple[tuple[str, str, Scalar], ...], list[RowKey]] = {}
        for row_key, values in merged.items():
            if values:
                signature = tuple(sorted((c, type(v).__name__, v) for c, v in values.items()))
                shared.setdefault(signature, []).append(row_key)
        single: dict[tuple[str, ...], list[tuple[RowKey, dict[str, Scalar]]]] = {}
        written = 0
        columns_used = sorted({c for values in merged.values() for c in values})
        try:
            with self._connection("updating", location, write=True) as conn:
                for signature, row_keys in shared.items():
                    values = {c: v for c, _, v in signature}
                    if len(row_keys) == 1:
                        single.setdefault(tuple(values), []).append((row_keys[0], values))
                        continue
                    written += self._update_shared(conn, location, key, values, row_keys)
                for columns, rows in single.items():
                    written += self._update_each(conn, location, key, columns, rows)
        except SQLAlchemyError as exc:
            raise store_error(
                exc, action="updating", address=location.address, columns=columns_used
            ) from None
        return written

    def _update_shared(
        self,
        conn: sa.Connection,
        location: Location,
        key: tuple[str, ...],
        values: Mapping[str, Scalar],
        row_keys: Sequence[RowKey],
    ) -> int:
        table = self._table(location, [*key, *values])
        binds = {c: self._param(location, c, v) for c, v in values.items()}
        unchanged = sa.and_(*(table.c[c].is_not_distinct_from(b) for c, b in binds.items()))
        written = 0
        per_key = len(key)
        size = max(1, (self.parameter_limit - 2 * len(values)) // per_key)
        for chunk in _chunks(row_keys, size):
            statement = (
                sa.update(table)
                .where(self._key_filter(location, table, key, chunk))
                .where(sa.not_(unchanged))
                .values({table.c[c]: b for c, b in binds.items()})
            )
            written += conn.execute(statement).rowcount
        return written

    def _update_each(
        self,
        conn: sa.Connection,
        location: Location,
        key: tuple[str, ...],
        columns: tuple[str, ...],
        rows: Sequence[tuple[RowKey, Mapping[str, Scalar]]],
    ) -> int:
        table = self._table(location, [*key, *columns])
        key_binds = [sa.bindparam(f"k{i}", type_=_UNTYPED) for i in range(len(key))]
        value_binds = {c: sa.bindparam(f"v{i}", type_=_UNTYPED) for i, c in enumerate(columns)}
        statement = (
            sa.update(table)
            .where(*(table.c[c] == b for c, b in zip(key, key_binds, strict=True)))
            .where(
                sa.not_(
                    sa.and_(*(table.c[c].is_not_distinct_from(b) for c, b in value_binds.items()))
                )
            )
            .values({table.c[c]: b for c, b in value_binds.items()})
        )
        params = []
        for row_key, values in rows:
            item = {
                f"k{i}": self._bind_value(location, c, v)
                for i, (c, v) in enumerate(zip(key, row_key, strict=True))
            }
            item.update(
                {f"v{i}": self._bind_value(location, c, values[c]) for i, c in enumerate(columns)}
            )
            params.append(item)
        if len(params) == 1:
            return conn.execute(statement, params[0]).rowcount
        return conn.execute(statement, params).rowcount

    def delete(self, location: Location, keys: Sequence[RowKey]) -> int:
        """Delete the rows with `keys` in one transaction (one DELETE per parameter-limit
        chunk); returns the rows deleted."""
        if not keys:
            return 0
        key = self._primary_key(location)
        self._check_keys(location, key, keys)
        unique = list(dict.fromkeys(tuple(k) for k in keys))
        table = self._table(location, key)
        deleted = 0
        try:
            with self._connection("deleting from", location, write=True) as conn:
                for chunk in _chunks(unique, max(1, self.parameter_limit // len(key))):
                    statement = sa.delete(table).where(
                        self._key_filter(location, table, key, chunk)
                    )
                    deleted += conn.execute(statement).rowcount
        except SQLAlchemyError as exc:
            raise store_error(
                exc, action="deleting from", address=location.address, columns=key
            ) from None
        return deleted

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
