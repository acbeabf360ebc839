"""Applying plans: deletes then changes, grouped; a second application writes nothing."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from engine_sample import HANAKO, sample_connectors, sample_map, sample_tables, token

from kojin.errors import ConfigurationError
from kojin.fulfilment.apply import apply_collection
from kojin.fulfilment.identities import identities_from
from kojin.fulfilment.locate import locate
from kojin.fulfilment.plans import (
    CollectionPlan,
    ItemChange,
    KeyedChange,
    plan_correction,
    plan_erasure,
)


def test_an_erasure_applied_twice_writes_once() -> None:
    datamap = sample_map()
    connectors = sample_connectors()
    before = copy.deepcopy(sample_tables())
    located = locate(datamap=datamap, connectors=connectors, identities=identities_from(HANAKO))
    plan = plan_erasure(datamap=datamap, located=located, today=date(2026, 12, 1), token=token)
    first = [
        apply_collection(datamap=datamap, connector=connectors[c.system], plan=c)
        for c in plan.collections
    ]
    assert first == [c.rows_planned for c in plan.collections]
    assert sum(first) == 9
    second = [
        apply_collection(datamap=datamap, connector=connectors[c.system], plan=c)
        for c in plan.collections
    ]
    assert second == [0] * len(plan.collections)

    shop = connectors["shop"].tables
    assert [r["id"] for r in shop["shop_db.payments"]] == [1002, 1003, 2001]
    assert [r["id"] for r in shop["shop_db.orders"]] == [102, 103, 201, 202]
    assert shop["shop_db.orders"][0]["shipping_name"] is None
    assert shop["shop_db.orders"][0]["customer_id"] == 1  # the reference is kept
    assert shop["shop_db.customers"][0]["email"] == token("shop_db.customers.email", HANAKO)
    assert connectors["marketing"].tables["exports.newsletter"][0]["id"] == 32
    # Taro's rows are as they were
    for system, tables in before.items():
        for address, rows in tables.items():
            taro = [r for r in rows if "佐藤" in str(r) or "taro" in str(r).lower()]
            assert all(r in connectors[system].tables[address] for r in taro)
    # nothing of hers can be found by her e-mail any more
    again = locate(datamap=datamap, connectors=connectors, identities=identities_from(HANAKO))
    assert again.collections == []


def test_changes_are_sent_in_one_update_grouped_by_new_values() -> None:
    datamap = sample_map()
    connectors = sample_connectors()
    plan = CollectionPlan(
        system="shop",
        dataset="shop_db",
        collection="orders",
        changes=[
            KeyedChange(key=[101], values={"shipping_name": None}, before={}),
            KeyedChange(key=[201], values={"shipping_name": "x"}, before={}),
            KeyedChange(key=[102], values={"shipping_name": None}, before={}),
            KeyedChange(key=[999], values={"shipping_name": None}, before={}),
        ],
        deletes=[[103], [998]],
    )
    written = apply_collection(datamap=datamap, connector=connectors["shop"], plan=plan)
    # 103 deleted (998 does not exist); 101, 102 and 201 changed (999 does not exist)
    assert written == 4
    shop = connectors["shop"]
    assert shop.delete_calls == [("shop_db.orders", [(103,), (998,)])]
    ((address, changes),) = shop.update_calls
    assert address == "shop_db.orders"
    assert [c.key for c in changes] == [(101,), (102,), (999,), (201,)]


def test_a_correction_applied_twice_writes_once() -> None:
    datamap = sample_map()
    connectors = sample_connectors()
    located = locate(datamap=datamap, connectors=connectors, identities=identities_from(HANAKO))
    plan = plan_correction(
        datamap=datamap,
        located=located,
        changes=[ItemChange(target="kind:person_name", value="山田 華子")],
    )
    counts = [
        [apply_collection(datamap=datamap, connector=connectors[c.system], plan=c) for _ in "12"]
        for c in plan.collections
    ]
    assert counts == [[3, 0], [1, 0], [1, 0]]  # orders, contacts, customers
    assert [c.address for c in plan.collections] == [
        "shop_db.orders",
        "crm_db.contacts",
        "shop_db.customers",
    ]


def test_a_plan_for_a_collection_outside_the_map_is_refused() -> None:
    plan = CollectionPlan(system="shop", dataset="shop_db", collection="gone")
    with pytest.raises(ConfigurationError, match=r"shop_db\.gone"):
        apply_collection(datamap=sample_map(), connector=sample_connectors()["shop"], plan=plan)
    wrong_system = CollectionPlan(system="crm", dataset="shop_db", collection="orders")
    with pytest.raises(ConfigurationError):
        apply_collection(
            datamap=sample_map(), connector=sample_connectors()["shop"], plan=wrong_system
        )
