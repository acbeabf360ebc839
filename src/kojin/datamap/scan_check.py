"""Comparing what a scan found in tables and table files with what the data map declares.

Discovery names what it finds by column (``customers.email``: ``email``); the map says which
fields are personal. Personal data in a column the map does not describe, or describes as not
personal, is *not in the data map*: a request would miss it. A personal field of a scanned
collection where the scan found nothing is worth a look (a stale map, or a kind discovery does
not recognise) and is reported for information. Pure: the caller scans and passes plain values.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from kojin.datamap.model import Collection, DataMap, Location, StoreKind


@dataclass(frozen=True, slots=True)
class ScannedColumn:
    """A column a scan read: of a database table (`table` is its name) or of a CSV or Parquet
    file (`file`; `table` is its path as scanned), with the personal-data kinds found in it
    (empty: nothing found)."""

    table: str
    column: str
    kinds: frozenset[str] = frozenset()
    file: bool = False

    @property
    def location(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True, slots=True)
class NotInMap:
    """Personal data of `kinds` found at `location` (``table.column``) that the map misses."""

    location: str
    kinds: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class NothingFound:
    """A personal field of the map (`field`: ``dataset.collection.field``) where the scan of
    `location` found no personal data."""

    field: str
    location: str
    reason: str


@dataclass(frozen=True)
class MapComparison:
    not_in_map: list[NotInMap]
    nothing_found: list[NothingFound]


NO_COLLECTION = "no collection in the data map"
NO_FIELD = "no field in the data map"
NOT_PERSONAL = "field not marked personal"
KIND_NOT_DECLARED = "kind not declared on the field"
NOTHING = "nothing found"
NO_COLUMN = "no such column in the scanned table"


def _collections(datamap: DataMap, scanned: ScannedColumn, cwd: str) -> list[Location]:
    """The map's collections a scanned table or file is: SQL collections of the same name
    (case-insensitive, in every sql system), files collections whose path (a glob, relative to
    the map's folder) matches the file."""
    if scanned.file:
        path = os.path.normpath(os.path.join(cwd, scanned.table))
        base = os.path.join(cwd, datamap.base_dir)
        return [
            loc
            for loc in datamap.locations()
            if loc.system.store is StoreKind.FILES
            and loc.collection.path is not None
            and fnmatchcase(path, os.path.normpath(os.path.join(base, loc.collection.path)))
        ]
    name = scanned.table.casefold()
    return [
        loc
        for loc in datamap.locations()
        if loc.system.store is StoreKind.SQL and loc.collection.name.casefold() == name
    ]


def _field_named(collection: Collection, column: str) -> str | None:
    wanted = column.casefold()
    return next((f.name for f in collection.fields if f.name.casefold() == wanted), None)


def _gap(column: ScannedColumn, places: list[Location]) -> NotInMap | None:
    kinds = tuple(sorted(column.kinds))
    if not places:
        return NotInMap(column.location, kinds, NO_COLLECTION)
    fields = [
        field
        for loc in places
        if (name := _field_named(loc.collection, column.column)) is not None
        and (field := loc.collection.field(name)) is not None
    ]
    if not fields:
        return NotInMap(column.location, kinds, NO_FIELD)
    personal = [f for f in fields if f.personal]
    if not personal:
        return NotInMap(column.location, kinds, NOT_PERSONAL)
    if all(f.kinds for f in personal):
        declared = {k for f in personal for k in f.kinds}
        missing = tuple(k for k in kinds if k not in declared)
        if missing:
            return NotInMap(column.location, missing, KIND_NOT_DECLARED)
    return None


def compare_with_datamap(
    datamap: DataMap, scanned: Iterable[ScannedColumn], *, cwd: str
) -> MapComparison:
    """Columns with personal data the map misses, and the map's personal fields where the
    scanned tables showed none; file paths are resolved against `cwd` (scanned) and the map's
    ``base_dir`` (the map's collections)."""
    columns = list(scanned)
    tables: dict[tuple[str, bool], dict[str, ScannedColumn]] = {}
    for column in columns:
        tables.setdefault((column.table, column.file), {})[column.column.casefold()] = column
    gaps: list[NotInMap] = []
    quiet: list[NothingFound] = []
    for (table, file), by_name in tables.items():
        places = _collections(datamap, ScannedColumn(table, "", file=file), cwd)
        gaps.extend(
            gap
            for column in by_name.values()
            if column.kinds and (gap := _gap(column, places)) is not None
        )
        for loc in places:
            for field in loc.collection.fields:
                if not field.personal:
                    continue
                found = by_name.get(field.name.casefold())
                address = f"{loc.address}.{field.name}"
                where = f"{table}.{found.column if found else field.name}"
                if found is None:
                    quiet.append(NothingFound(address, where, NO_COLUMN))
                elif not found.kinds:
                    quiet.append(NothingFound(address, where, NOTHING))
    return MapComparison(
        not_in_map=sorted(gaps, key=lambda g: (g.location, g.kinds)),
        nothing_found=sorted(quiet, key=lambda q: (q.field, q.location)),
    )
