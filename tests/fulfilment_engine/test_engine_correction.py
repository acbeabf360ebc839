"""Correction plans: targets by field or by kind, deletions of items, refusals without values."""

from __future__ import annotations

import pytest
from engine_sample import HANAKO, f, ref, sample_connectors, sample_map

from kojin.connectors.base import Row
from kojin.datamap.model import Collection, DataMap, Dataset, Direction, StoreKind, System
from kojin.errors import InputError
from kojin.fulfilment.identities import identities_from
from kojin.fulfilment.locate import Located, LocatedCollection, locate
from kojin.fulfilment.plans import ItemChange, KeyedChange, PlanKind, plan_correction

NEW_EMAIL = "hanako.new@example.jp"


def _hanako() -> Located:
    return locate(
        datamap=sample_map(), connectors=sample_connectors(), identities=identities_from(HANAKO)
    )


def test_a_field_target_changes_the_persons_rows_only() -> None:
    plan = plan_correction(
        datamap=sample_map(),
        located=_hanako(),
        changes=[ItemChange(target="shop_db.customers.name", value="山田 華子")],
    )
    assert plan.kind is PlanKind.CORRECTION
    assert [(c.address, c.changes) for c in plan.collections] == [
        (
            "shop_db.customers",
            [KeyedChange(key=[1], values={"name": "山田 華子"}, before={"name": "山田 花子"})],
        )
    ]


def test_a_kind_target_changes_every_located_field_of_that_kind() -> None:
    plan = plan_correction(
        datamap=sample_map(),
        located=_hanako(),
        changes=[ItemChange(target="kind:email", value=NEW_EMAIL)],
    )
    assert {c.address: [(ch.key, ch.values) for ch in c.changes] for c in plan.collections} == {
        "exports.newsletter": [([31], {"email": NEW_EMAIL})],
        "crm_db.contacts": [([11], {"email": NEW_EMAIL})],
        "shop_db.customers": [([1], {"email": NEW_EMAIL})],
    }


def test_only_rows_whose_value_differs_change_and_none_deletes_the_item() -> None:
    plan = plan_correction(
        datamap=sample_map(),
        located=_hanako(),
        changes=[
            ItemChange(target="kind:person_name", value="山田 花子"),
            ItemChange(target="shop_db.customers.phone", value=None),
            ItemChange(target="crm_db.contacts.note", value=None),
        ],
    )
    # customers.name and the orders' shipping names already read so; the contact's does not
    assert {c.address: [(ch.key, ch.values) for ch in c.changes] for c in plan.collections} == {
        "crm_db.contacts": [([11], {"full_name": "山田 花子", "note": None})],
        "shop_db.customers": [([1], {"phone": None})],
    }


def test_a_number_is_compared_as_text() -> None:
    plan = plan_correction(
        datamap=sample_map(),
        located=_hanako(),
        changes=[ItemChange(target="shop_db.payments.amount", value="5000")],
    )
    (payments,) = plan.collections
    assert [c.key for c in payments.changes] == [[1002], [1003]]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("shop_db.customers.id", "shop_db.customers.id: shop_db.customers.id is a primary key"),
        ("shop_db.orders.customer_id", "is a field that links collections"),
        ("kind:passport", "kind:passport: no field of the person's data holds it"),
        ("shop_db.customers.nope", "shop_db.customers.nope: not a field of the data map"),
        ("nowhere.customers.name", "nowhere.customers.name: not a field of the data map"),
    ],
)
def test_refusals_name_the_target_and_never_the_value(target: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        plan_correction(
            datamap=sample_map(),
            located=_hanako(),
            changes=[ItemChange(target=target, value="秘密の値")],
        )
    assert message in caught.value.message
    assert "秘密の値" not in caught.value.message
    assert caught.value.field == "target"


def test_a_target_that_is_not_a_target_is_not_repeated() -> None:
    with pytest.raises(InputError) as caught:
        plan_correction(
            datamap=sample_map(),
            located=_hanako(),
            changes=[ItemChange(target=HANAKO, value="x")],
        )
    assert HANAKO not in caught.value.message
    assert "dataset.collection.field or kind:<kind>" in caught.value.message


def test_a_field_where_the_person_has_no_rows_is_refused() -> None:
    located = _hanako()
    located = Located(
        collections=[c for c in located.collections if c.collection != "tickets"], queries=0
    )
    with pytest.raises(InputError, match=r"crm_db\.tickets\.body: the person has no rows"):
        plan_correction(
            datamap=sample_map(),
            located=located,
            changes=[ItemChange(target="crm_db.tickets.body", value="x")],
        )


def test_two_targets_changing_one_field_differently_are_refused() -> None:
    with pytest.raises(
        InputError, match=r"kind:email and shop_db\.customers\.email change .* differently"
    ):
        plan_correction(
            datamap=sample_map(),
            located=_hanako(),
            changes=[
                ItemChange(target="kind:email", value=NEW_EMAIL),
                ItemChange(target="shop_db.customers.email", value="other@example.jp"),
            ],
        )


def test_a_kind_that_reaches_a_linking_field_is_refused() -> None:
    # the newsletter finds its subscribers' accounts by e-mail: changing one side would
    # detach them
    accounts = Collection(
        name="accounts",
        fields=(f("id", primary_key=True), f("email", kinds=("email",))),
    )
    letters = Collection(
        name="letters",
        fields=(
            f("id", primary_key=True),
            f("email", kinds=("email",), references=ref("d.accounts.email", Direction.TO)),
        ),
    )
    datamap = DataMap(
        systems=(
            System(
                key="s",
                store=StoreKind.SQL,
                datasets=(Dataset(key="d", collections=(accounts, letters)),),
            ),
        )
    )
    row: Row = {"id": 1, "email": HANAKO}
    located = Located(
        collections=[
            LocatedCollection(system="s", dataset="d", collection=name, rows=[row])
            for name in ("accounts", "letters")
        ],
        queries=1,
    )
    with pytest.raises(InputError, match=r"kind:email: d\.accounts\.email is a field that links"):
        plan_correction(
            datamap=datamap,
            located=located,
            changes=[ItemChange(target="kind:email", value=NEW_EMAIL)],
        )


def test_no_changes_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no item changes"):
        plan_correction(datamap=sample_map(), located=_hanako(), changes=[])
