"""The map as a graph: edges, the erasure order (chains, diamonds, cycles), identities, and
the default erasure of each field."""

from __future__ import annotations

from datamap_samples import SHOP, parse

from kojin.datamap.graph import (
    Edge,
    FieldRef,
    edges,
    erasure_order,
    field_strategy,
    identity_fields,
    linked_fields,
)
from kojin.datamap.model import (
    Collection,
    DataMap,
    Dataset,
    Direction,
    Erasure,
    Identity,
    MapField,
    Reference,
    StoreKind,
    Strategy,
    System,
)


def _map(links: dict[str, list[str]], *, direction: Direction = Direction.FROM) -> DataMap:
    """Collections named by `links`' keys, in that order; each holds a reference to the `id`
    of every collection its list names."""
    collections = [
        Collection(
            name=name,
            fields=(
                MapField(name="id", primary_key=True),
                *(
                    MapField(
                        name=f"{target}_id",
                        references=(
                            Reference(
                                dataset="d", collection=target, field="id", direction=direction
                            ),
                        ),
                    )
                    for target in targets
                ),
            ),
        )
        for name, targets in links.items()
    ]
    dataset = Dataset(key="d", collections=tuple(collections))
    return DataMap(systems=(System(key="s", store=StoreKind.SQL, datasets=(dataset,)),))


def _order(datamap: DataMap) -> list[str]:
    return [loc.collection.name for loc in erasure_order(datamap)]


def test_edges_follow_the_direction_of_each_reference() -> None:
    datamap = parse(SHOP)
    customers_id = FieldRef("shop_db", "customers", "id")
    export = FieldRef("crm", "customer_export", "customer_id")
    assert edges(datamap) == [
        Edge(customers_id, FieldRef("shop_db", "orders", "customer_id")),
        Edge(FieldRef("shop_db", "orders", "id"), FieldRef("shop_db", "payments", "order_id")),
        Edge(customers_id, export),  # no direction: both ways
        Edge(export, customers_id),
    ]
    assert customers_id.address == "shop_db.customers.id"
    to = _map({"a": ["b"], "b": []}, direction=Direction.TO)
    assert edges(to) == [Edge(FieldRef("d", "a", "b_id"), FieldRef("d", "b", "id"))]


def test_children_come_before_parents_whatever_the_map_order() -> None:
    # payments name orders, orders and the export name customers
    assert _order(parse(SHOP)) == ["payments", "orders", "customer_export", "customers"]
    chain = _map({"customers": [], "orders": ["customers"], "lines": ["orders"]})
    assert _order(chain) == ["lines", "orders", "customers"]
    # the direction of a reference does not change which row holds it
    assert _order(_map({"a": [], "b": ["a"]}, direction=Direction.TO)) == ["b", "a"]


def test_a_diamond_is_ordered_with_every_parent_after_its_children() -> None:
    # top <- left, top <- right, left <- bottom, right <- bottom
    diamond = _map({"top": [], "left": ["top"], "right": ["top"], "bottom": ["left", "right"]})
    assert _order(diamond) == ["bottom", "left", "right", "top"]
    unrelated = _map({"x": [], "top": [], "left": ["top"], "y": []})
    assert _order(unrelated) == ["x", "left", "top", "y"]


def test_cycles_are_kept_together_in_map_order_and_placed_as_a_whole() -> None:
    two = _map({"a": ["b"], "b": ["a"]})
    assert _order(two) == ["a", "b"]
    # c names the cycle {a, b}: c first; the cycle names d: d last; self-references ignored
    graph = _map({"d": [], "a": ["b", "a"], "b": ["a", "d"], "c": ["a"]})
    assert _order(graph) == ["c", "a", "b", "d"]
    three = _map({"p": ["q"], "q": ["r"], "r": ["p"], "s": ["r"]})
    assert _order(three) == ["s", "p", "q", "r"]
    again = _map({"p": ["q"], "q": ["r"], "r": ["p"], "s": ["r"]})
    assert erasure_order(again) == erasure_order(three)  # deterministic


def test_identity_fields_in_map_order() -> None:
    found = identity_fields(parse(SHOP))
    assert found == {
        Identity.EMAIL: [
            FieldRef("shop_db", "customers", "email"),
            FieldRef("crm", "customer_export", "email"),
        ]
    }


def test_the_default_erasure_keeps_links_and_unkeyed_rows() -> None:
    datamap = parse(SHOP)
    linked = linked_fields(datamap)
    assert FieldRef("shop_db", "customers", "id") in linked  # a key, and referenced
    assert FieldRef("shop_db", "orders", "customer_id") in linked
    assert FieldRef("shop_db", "customers", "full_name") not in linked
    customers = datamap.systems[0].datasets[0].collections[0]

    def strategy(collection: Collection, name: str) -> Strategy:
        item = collection.field(name)
        assert item is not None
        ref = FieldRef("shop_db", collection.name, name)
        return field_strategy(collection, item, linked=ref in linked)

    assert strategy(customers, "full_name") is Strategy.SET_NULL  # personal
    assert strategy(customers, "email") is Strategy.HMAC  # its own
    assert strategy(customers, "id") is Strategy.KEEP
    orders = datamap.systems[0].datasets[0].collections[1]
    assert strategy(orders, "note") is Strategy.KEEP  # not personal
    unkeyed = Collection(name="c", fields=(MapField(name="e", kinds=("email",)),))
    assert field_strategy(unkeyed, unkeyed.fields[0], linked=False) is Strategy.KEEP
    kept = customers.model_copy(update={"erasure": Strategy.KEEP})
    assert strategy(kept, "full_name") is Strategy.KEEP
    fixed = MapField(name="x", erasure=Erasure(strategy=Strategy.FIXED, value="-"))
    assert field_strategy(customers, fixed, linked=False) is Strategy.FIXED
