"""Scanning tables: CSV and Parquet files through DuckDB, and cell findings for sampled rows.

Column classification runs over every row (DuckDB reads large files without loading them into
Python); cell findings, which name a row, are produced for the first ``sample`` rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from kojin.discovery.columns import ColumnClass, ColumnClassifier
from kojin.discovery.defaults import TABLE_SUFFIXES
from kojin.discovery.masking import mask
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import CellLocation, Finding
from kojin.discovery.validators import VALIDATORS
from kojin.errors import InputError


def cell_findings(
    *,
    table: pa.Table,
    name: str,
    row_keys: Sequence[str],
    classes: Sequence[ColumnClass],
    matcher: Re2Matcher,
    classifier: ColumnClassifier,
) -> Iterator[Finding]:
    """Findings in the cells of `table`: every valid cell of a classified column, and personal
    data inside the free text of the other columns."""
    by_column = {c.column: c for c in classes}
    for column in table.column_names:
        values = table.column(column).to_pylist()
        kind = by_column[column].kind if column in by_column else None
        if kind is not None:
            yield from _classified(name, column, kind, values, row_keys, classifier)
        else:
            yield from _free_text(name, column, values, row_keys, matcher)


def _classified(
    table: str,
    column: str,
    kind: str,
    values: list[object],
    row_keys: Sequence[str],
    classifier: ColumnClassifier,
) -> Iterator[Finding]:
    rule = next(r for r in classifier.rules_for(column) if r.spec.kind == kind)
    spec = rule.spec
    validate = VALIDATORS[spec.validator]
    score = max(p.score for p in spec.patterns)
    if classifier.hinted(rule, column):
        score = min(1.0, score + spec.context_boost)
    for key, value in zip(row_keys, values, strict=True):
        if value is None:
            continue
        text = str(value).strip()
        raw = text.encode("utf-8")
        if rule.full.fullmatch(raw) is None or not validate(raw):
            continue
        yield Finding(
            kind=kind,
            category=spec.category,
            location=CellLocation(table=table, column=column, row_key=key),
            score=round(score, 4),
            masked=mask(text, spec.mask),
            personal=spec.personal,
        )


def _free_text(
    table: str,
    column: str,
    values: list[object],
    row_keys: Sequence[str],
    matcher: Re2Matcher,
) -> Iterator[Finding]:
    """One matcher pass over the column's cells joined by newlines."""
    parts: list[bytes] = []
    starts: list[int] = []
    keys: list[str] = []
    offset = 0
    for key, value in zip(row_keys, values, strict=True):
        if not isinstance(value, str) or not value:
            continue
        raw = value.replace("\n", " ").encode("utf-8")
        starts.append(offset)
        keys.append(key)
        parts.append(raw)
        offset += len(raw) + 1
    if not parts:
        return
    buf = b"\n".join(parts)
    specs = {spec.kind: spec for spec in matcher.registry}
    for m in matcher.scan(buf):
        spec = specs[m.kind]
        key = keys[bisect_right(starts, m.start) - 1]
        yield Finding(
            kind=m.kind,
            category=spec.category,
            location=CellLocation(table=table, column=column, row_key=key),
            score=round(m.score, 4),
            masked=mask(buf[m.start : m.end].decode("utf-8", "replace"), spec.mask),
            personal=spec.personal,
        )


def _file_source(path: Path) -> str:
    literal = "'" + str(path).replace("'", "''") + "'"
    if TABLE_SUFFIXES[path.suffix.lower()] == "parquet":
        return f"read_parquet({literal})"
    # Every column as text: phone numbers and postal codes keep their leading zeros.
    return f"read_csv({literal}, all_varchar = true, header = true)"


def scan_table_file(
    path: Path,
    *,
    matcher: Re2Matcher,
    classifier: ColumnClassifier,
    sample: int,
) -> tuple[list[ColumnClass], Iterator[Finding]]:
    """Column classes of a CSV or Parquet file (all rows) and findings in its first `sample` rows
    (row keys are 1-based data row numbers; 0 means every row)."""
    con = duckdb.connect()
    try:
        source = _file_source(path)
        try:
            classes = classifier.classify_source(con=con, source=source, name=str(path))
            limit = f" LIMIT {int(sample)}" if sample > 0 else ""
            rows = con.sql(f"SELECT * FROM {source}{limit}").to_arrow_table()
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0][:200]
            raise InputError(f"cannot read table file {path}: {message}", field="path") from exc
    finally:
        con.close()
    keys = [str(i) for i in range(1, rows.num_rows + 1)]
    findings = cell_findings(
        table=rows,
        name=str(path),
        row_keys=keys,
        classes=classes,
        matcher=matcher,
        classifier=classifier,
    )
    return classes, findings
