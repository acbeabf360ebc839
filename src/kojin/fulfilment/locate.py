"""Locate every row about a person in the company's stores, with set-based queries.

Starting from the collections whose identity fields hold the request's identities, the data
map's references are followed as a graph (see :mod:`kojin.fulfilment._refgraph` for what a
reference's direction means). The walk goes in sweeps over the collections in an order where
values flow forward (groups of collections that reference each other in a cycle are visited
together, after everything that leads into them). In a sweep each collection with values still
to look up gets exactly ONE ``fetch``: its columns' new values OR-ed together, never one query
per row or per value. Rows found yield new values for the collections their references lead
to; the walk ends when a sweep has nothing left to look up (a fixpoint). Without cycles that is
one query per collection reached.

Only values not looked up before in a column are looked up (text in e-mail identity columns
compared case-folded), a row whose single-column primary key value is known is not looked up by
it again, and a row found twice is kept once (by primary key, or by all its columns when the
collection has none). ``None`` and blank text are never looked up: they identify nobody.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from pydantic import BaseModel

from kojin.connectors.base import Connector, Row, Scalar
from kojin.datamap.model import DataMap, Location
from kojin.errors import ConfigurationError
from kojin.fulfilment._refgraph import FieldAt, RefGraph
from kojin.fulfilment._values import RowId, ValueKey, folded_columns, row_id, usable, value_key
from kojin.fulfilment.identities import Identities


class LocatedCollection(BaseModel):
    """The person's rows in one collection, every column of each."""

    system: str
    dataset: str
    collection: str
    rows: list[dict[str, Scalar]]

    @property
    def address(self) -> str:
        return f"{self.dataset}.{self.collection}"


class Located(BaseModel):
    """Everything found about one person: the collections with rows (map order)."""

    collections: list[LocatedCollection]
    #: fetches issued, for figures and benchmarks
    queries: int

    def rows_in(self, dataset: str, collection: str) -> list[dict[str, Scalar]]:
        """The person's rows in ``dataset.collection`` ([] when none were found)."""
        return next(
            (
                c.rows
                for c in self.collections
                if (c.dataset, c.collection) == (dataset, collection)
            ),
            [],
        )

    @property
    def rows(self) -> int:
        return sum(len(c.rows) for c in self.collections)


class _Walk:
    """The state of one walk: what is still to look up, what was, and the rows found."""

    def __init__(self, graph: RefGraph) -> None:
        self.graph = graph
        self.folded = {loc.address: folded_columns(loc.collection) for loc in graph.locations}
        self.pending: dict[str, dict[str, dict[ValueKey, Scalar]]] = {}
        self.asked: dict[FieldAt, set[ValueKey]] = {}
        self.found: dict[str, dict[RowId, Row]] = {loc.address: {} for loc in graph.locations}

    def offer(self, target: FieldAt, value: Scalar) -> None:
        """Look up `value` in `target` at the next visit, unless it was or will be already."""
        if not usable(value):
            return
        key = value_key(value, fold=target.field in self.folded[target.collection])
        if key in self.asked.get(target, ()):
            return
        self.pending.setdefault(target.collection, {}).setdefault(target.field, {})[key] = value

    def take(self, address: str) -> dict[str, set[Scalar]]:
        """The values to look up in `address` now, by column; they count as asked from here on.
        A set cannot hold both ``1`` and ``True``: the second waits for the next sweep."""
        where: dict[str, set[Scalar]] = {}
        later: dict[str, dict[ValueKey, Scalar]] = {}
        for column, values in self.pending.pop(address, {}).items():
            asked = self.asked.setdefault(FieldAt(address, column), set())
            for key, value in values.items():
                chosen = where.setdefault(column, set())
                if value in chosen:
                    later.setdefault(column, {})[key] = value
                else:
                    chosen.add(value)
                    asked.add(key)
        if later:
            self.pending[address] = later
        return where

    def receive(self, loc: Location, rows: list[Row]) -> None:
        """Keep the rows not found before and offer their values along the references."""
        address = loc.address
        key_columns = loc.collection.primary_key
        edges = self.graph.outgoing(address)
        for row in rows:
            rid = row_id(row, key_columns)
            if rid in self.found[address]:
                continue
            self.found[address][rid] = row
            if len(key_columns) == 1 and key_columns[0] in row:
                # a key value finds this row and no other: never look it up
                column = key_columns[0]
                key = value_key(row[column], fold=column in self.folded[address])
                self.asked.setdefault(FieldAt(address, column), set()).add(key)
                self.pending.get(address, {}).get(column, {}).pop(key, None)
            for edge in edges:
                if edge.source.field in row:
                    self.offer(edge.target, row[edge.source.field])


def locate(
    *,
    datamap: DataMap,
    connectors: Mapping[str, Connector],
    identities: Identities,
    progress: Callable[[str], None] | None = None,
) -> Located:
    """Every row about the person the `identities` name (see the module's docstring).

    `connectors` are keyed by system key; `progress` receives each collection's address
    (``dataset.collection``) as it is queried. Raises ConfigurationError naming the system when
    a collection the walk can reach belongs to a system without a connector.
    """
    graph = RefGraph(datamap)
    walk = _Walk(graph)
    for loc in graph.locations:
        for field in loc.collection.fields:
            if field.identity is not None:
                for value in identities.of(field.identity):
                    walk.offer(FieldAt(loc.address, field.name), value)
    for address in sorted(graph.reachable(walk.pending)):
        system = graph.by_address[address].system.key
        if system not in connectors:
            variable = "KOJIN_STORE_" + re.sub(r"[^A-Z0-9]", "_", system.upper()) + "_URL"
            raise ConfigurationError(
                f"system {system!r} has no connector: set its store URL ({variable}) "
                f"to locate data in {address}"
            )
    order = graph.lookup_order()
    queries = 0
    while walk.pending:
        for loc in order:
            where = walk.take(loc.address)
            if not where:
                continue
            if progress is not None:
                progress(loc.address)
            casefold = walk.folded[loc.address].intersection(where)
            rows = connectors[loc.system.key].fetch(loc, where, casefold=casefold)
            queries += 1
            walk.receive(loc, rows)
    return Located(
        collections=[
            LocatedCollection(
                system=loc.system.key,
                dataset=loc.dataset.key,
                collection=loc.collection.name,
                rows=list(walk.found[loc.address].values()),
            )
            for loc in graph.locations
            if walk.found[loc.address]
        ],
        queries=queries,
    )
