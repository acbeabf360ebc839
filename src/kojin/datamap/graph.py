"""The map as a graph: which fields' values find rows where, in which order collections are
erased, which fields hold a request's identities, and how a field is erased by default.

An edge ``source -> target`` means: the values of `source` found in a person's rows find
the rows of `target`'s collection whose `target` field holds them. A reference written on
field F naming field G gives ``G -> F`` (direction ``from``), ``F -> G`` (``to``) or both.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from kojin.datamap.model import (
    Collection,
    DataMap,
    Direction,
    Identity,
    Location,
    MapField,
    Strategy,
)


@dataclass(frozen=True, slots=True, order=True)
class FieldRef:
    """A field by its address in the map."""

    dataset: str
    collection: str
    field: str

    @property
    def address(self) -> str:
        """``dataset.collection.field``."""
        return f"{self.dataset}.{self.collection}.{self.field}"

    @property
    def collection_address(self) -> str:
        """``dataset.collection``, as :attr:`Location.address` names it."""
        return f"{self.dataset}.{self.collection}"


@dataclass(frozen=True, slots=True)
class Edge:
    """Values of `source` find rows of `target`'s collection (by `target`'s field)."""

    source: FieldRef
    target: FieldRef


def _fields(datamap: DataMap) -> list[tuple[Location, MapField]]:
    return [(loc, f) for loc in datamap.locations() for f in loc.collection.fields]


def edges(datamap: DataMap) -> list[Edge]:
    """Every edge, in the map's order, each once."""
    found: dict[Edge, None] = {}
    for loc, item in _fields(datamap):
        here = FieldRef(loc.dataset.key, loc.collection.name, item.name)
        for ref in item.references:
            there = FieldRef(ref.dataset, ref.collection, ref.field)
            if ref.direction in (Direction.FROM, Direction.BOTH):
                found.setdefault(Edge(there, here))
            if ref.direction in (Direction.TO, Direction.BOTH):
                found.setdefault(Edge(here, there))
    return list(found)


def identity_fields(datamap: DataMap) -> dict[Identity, list[FieldRef]]:
    """The fields holding each identity, in the map's order (identities no field holds are
    absent)."""
    found: dict[Identity, list[FieldRef]] = {}
    for loc, item in _fields(datamap):
        if item.identity is not None:
            ref = FieldRef(loc.dataset.key, loc.collection.name, item.name)
            found.setdefault(item.identity, []).append(ref)
    return found


def erasure_order(datamap: DataMap) -> list[Location]:
    """Every collection, those holding a reference to another before the one referenced
    (children before parents), otherwise in the map's order.

    References form cycles at times (two tables naming each other); each cycle is kept
    together and ordered by the map, and the cycles are placed as a whole like any collection.
    """
    locations = datamap.locations()
    position = {loc.address: n for n, loc in enumerate(locations)}
    after: list[set[int]] = [set() for _ in locations]  # holder -> the collections it names
    for n, loc in enumerate(locations):
        for item in loc.collection.fields:
            for ref in item.references:
                target = position.get(f"{ref.dataset}.{ref.collection}")
                if target is not None and target != n:
                    after[n].add(target)
    groups = _components(after)
    group_of = {node: g for g, members in enumerate(groups) for node in members}
    waiting = [0] * len(groups)
    successors: list[set[int]] = [set() for _ in groups]
    for node, targets in enumerate(after):
        for target in targets:
            a, b = group_of[node], group_of[target]
            if a != b and b not in successors[a]:
                successors[a].add(b)
                waiting[b] += 1
    ready = [(min(groups[g]), g) for g in range(len(groups)) if waiting[g] == 0]
    heapq.heapify(ready)
    order: list[Location] = []
    while ready:
        _, g = heapq.heappop(ready)
        order.extend(locations[n] for n in sorted(groups[g]))
        for b in successors[g]:
            waiting[b] -= 1
            if waiting[b] == 0:
                heapq.heappush(ready, (min(groups[b]), b))
    return order


def _components(after: list[set[int]]) -> list[list[int]]:
    """Strongly connected components of the graph `after` (Tarjan's, without recursion)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    groups: list[list[int]] = []
    for root in range(len(after)):
        if root in index:
            continue
        work = [(root, iter(sorted(after[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(group)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(after[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def linked_fields(datamap: DataMap) -> frozenset[FieldRef]:
    """Primary keys and both ends of every reference: erasing them would break the links that
    find a person's rows, so they are kept unless the row is deleted."""
    linked: set[FieldRef] = set()
    for loc, item in _fields(datamap):
        here = FieldRef(loc.dataset.key, loc.collection.name, item.name)
        if item.primary_key or item.references:
            linked.add(here)
        linked.update(FieldRef(r.dataset, r.collection, r.field) for r in item.references)
    return frozenset(linked)


def field_strategy(collection: Collection, item: MapField, *, linked: bool) -> Strategy:
    """How `item` is erased when its collection's rows are not deleted: its own strategy, or
    by default set null for a personal field and keep for the rest, for keys and reference
    fields (`linked`) and for every field of a collection without a primary key (its rows
    cannot be named for an update, as in Fides)."""
    if item.erasure is not None:
        return item.erasure.strategy
    if collection.erasure is Strategy.KEEP or linked or not collection.primary_key:
        return Strategy.KEEP
    return Strategy.SET_NULL if item.personal else Strategy.KEEP
