"""Property: on random small maps and stores, locate finds exactly the rows a naive row-by-row
traversal reaches, keeps each row once, and never looks a value up twice in a column."""

from __future__ import annotations

from dataclasses import dataclass

from engine_memory import MemoryConnector, matches
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from kojin.connectors.base import Row, Scalar
from kojin.datamap.model import (
    Collection,
    DataMap,
    Dataset,
    Direction,
    Identity,
    MapField,
    Reference,
    StoreKind,
    System,
)
from kojin.fulfilment.identities import Identities
from kojin.fulfilment.locate import locate

EMAIL = "p@x.jp"
COLUMNS = ("k", "e", "a", "b")
#: link values: numbers and text, with case variants and blanks that must never link anything
LINK_VALUES: list[Scalar] = [0, 1, 2, 3, "x", "X", "y", "", " ", None, True]
EMAILS: list[Scalar] = [EMAIL, "P@X.JP", "q@x.jp", "", None]


@dataclass(frozen=True)
class Ref:
    child: int
    child_column: str
    parent: int
    parent_column: str
    direction: Direction


@dataclass(frozen=True)
class World:
    keyed: list[bool]
    has_email: list[bool]
    #: the two datasets in two systems (else one system holds both)
    split: bool
    refs: list[Ref]
    tables: list[list[Row]]

    def address(self, i: int) -> str:
        return f"d{i % 2}.c{i}"

    def datamap(self) -> DataMap:
        collections: dict[int, list[Collection]] = {}
        for i in range(len(self.tables)):
            fields = []
            for column in COLUMNS:
                references = tuple(
                    Reference(
                        dataset=f"d{r.parent % 2}",
                        collection=f"c{r.parent}",
                        field=r.parent_column,
                        direction=r.direction,
                    )
                    for r in self.refs
                    if r.child == i and r.child_column == column
                )
                fields.append(
                    MapField(
                        name=column,
                        primary_key=column == "k" and self.keyed[i],
                        identity=Identity.EMAIL if column == "e" and self.has_email[i] else None,
                        references=references,
                    )
                )
            collections.setdefault(i % 2, []).append(Collection(name=f"c{i}", fields=tuple(fields)))
        datasets = {d: Dataset(key=f"d{d}", collections=tuple(cs)) for d, cs in collections.items()}
        systems: dict[int, list[Dataset]] = {}
        for d, dataset in sorted(datasets.items()):
            systems.setdefault(d if self.split else 0, []).append(dataset)
        return DataMap(
            systems=tuple(
                System(key=f"s{s}", store=StoreKind.SQL, datasets=tuple(ds))
                for s, ds in sorted(systems.items())
            )
        )

    def fold(self, i: int, column: str) -> bool:
        return column == "e" and self.has_email[i]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n = draw(st.integers(min_value=1, max_value=5))
    keyed = [draw(st.booleans()) for _ in range(n)]
    has_email = [draw(st.booleans()) for _ in range(n)]
    split = draw(st.booleans())
    refs = draw(
        st.lists(
            st.builds(
                Ref,
                child=st.integers(0, n - 1),
                child_column=st.sampled_from(COLUMNS),
                parent=st.integers(0, n - 1),
                parent_column=st.sampled_from(COLUMNS),
                direction=st.sampled_from(list(Direction)),
            ),
            max_size=8,
        )
    )
    tables: list[list[Row]] = []
    for _ in range(n):
        size = draw(st.integers(0, 6))
        rows: list[Row] = []
        for k in range(size):
            rows.append(
                {
                    "k": k * 10 + len(tables),  # unique in its table (a key must be)
                    "e": draw(st.sampled_from(EMAILS)),
                    "a": draw(st.sampled_from(LINK_VALUES)),
                    "b": draw(st.sampled_from(LINK_VALUES)),
                }
            )
        tables.append(rows)
    return World(keyed, has_email, split, refs, tables)


def _usable(value: Scalar) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _identity(world: World, i: int, row: Row) -> tuple[object, ...]:
    if world.keyed[i]:
        return ("key", row["k"])
    return ("row", tuple(sorted((c, repr(v)) for c, v in row.items())))


def naive(world: World) -> dict[int, dict[tuple[object, ...], Row]]:
    """Row by row, as a person would: every row reachable from the identity, one at a time."""
    found: dict[int, dict[tuple[object, ...], Row]] = {i: {} for i in range(len(world.tables))}
    queue: list[tuple[int, Row]] = []

    def take(i: int, row: Row) -> None:
        key = _identity(world, i, row)
        if key not in found[i]:
            found[i][key] = row
            queue.append((i, row))

    for i, table in enumerate(world.tables):
        if world.has_email[i]:
            for row in table:
                if matches(row["e"], {EMAIL}, fold=True):
                    take(i, row)
    while queue:
        i, row = queue.pop()
        for r in world.refs:
            flows = []
            if r.direction in (Direction.FROM, Direction.BOTH) and r.parent == i:
                flows.append((r.parent_column, r.child, r.child_column))
            if r.direction in (Direction.TO, Direction.BOTH) and r.child == i:
                flows.append((r.child_column, r.parent, r.parent_column))
            for source, j, target in flows:
                value = row[source]
                if not _usable(value):
                    continue
                for other in world.tables[j]:
                    if matches(other[target], {value}, fold=world.fold(j, target)):
                        take(j, other)
    return found


#: 1 and True, both wanted in one column: one set cannot ask for both
ONE_AND_TRUE = World(
    keyed=[False],
    has_email=[True],
    split=False,
    refs=[Ref(0, "b", 0, "a", Direction.TO), Ref(0, "a", 0, "a", Direction.TO)],
    tables=[
        [
            {"k": 10, "e": EMAIL, "a": 1, "b": True},
            {"k": 0, "e": "q@x.jp", "a": 1, "b": 0},
            {"k": 20, "e": "q@x.jp", "a": True, "b": 0},
        ]
    ],
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
@example(ONE_AND_TRUE)
def test_locate_equals_the_naive_traversal(world: World) -> None:
    note(f"references: {world.refs}")
    datamap = world.datamap()
    by_system: dict[str, dict[str, list[Row]]] = {}
    for loc in datamap.locations():
        i = int(loc.collection.name[1:])
        by_system.setdefault(loc.system.key, {})[loc.address] = world.tables[i]
    connectors = {system: MemoryConnector(tables) for system, tables in by_system.items()}
    located = locate(
        datamap=datamap,
        connectors=connectors,
        identities=Identities(values={Identity.EMAIL: (EMAIL,)}),
    )
    expected = naive(world)
    for i in range(len(world.tables)):
        address = world.address(i)
        dataset, collection = address.split(".")
        got = located.rows_in(dataset, collection)
        keys = [_identity(world, i, row) for row in got]
        assert len(keys) == len(set(keys)), f"{address}: a row found twice"
        assert set(keys) == set(expected[i]), address
    fetches = [fetch for c in connectors.values() for fetch in c.fetches]
    assert located.queries == len(fetches)
    asked: set[tuple[str, str, object]] = set()
    for fetch in fetches:
        i = int(fetch.address.split(".c")[1])
        for column, values in fetch.where.items():
            assert values, f"{fetch.address}.{column}: asked for nothing"
            for value in values:
                assert _usable(value)
                shown = (
                    value.casefold() if isinstance(value, str) and world.fold(i, column) else value
                )
                key = (fetch.address, column, (type(value) is bool, shown))
                assert key not in asked, f"{fetch.address}.{column} looked up twice"
                asked.add(key)
