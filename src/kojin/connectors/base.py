"""The connector protocol: what fulfilment asks of a store.

Rows travel as dicts of column name to a JSON-able scalar (str, int, float, bool, None; dates and
times as ISO 8601 strings, decimals as strings, bytes as base64). A row's key is the tuple of its
primary-key values, in the collection's primary-key order.
"""

from __future__ import annotations

from collections.abc import Collection as AbstractSet
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kojin.datamap.model import Location

Scalar = str | int | float | bool | None
Row = dict[str, Scalar]
RowKey = tuple[Scalar, ...]


@dataclass(frozen=True)
class RowChange:
    """Set `values` (column -> new value) on the row whose key is `key`."""

    key: RowKey
    values: Mapping[str, Scalar] = field(default_factory=dict)


class Connector(Protocol):
    """One store (one system of the map). Each write runs in the store's own transaction.

    A location's table is ``dataset.schema_name.collection.name`` (or the connection's default
    schema); a files location's data is ``collection.path`` under the connector's base folder.
    """

    def fetch(
        self,
        location: Location,
        where: Mapping[str, AbstractSet[Scalar]],
        *,
        casefold: AbstractSet[str] = frozenset(),
    ) -> list[Row]:
        """Rows of `location`'s collection whose column holds one of its values in `where` (OR
        across columns), in one query. Columns in `casefold` compare case-insensitively."""
        ...

    def update(self, location: Location, changes: Sequence[RowChange]) -> int:
        """Apply `changes`; only rows whose values differ are written, so applying the same
        changes again writes nothing. Returns the number of rows written."""
        ...

    def delete(self, location: Location, keys: Sequence[RowKey]) -> int:
        """Delete the rows with `keys`; returns how many existed and were deleted."""
        ...

    def close(self) -> None: ...
