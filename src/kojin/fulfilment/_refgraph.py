"""The data map's references as a graph, as the fulfilment engine walks it (private).

A reference on field F of collection X to field G of collection Y says X.F holds values of
Y.G. Its direction says which way values flow when a person's rows are located: ``from``
(values of Y.G find rows of X by X.F), ``to`` (values of X.F find rows of Y by Y.G), ``both``.
Structurally X is the child (it holds the reference) and Y the parent, whatever the direction.

The engine keeps its own small graph here, on the map model alone, so it depends on nothing
but :mod:`kojin.datamap.model`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kojin.datamap.model import DataMap, Direction, Location
from kojin.errors import DataMapError


@dataclass(frozen=True)
class FieldAt:
    """A field named by its collection's address (``dataset.collection``) and its name."""

    collection: str
    field: str

    @property
    def address(self) -> str:
        return f"{self.collection}.{self.field}"


@dataclass(frozen=True)
class Edge:
    """Values of `source` find rows of `target`'s collection by `target`'s field."""

    source: FieldAt
    target: FieldAt


@dataclass(frozen=True)
class Link:
    """A structural reference: `child`'s field holds values of `parent`'s field."""

    child: FieldAt
    parent: FieldAt


class RefGraph:
    """The references of one map: value edges, structural links and the orders built on them."""

    def __init__(self, datamap: DataMap) -> None:
        self.locations: list[Location] = datamap.locations()
        self.by_address: dict[str, Location] = {loc.address: loc for loc in self.locations}
        self.links: list[Link] = []
        self.edges: list[Edge] = []
        for loc in self.locations:
            for field in loc.collection.fields:
                for ref in field.references:
                    parent = f"{ref.dataset}.{ref.collection}"
                    if parent not in self.by_address:
                        raise DataMapError(
                            f"{loc.address}.{field.name}: references {parent}, "
                            "which is not a collection of the data map"
                        )
                    here, there = FieldAt(loc.address, field.name), FieldAt(parent, ref.field)
                    self.links.append(Link(here, there))
                    if ref.direction in (Direction.FROM, Direction.BOTH):
                        self.edges.append(Edge(there, here))
                    if ref.direction in (Direction.TO, Direction.BOTH):
                        self.edges.append(Edge(here, there))
        self.linked: frozenset[FieldAt] = frozenset(
            end for link in self.links for end in (link.child, link.parent)
        )

    def outgoing(self, address: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.source.collection == address]

    def reachable(self, starts: Iterable[str]) -> set[str]:
        """The collections whose rows values from `starts` can lead to (with `starts`)."""
        seen = set(starts)
        stack = list(seen)
        while stack:
            for edge in self.outgoing(stack.pop()):
                if edge.target.collection not in seen:
                    seen.add(edge.target.collection)
                    stack.append(edge.target.collection)
        return seen

    def lookup_order(self) -> list[Location]:
        """Collections ordered so that values flow forward: the strongly connected groups of
        the value graph in topological order (map order between equals and inside a group).
        Visiting collections in this order, one sweep gathers every value a collection can get
        from outside its group before the collection is queried."""
        index = {loc.address: i for i, loc in enumerate(self.locations)}
        groups = _strong_groups([loc.address for loc in self.locations], self.edges)
        group_of = {address: g for g, members in enumerate(groups) for address in members}
        after: dict[int, set[int]] = {g: set() for g in range(len(groups))}
        for edge in self.edges:
            a, b = group_of[edge.source.collection], group_of[edge.target.collection]
            if a != b:
                after[b].add(a)
        placed: set[int] = set()
        ordered: list[str] = []
        rank = sorted(range(len(groups)), key=lambda g: min(index[a] for a in groups[g]))
        while len(placed) < len(groups):
            g = next(g for g in rank if g not in placed and after[g] <= placed)
            placed.add(g)
            ordered.extend(sorted(groups[g], key=index.__getitem__))
        return [self.by_address[address] for address in ordered]

    def erasure_order(self) -> list[Location]:
        """Collections ordered so that one holding a reference to another comes before it
        (children before parents), stable in map order; a cycle is broken by taking the first
        remaining collection in map order."""
        children: dict[str, set[str]] = {loc.address: set() for loc in self.locations}
        for link in self.links:
            if link.child.collection != link.parent.collection:
                children[link.parent.collection].add(link.child.collection)
        placed: set[str] = set()
        ordered: list[Location] = []
        while len(ordered) < len(self.locations):
            remaining = [loc for loc in self.locations if loc.address not in placed]
            ready = next((loc for loc in remaining if children[loc.address] <= placed), None)
            loc = ready or remaining[0]
            placed.add(loc.address)
            ordered.append(loc)
        return ordered


def _strong_groups(nodes: list[str], edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components of the graph (Kosaraju, without recursion)."""
    forward: dict[str, list[str]] = {n: [] for n in nodes}
    backward: dict[str, list[str]] = {n: [] for n in nodes}
    for edge in edges:
        forward[edge.source.collection].append(edge.target.collection)
        backward[edge.target.collection].append(edge.source.collection)
    finished: list[str] = []
    visited: set[str] = set()
    for start in nodes:
        if start in visited:
            continue
        visited.add(start)
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            node, i = stack.pop()
            if i < len(forward[node]):
                stack.append((node, i + 1))
                nxt = forward[node][i]
                if nxt not in visited:
                    visited.add(nxt)
                    stack.append((nxt, 0))
            else:
                finished.append(node)
    groups: list[list[str]] = []
    assigned: set[str] = set()
    for start in reversed(finished):
        if start in assigned:
            continue
        group, todo = [], [start]
        assigned.add(start)
        while todo:
            node = todo.pop()
            group.append(node)
            for prev in backward[node]:
                if prev not in assigned:
                    assigned.add(prev)
                    todo.append(prev)
        groups.append(group)
    return groups
