"""Comparing what discovery found with where the ledger says personal data lives (R-PM-1).

The ledger's storage-location column is the declaration; anything found elsewhere, or of a kind
not declared for that place, is undeclared. Pure functions over values: the caller loads the
declarations from wherever the ledger is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from pydantic import BaseModel, ConfigDict, Field

from kojin.discovery.columns import ColumnClass
from kojin.discovery.model import CellLocation, Finding


class DeclaredLocation(BaseModel):
    """A place the ledger declares: a file glob (``shared/hr/**``) or ``table.column``
    (globs allowed: ``customers.*``), and the kinds declared there (empty: any kind)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    location: str = Field(min_length=1)
    kinds: frozenset[str] = frozenset()

    def covers(self, location: str, kind: str) -> bool:
        """Whether this declaration covers `kind` at `location`; a file or table pattern also
        covers that file's or table's columns (``exports/*.csv`` covers ``exports/a.csv.email``)."""
        if self.kinds and kind not in self.kinds:
            return False
        return fnmatchcase(location, self.location) or fnmatchcase(location, self.location + ".*")


@dataclass(frozen=True, slots=True)
class UndeclaredFinding:
    """Personal data of `kind` at `location` that no declaration covers; `count` occurrences."""

    location: str
    kind: str
    count: int


def location_key(item: Finding | ColumnClass) -> str:
    """The place a finding or column class is at: the file path or ``table.column``."""
    if isinstance(item, ColumnClass):
        return f"{item.table}.{item.column}"
    loc = item.location
    if isinstance(loc, CellLocation):
        return f"{loc.table}.{loc.column}"
    return loc.path


def undeclared(
    found: Iterable[Finding | ColumnClass], declared: Iterable[DeclaredLocation]
) -> list[UndeclaredFinding]:
    """Personal data found where the declarations do not say it is, grouped by place and kind.

    Findings that are not personal data (corporate numbers) and unclassified columns are ignored.
    A column class counts its valid cells; a finding counts once, unless it lies in a column that
    was classified too (then the column's count already includes it).
    """
    declarations = list(declared)
    items = list(found)
    classified = {location_key(item) for item in items if isinstance(item, ColumnClass)}
    counts: Counter[tuple[str, str]] = Counter()
    for item in items:
        if isinstance(item, ColumnClass):
            if item.kind is None or not item.personal:
                continue
            kind = item.kind
            weight = next((c.valid for c in item.counts if c.kind == kind), 1)
        else:
            if not item.personal:
                continue
            if isinstance(item.location, CellLocation) and location_key(item) in classified:
                continue
            kind, weight = item.kind, 1
        location = location_key(item)
        if not any(d.covers(location, kind) for d in declarations):
            counts[(location, kind)] += weight
    return [
        UndeclaredFinding(location=loc, kind=kind, count=n)
        for (loc, kind), n in sorted(counts.items())
    ]
