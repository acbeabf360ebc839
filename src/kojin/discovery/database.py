"""Scanning database tables through SQLAlchemy: sampled rows per table, classified per column.

Any SQLAlchemy URL works (SQLite, PostgreSQL, MariaDB/MySQL). Rows are sampled at random
(``sample`` per table; 0 reads every row, all in memory) and keyed by the primary key (masked when
the key is itself personal data), or by the row's position in the sample when there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from kojin.discovery.cell_scan import cell_findings
from kojin.discovery.columns import ColumnClass, ColumnClassifier
from kojin.discovery.masking import mask
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Finding
from kojin.errors import ConfigurationError, InputError


@dataclass(frozen=True)
class TableScan:
    """The result of one table: its column classes and the findings in its sampled rows."""

    table: str
    rows: int
    classes: list[ColumnClass]
    findings: list[Finding]


def _engine(url: str) -> sa.Engine:
    try:
        return sa.create_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise InputError(
            f"not a usable database URL ({exc.__class__.__name__})", field="url"
        ) from exc


def _random(engine: sa.Engine) -> sa.ColumnElement[float]:
    if engine.dialect.name in ("mysql", "mariadb"):
        return sa.func.rand()
    return sa.func.random()


def _text(value: object) -> object:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return None  # binary columns are not scanned
    return str(value)


def scan_database(
    *,
    url: str,
    matcher: Re2Matcher,
    classifier: ColumnClassifier,
    sample: int,
    tables: Iterable[str] | None = None,
    schema: str | None = None,
    on_table: Callable[[str], None] | None = None,
) -> Iterator[TableScan]:
    """Scan every table of the database at `url` (or only `tables`)."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            metadata = sa.MetaData()
            wanted = sorted(tables) if tables is not None else None
            try:
                metadata.reflect(conn, schema=schema, only=wanted)
            except sa.exc.InvalidRequestError as exc:
                raise InputError(f"unknown table: {exc}", field="table") from exc
            for table in metadata.sorted_tables:
                if on_table is not None:
                    on_table(table.name)
                yield _scan_table(conn, engine, table, matcher, classifier, sample)
    except SQLAlchemyError as exc:
        raise ConfigurationError(
            f"database scan failed ({exc.__class__.__name__}): {str(exc).splitlines()[0][:160]}"
        ) from exc
    finally:
        engine.dispose()


def _scan_table(
    conn: sa.Connection,
    engine: sa.Engine,
    table: sa.Table,
    matcher: Re2Matcher,
    classifier: ColumnClassifier,
    sample: int,
) -> TableScan:
    query = sa.select(table)
    if sample > 0:
        query = query.order_by(_random(engine)).limit(sample)
    result = conn.execute(query)
    names = list(result.keys())
    rows = result.fetchall()
    columns = {
        name: pa.array([_text(row[i]) for row in rows], type=pa.string())
        for i, name in enumerate(names)
    }
    arrow = pa.table(columns)
    classes = classifier.classify(table=arrow, name=table.name) if columns else []
    keys = _row_keys(table, names, rows, classes, matcher)
    findings = list(
        cell_findings(
            table=arrow,
            name=table.name,
            row_keys=keys,
            classes=classes,
            matcher=matcher,
            classifier=classifier,
        )
    )
    return TableScan(table=table.name, rows=len(rows), classes=classes, findings=findings)


def _row_keys(
    table: sa.Table,
    names: list[str],
    rows: Sequence[sa.Row[Any]],
    classes: list[ColumnClass],
    matcher: Re2Matcher,
) -> list[str]:
    """Primary key values per row, masked where the key column itself holds personal data
    (a customer table keyed by e-mail or, against MNA Art. 9, by My Number); ``#n`` without one."""
    key_columns = [c.name for c in table.primary_key.columns]
    if not key_columns:
        return [f"#{n}" for n in range(1, len(rows) + 1)]
    specs = {spec.kind: spec for spec in matcher.registry}
    styles = {
        c.column: specs[c.kind].mask
        for c in classes
        if c.kind is not None and c.personal and c.column in key_columns
    }
    index = [names.index(k) for k in key_columns]
    keys = []
    for row in rows:
        parts = []
        for column, i in zip(key_columns, index, strict=True):
            value = str(row[i])
            parts.append(mask(value, styles[column]) if column in styles else value)
        keys.append(",".join(parts))
    return keys
