"""A Connector over in-memory tables, for the engine's tests.

It keeps the real connectors' semantics: ``fetch`` ORs its columns and compares the columns in
``casefold`` case-insensitively; ``update`` writes only rows whose values differ and returns how
many it wrote; ``delete`` returns how many of the keys existed. It counts its calls and keeps what
each fetch asked and returned, so tests can assert how the engine used it.
"""

from __future__ import annotations

from collections.abc import Collection as AbstractSet
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kojin.connectors.base import Row, RowChange, RowKey, Scalar
from kojin.datamap.model import Location


def same(a: Scalar, b: Scalar, *, fold: bool = False) -> bool:
    """Whether a store would find `a` when asked for `b`: None is never equal, a bool only
    equals a bool, text in a case-insensitive column is compared case-folded."""
    if a is None or b is None:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold() if fold else a == b
    if isinstance(a, str) or isinstance(b, str):
        return False
    return a == b


def matches(value: Scalar, wanted: AbstractSet[Scalar], *, fold: bool = False) -> bool:
    return any(same(value, w, fold=fold) for w in wanted)


@dataclass(frozen=True)
class Fetch:
    address: str
    where: dict[str, frozenset[Scalar]]
    casefold: frozenset[str]
    returned: list[Row]


class MemoryConnector:
    """Tables keyed by ``dataset.collection``, each a list of rows."""

    def __init__(self, tables: Mapping[str, Sequence[Row]]) -> None:
        self.tables: dict[str, list[Row]] = {
            a: [dict(r) for r in rows] for a, rows in tables.items()
        }
        self.fetches: list[Fetch] = []
        self.update_calls: list[tuple[str, list[RowChange]]] = []
        self.delete_calls: list[tuple[str, list[RowKey]]] = []
        self.closed = False

    def _table(self, location: Location) -> list[Row]:
        return self.tables[location.address]

    def fetch(
        self,
        location: Location,
        where: Mapping[str, AbstractSet[Scalar]],
        *,
        casefold: AbstractSet[str] = frozenset(),
    ) -> list[Row]:
        rows = [
            dict(row)
            for row in self._table(location)
            if any(
                matches(row.get(column), values, fold=column in casefold)
                for column, values in where.items()
            )
        ]
        self.fetches.append(
            Fetch(
                location.address,
                {column: frozenset(values) for column, values in where.items()},
                frozenset(casefold),
                [dict(row) for row in rows],
            )
        )
        return rows

    def _find(self, location: Location, key: RowKey) -> list[Row]:
        columns = location.collection.primary_key
        assert len(columns) == len(key), "a key has one value per primary-key column"
        return [
            row
            for row in self._table(location)
            if all(same(row.get(c), k) for c, k in zip(columns, key, strict=True))
        ]

    def update(self, location: Location, changes: Sequence[RowChange]) -> int:
        self.update_calls.append((location.address, list(changes)))
        written = 0
        for change in changes:
            for row in self._find(location, change.key):
                differs = any(
                    not (row.get(c) is None and v is None) and not same(row.get(c), v)
                    for c, v in change.values.items()
                )
                if differs:
                    row.update(change.values)
                    written += 1
        return written

    def delete(self, location: Location, keys: Sequence[RowKey]) -> int:
        self.delete_calls.append((location.address, list(keys)))
        table = self._table(location)
        doomed = {id(row) for key in keys for row in self._find(location, key)}
        table[:] = [row for row in table if id(row) not in doomed]
        return len(doomed)

    def close(self) -> None:
        self.closed = True

    @property
    def fetch_count(self) -> int:
        return len(self.fetches)
