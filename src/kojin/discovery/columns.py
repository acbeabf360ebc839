"""Column classification: which kind of personal data a table column holds, with counts.

Fast path (vectorised, no Python per cell): DuckDB evaluates, per column, one RE2 full match of
the union of the value patterns that apply to that column, counting matching cells. Only a small
sample of matching cells (``validate_sample``) reaches Python, where the kind of each is decided
and its validator (check digit, Luhn, calendar) runs; the valid share of the sample scales the
count. Detectors whose values need context (dates of birth, names, account numbers) apply to a
column only when its name matches the detector's ``column_hints`` — the column name is the context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import re2

from kojin.discovery.defaults import DEFAULT_MIN_SCORE
from kojin.discovery.detector_catalogue import DetectorRegistry, value_regex
from kojin.discovery.model import Category, DetectorSpec
from kojin.discovery.validators import VALIDATORS

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

#: Below this share of valid cells a column is not given a kind.
MIN_CONFIDENCE = 0.3
VALIDATE_SAMPLE = 256


@dataclass(frozen=True, slots=True)
class KindCount:
    """How many cells of a column look like one kind."""

    kind: str
    matched: int  # cells whose whole value matches the kind's patterns
    valid: int  # estimated cells that also pass the validator
    sampled: int  # matched cells validated in Python


@dataclass(frozen=True, slots=True)
class ColumnClass:
    """The classification of one column: kind and category with confidence and counts."""

    table: str
    column: str
    cells: int  # non-null cells examined
    kind: str | None
    category: Category | None
    confidence: float
    personal: bool
    counts: tuple[KindCount, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "table": self.table,
            "column": self.column,
            "cells": self.cells,
            "kind": self.kind,
            "category": self.category.value if self.category else None,
            "confidence": round(self.confidence, 3),
            "personal": self.personal,
            "counts": {c.kind: {"matched": c.matched, "valid": c.valid} for c in self.counts},
        }


@dataclass(frozen=True)
class _KindRule:
    spec: DetectorSpec
    regex: str  # union of the value patterns
    full: Any  # compiled RE2 of the union
    needs_hint: bool
    hint: re.Pattern[str] | None


def _needs_hint(spec: DetectorSpec) -> bool:
    return all(
        value_regex(p.regex) != p.regex or p.score < DEFAULT_MIN_SCORE for p in spec.patterns
    )


class ColumnClassifier:
    """Classifies columns of Arrow tables with the detectors of a registry."""

    def __init__(
        self,
        registry: DetectorRegistry,
        *,
        min_confidence: float = MIN_CONFIDENCE,
        validate_sample: int = VALIDATE_SAMPLE,
    ) -> None:
        self.min_confidence = min_confidence
        self.validate_sample = validate_sample
        self._rules: list[_KindRule] = []
        options = re2.Options()
        options.log_errors = False
        options.never_capture = True
        for spec in registry:
            union = "|".join(dict.fromkeys(f"(?:{value_regex(p.regex)})" for p in spec.patterns))
            hint = re.compile(spec.column_hints, re.IGNORECASE) if spec.column_hints else None
            self._rules.append(
                _KindRule(spec, union, re2.compile(union, options), _needs_hint(spec), hint)
            )

    def rules_for(self, column: str) -> list[_KindRule]:
        """The kinds that apply to a column of this name (hinted kinds first)."""
        hinted = [r for r in self._rules if r.hint is not None and r.hint.search(column)]
        free = [r for r in self._rules if not r.needs_hint and r not in hinted]
        return hinted + free

    def hinted(self, rule: _KindRule, column: str) -> bool:
        return rule.hint is not None and rule.hint.search(column) is not None

    def classify(self, *, table: pa.Table, name: str) -> list[ColumnClass]:
        """One ColumnClass per column of an in-memory Arrow table."""
        import duckdb  # a scan of text files alone never loads DuckDB

        con = duckdb.connect()
        try:
            con.register("arrow_cells", table)
            return self.classify_source(con=con, source="arrow_cells", name=name)
        finally:
            con.close()

    def classify_source(
        self, *, con: duckdb.DuckDBPyConnection, source: str, name: str
    ) -> list[ColumnClass]:
        """One ColumnClass per column of a DuckDB relation (a table, view or table function).

        A reservoir sample of ``validate_sample`` rows says which kinds each column may hold and
        how many of those pass validation; DuckDB then counts, over every row, the cells matching
        each of those kinds. Kinds absent from the sample are not counted.
        """
        sample = con.sql(
            f"SELECT * FROM {source} USING SAMPLE reservoir({int(self.validate_sample)} ROWS) "
            "REPEATABLE (7)"
        ).to_arrow_table()
        columns = sample.column_names
        tallies = {
            column: self.sample_tallies(column, sample.column(column).to_pylist())
            for column in columns
        }
        totals = self._count(con, source, tallies)
        results = []
        for column in columns:
            cells, matched = totals[column]
            counts = [
                KindCount(kind, matched[kind], round(matched[kind] * ok / seen), seen)
                for kind, (seen, ok) in tallies[column].items()
            ]
            counts.sort(key=lambda c: -c.valid)
            results.append(self.decide(name, column, cells, counts))
        return results

    def sample_tallies(self, column: str, values: list[object]) -> dict[str, tuple[int, int]]:
        """Per kind: sampled cells whose value matches it, and how many of those are valid."""
        rules = self.rules_for(column)
        tallies: dict[str, tuple[int, int]] = {}
        for value in values:
            if value is None:
                continue
            raw = str(value).strip().encode("utf-8")
            for rule in rules:
                if rule.full.fullmatch(raw) is None:
                    continue
                seen, ok = tallies.get(rule.spec.kind, (0, 0))
                tallies[rule.spec.kind] = (seen + 1, ok + VALIDATORS[rule.spec.validator](raw))
        return tallies

    def _count(
        self,
        con: duckdb.DuckDBPyConnection,
        source: str,
        tallies: dict[str, dict[str, tuple[int, int]]],
    ) -> dict[str, tuple[int, dict[str, int]]]:
        """Non-null cells per column and cells matching each sampled kind, in one query."""
        regex = {r.spec.kind: r.regex for r in self._rules}
        selects: list[str] = []
        params: dict[str, str] = {}
        slots: list[tuple[str, str | None]] = []
        for column, kinds in tallies.items():
            selects.append(f"count({_quote(column)})")
            slots.append((column, None))
            for kind in kinds:
                key = f"p{len(params)}"
                params[key] = regex[kind]
                selects.append(
                    f"count(*) FILTER (WHERE regexp_full_match({_value_sql(column)}, ${key}))"
                )
                slots.append((column, kind))
        row = con.execute(f"SELECT {', '.join(selects)} FROM {source}", params).fetchall()[0]
        assert row is not None
        totals: dict[str, tuple[int, dict[str, int]]] = {}
        for (column_name, kind_name), value in zip(slots, row, strict=True):
            if kind_name is None:
                totals[column_name] = (int(value), {})
            else:
                totals[column_name][1][kind_name] = int(value)
        return totals

    def decide(self, table: str, column: str, cells: int, counts: list[KindCount]) -> ColumnClass:
        """The class of a column of `cells` cells from its counts per kind (most valid first):
        the kind with the most valid cells (a hinted kind on a tie), if they are enough."""
        rules = {r.spec.kind: r for r in self._rules}
        best = None
        for count in counts:
            key = (count.valid, self.hinted(rules[count.kind], column))
            if best is None or key > best[0]:
                best = (key, count)
        if best is None or cells == 0 or best[1].valid / cells < self.min_confidence:
            return ColumnClass(table, column, cells, None, None, 0.0, False, tuple(counts))
        spec = rules[best[1].kind].spec
        confidence = best[1].valid / cells
        return ColumnClass(
            table, column, cells, spec.kind, spec.category, confidence, spec.personal, tuple(counts)
        )


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _value_sql(column: str) -> str:
    return f"trim(CAST({_quote(column)} AS VARCHAR))"
