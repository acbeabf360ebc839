"""Findings in table cells: a valid value of a classified column, personal data in free text.

Shared by the engines that scan tables (DuckDB for files, SQLAlchemy for databases, Spark
executors): each hands over an Arrow table of the rows to report on and their row keys, and gets
findings with masked values only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence

import pyarrow as pa

from kojin.discovery.columns import ColumnClass, ColumnClassifier
from kojin.discovery.masking import mask
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import CellLocation, Finding
from kojin.discovery.validators import VALIDATORS


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
        cell = str(value)
        text = cell.strip()
        raw = text.encode("utf-8")
        if rule.full.fullmatch(raw) is None or not validate(raw):
            continue
        start = len(cell) - len(cell.lstrip())
        yield Finding(
            kind=kind,
            category=spec.category,
            location=CellLocation(table, column, key, start, start + len(text)),
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
    for m in matcher.scan(buf, valid_utf8=True):
        spec = specs[m.kind]
        cell = bisect_right(starts, m.start) - 1
        value = buf[m.start : m.end].decode("utf-8")
        start = len(buf[starts[cell] : m.start].decode("utf-8"))  # characters before it
        yield Finding(
            kind=m.kind,
            category=spec.category,
            location=CellLocation(table, column, keys[cell], start, start + len(value)),
            score=round(m.score, 4),
            masked=mask(value, spec.mask),
            personal=spec.personal,
        )


def shown_names(names: Sequence[str], matcher: Re2Matcher) -> list[str]:
    """Column names as reports show them: a name that is itself personal data (the first row of
    a file without a header row) becomes ``column N`` (1-based); names are printed, values
    never."""
    return [
        f"column {index}" if matcher.scan(name.encode("utf-8")) else name
        for index, name in enumerate(names, start=1)
    ]
