"""Locating a person's rows: set-based, one fetch per collection per sweep, nobody else's rows."""

from __future__ import annotations

from typing import cast

import pytest
from engine_memory import MemoryConnector
from engine_sample import HANAKO, HANAKO_KEYS, sample_connectors, sample_map

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
from kojin.errors import ConfigurationError, DataMapError
from kojin.fulfilment.identities import Identities, identities_from
from kojin.fulfilment.locate import Located, locate

#: the order the sample's collections are visited in: values flow forward
SWEEP = [
    "exports.newsletter",
    "shop_db.customers",
    "crm_db.contacts",
    "shop_db.orders",
    "crm_db.tickets",
    "shop_db.payments",
    "shop_db.events",
]


def _keys(located: Located) -> dict[str, list[int]]:
    return {
        c.address: sorted(cast(int, row["id"]) for row in c.rows)
        for c in located.collections
        if c.address != "shop_db.events"
    }


def test_locate_finds_exactly_the_persons_rows_with_one_fetch_per_collection_per_sweep() -> None:
    connectors = sample_connectors()
    seen: list[str] = []
    located = locate(
        datamap=sample_map(),
        connectors=connectors,
        identities=identities_from(email=HANAKO),
        progress=seen.append,
    )
    assert _keys(located) == HANAKO_KEYS
    # the two identical event rows are one row (no key: rows compared whole)
    events = sorted(str(r["event"]) for r in located.rows_in("shop_db", "events"))
    assert events == ["login", "logout"]
    assert located.rows_in("shop_db", "nowhere") == []
    # sweep 1 visits every collection once; the guest order 103 (found through a ticket) needs a
    # second sweep of the orders <-> tickets cycle and of payments below it
    assert seen == [*SWEEP, "shop_db.orders", "crm_db.tickets", "shop_db.payments"]
    assert located.queries == 10
    assert sum(c.fetch_count for c in connectors.values()) == 10
    # the collections come in map order, with every column of each row
    assert [c.address for c in located.collections] == [
        "shop_db.customers",
        "shop_db.orders",
        "shop_db.payments",
        "shop_db.events",
        "crm_db.contacts",
        "crm_db.tickets",
        "exports.newsletter",
    ]
    assert located.rows_in("shop_db", "customers")[0]["password_hash"] == "x"


def test_locate_never_touches_other_people_and_asks_each_value_once() -> None:
    connectors = sample_connectors()
    locate(datamap=sample_map(), connectors=connectors, identities=identities_from(email=HANAKO))
    returned = [row for c in connectors.values() for fetch in c.fetches for row in fetch.returned]
    assert returned
    others = {"taro@example.jp", "佐藤 太郎", 2, 12, 201, 202, 502, 32, 33, 2001}
    for row in returned:
        assert not others & {v for v in row.values() if v is not None and v != 1}, row
    asked: dict[tuple[str, str], list[Scalar]] = {}
    for connector in connectors.values():
        for fetch in connector.fetches:
            for column, wanted in fetch.where.items():
                asked.setdefault((fetch.address, column), []).extend(wanted)
    for (address, column), values in asked.items():
        assert len(values) == len(set(values)), f"{address}.{column} looked up twice"
    # the e-mail identity columns compare case-insensitively
    contacts = next(f for f in connectors["crm"].fetches if f.address == "crm_db.contacts")
    assert contacts.casefold == {"email"}
    assert contacts.where["email"] == {HANAKO}
    assert contacts.where["id"] == {11}
    assert contacts.where["customer_no"] == {1}


def test_locate_by_phone_finds_the_hyphenless_form_and_follows_from_there() -> None:
    connectors = sample_connectors()
    located = locate(
        datamap=sample_map(),
        connectors=connectors,
        identities=identities_from(phone="090-1234-5678"),
    )
    # contacts.tel holds 09012345678: one of the phone's forms. The newsletter's reference to
    # contacts goes `to` them: a contact does not lead back to the newsletter row
    expected = {k: v for k, v in HANAKO_KEYS.items() if k != "exports.newsletter"}
    assert _keys(located) == expected


def test_locate_with_no_identity_the_map_holds_queries_nothing() -> None:
    connectors = sample_connectors()
    located = locate(
        datamap=sample_map(),
        connectors=connectors,
        identities=identities_from(postal_code="100-0001"),
    )
    assert located == Located(collections=[], queries=0)
    assert all(c.fetch_count == 0 for c in connectors.values())


def test_an_unknown_person_costs_one_query_per_identity_collection() -> None:
    connectors = sample_connectors()
    located = locate(
        datamap=sample_map(),
        connectors=connectors,
        identities=identities_from(email="nobody@example.jp"),
    )
    assert located.collections == []
    assert located.queries == 3  # newsletter, customers, contacts


def test_a_reachable_system_without_a_connector_is_named() -> None:
    connectors = sample_connectors()
    del connectors["crm"]
    with pytest.raises(ConfigurationError, match=r"'crm'.*KOJIN_STORE_CRM_URL") as caught:
        locate(
            datamap=sample_map(), connectors=connectors, identities=identities_from(email=HANAKO)
        )
    assert HANAKO not in caught.value.message
    assert all(c.fetch_count == 0 for c in connectors.values())


def _two(direction: Direction, *, identity_on_child: bool) -> DataMap:
    parent = Collection(
        name="parent",
        fields=(
            MapField(name="id", primary_key=True),
            MapField(name="email", identity=None if identity_on_child else Identity.EMAIL),
        ),
    )
    child = Collection(
        name="child",
        fields=(
            MapField(name="id", primary_key=True),
            MapField(name="email", identity=Identity.EMAIL if identity_on_child else None),
            MapField(
                name="parent_id",
                references=(
                    Reference(dataset="d", collection="parent", field="id", direction=direction),
                ),
            ),
        ),
    )
    return DataMap(
        systems=(
            System(
                key="s",
                store=StoreKind.SQL,
                datasets=(Dataset(key="d", collections=(parent, child)),),
            ),
        )
    )


@pytest.mark.parametrize(
    ("direction", "identity_on_child", "found"),
    [
        # from: the parent's values find children; not the other way
        (Direction.FROM, False, {"d.parent": [1], "d.child": [10]}),
        (Direction.FROM, True, {"d.child": [10]}),
        # to: the child's values find its parent; not the other way
        (Direction.TO, False, {"d.parent": [1]}),
        (Direction.TO, True, {"d.parent": [1], "d.child": [10]}),
        (Direction.BOTH, False, {"d.parent": [1], "d.child": [10]}),
        (Direction.BOTH, True, {"d.parent": [1], "d.child": [10]}),
    ],
)
def test_reference_directions(
    direction: Direction, identity_on_child: bool, found: dict[str, list[int]]
) -> None:
    email = "a@example.jp"
    tables: dict[str, list[Row]] = {
        "d.parent": [
            {"id": 1, "email": None if identity_on_child else email},
            {"id": 2, "email": None},
        ],
        "d.child": [
            {"id": 10, "email": email if identity_on_child else None, "parent_id": 1},
            {"id": 20, "email": None, "parent_id": 2},
        ],
    }
    located = locate(
        datamap=_two(direction, identity_on_child=identity_on_child),
        connectors={"s": MemoryConnector(tables)},
        identities=Identities(values={Identity.EMAIL: (email,)}),
    )
    assert {c.address: [r["id"] for r in c.rows] for c in located.collections} == found


def test_a_reference_to_a_collection_outside_the_map_is_a_datamap_error() -> None:
    broken = Collection(
        name="c",
        fields=(
            MapField(
                name="x",
                references=(Reference(dataset="d", collection="gone", field="id"),),
            ),
        ),
    )
    datamap = DataMap(
        systems=(
            System(
                key="s", store=StoreKind.SQL, datasets=(Dataset(key="d", collections=(broken,)),)
            ),
        )
    )
    with pytest.raises(DataMapError, match=r"d\.c\.x: references d\.gone"):
        locate(datamap=datamap, connectors={}, identities=identities_from(email="a@example.jp"))


def test_a_key_found_before_its_lookup_is_not_looked_up() -> None:
    # a person's two accounts point at each other: the second is found by its e-mail in the same
    # fetch that offers its key, so its key is never asked for
    accounts = Collection(
        name="accounts",
        fields=(
            MapField(name="id", primary_key=True),
            MapField(name="email", identity=Identity.EMAIL),
            MapField(
                name="partner",
                references=(
                    Reference(
                        dataset="d", collection="accounts", field="id", direction=Direction.TO
                    ),
                ),
            ),
        ),
    )
    datamap = DataMap(
        systems=(
            System(
                key="s", store=StoreKind.SQL, datasets=(Dataset(key="d", collections=(accounts,)),)
            ),
        )
    )
    connector = MemoryConnector(
        {
            "d.accounts": [
                {"id": 1, "email": "a@example.jp", "partner": 2},
                {"id": 2, "email": "A@example.jp", "partner": 1},
                {"id": 3, "email": "b@example.jp", "partner": None},
            ]
        }
    )
    located = locate(
        datamap=datamap,
        connectors={"s": connector},
        identities=identities_from("a@example.jp"),
    )
    assert [r["id"] for r in located.rows_in("d", "accounts")] == [1, 2]
    assert located.queries == 1
