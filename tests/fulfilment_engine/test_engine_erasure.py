"""Erasure plans: order, strategies, HMAC tokens, retention holds and the masked parents."""

from __future__ import annotations

from datetime import date

import pytest
from engine_memory import MemoryConnector
from engine_sample import HANAKO, TAX_HOLD, f, ref, sample_connectors, sample_map, token

from kojin.connectors.base import Row, Scalar
from kojin.datamap.model import (
    Collection,
    DataMap,
    Dataset,
    Direction,
    Erasure,
    Identity,
    LocalText,
    RetentionHold,
    StoreKind,
    Strategy,
    System,
)
from kojin.errors import ConfigurationError
from kojin.fulfilment.identities import identities_from
from kojin.fulfilment.locate import Located, LocatedCollection, locate
from kojin.fulfilment.plans import HeldRows, KeyedChange, PlanKind, plan_erasure

TODAY = date(2026, 12, 1)


def _hanako() -> Located:
    return locate(
        datamap=sample_map(), connectors=sample_connectors(), identities=identities_from(HANAKO)
    )


def test_the_sample_erasure_plan() -> None:
    plan = plan_erasure(datamap=sample_map(), located=_hanako(), today=TODAY, token=token)
    assert plan.kind is PlanKind.ERASURE
    # children before parents; events has nothing personal to erase and is left out
    assert [c.address for c in plan.collections] == [
        "shop_db.payments",
        "crm_db.tickets",
        "shop_db.orders",
        "exports.newsletter",
        "crm_db.contacts",
        "shop_db.customers",
    ]
    payments, tickets, orders, newsletter, contacts, customers = plan.collections
    # 1001 was paid 2018-01-10: its hold ended 2025-01-10; 1002 and 1003 are kept
    assert payments.deletes == [[1001]]
    assert payments.changes == []
    assert payments.held == [
        HeldRows(
            count=2,
            until=date(2031, 5, 1),
            reason=TAX_HOLD.reason,
            citation="Corporation Tax Act Art. 126",
        )
    ]
    assert tickets.deletes == [[501], [503]]
    # orders 102 and 103 are referenced by held payments: masked, not deleted
    assert orders.deletes == [[101]]
    assert orders.masked == 2
    masked_order = {"shipping_name": None, "shipping_address": None}
    assert [(c.key, c.values) for c in orders.changes] == [
        ([102], masked_order),
        ([103], masked_order),
    ]
    assert orders.changes[0].before == {
        "shipping_name": "山田 花子",
        "shipping_address": "東京都千代田区1-1",
    }
    assert newsletter.deletes == [[31]]
    # field by field: HMAC, null for personal fields, a fixed value; the note is not personal and
    # the reference to customers is kept
    assert contacts.deletes == []
    assert contacts.changes == [
        KeyedChange(
            key=[11],
            values={
                "email": token("crm_db.contacts.email", "Hanako@Example.JP"),
                "full_name": None,
                "tel": "000-0000-0000",
            },
            before={"email": "Hanako@Example.JP", "full_name": "山田花子", "tel": "09012345678"},
        )
    ]
    # the customer is referenced by a kept order, the contact and the events: masked
    assert customers.deletes == []
    assert customers.masked == 1
    assert customers.changes[0].values == {
        "email": token("shop_db.customers.email", HANAKO),
        "name": None,
        "phone": None,
    }
    assert plan.rows_planned == 1 + 2 + 3 + 1 + 1 + 1


def test_the_plan_is_deterministic_and_tokens_are_keyed_by_field() -> None:
    located = _hanako()
    calls: list[tuple[str, str]] = []

    def recording(address: str, value: str) -> str:
        calls.append((address, value))
        return token(address, value)

    one = plan_erasure(datamap=sample_map(), located=located, today=TODAY, token=recording)
    two = plan_erasure(datamap=sample_map(), located=located, today=TODAY, token=token)
    assert one == two
    assert sorted(calls) == [
        ("crm_db.contacts.email", "Hanako@Example.JP"),
        ("shop_db.customers.email", HANAKO),
    ]


def _slips(*dates: Scalar, hold_field: str | None = "issued_on") -> tuple[DataMap, Located]:
    hold = RetentionHold(
        reason=LocalText(en="tax slips", ja="源泉徴収票"), years=7, since_field=hold_field
    )
    slips = Collection(
        name="slips",
        erasure=Strategy.DELETE_ROW,
        retention_hold=hold,
        fields=(f("id", primary_key=True), f("issued_on"), f("my_number", kinds=("my_number",))),
    )
    datamap = DataMap(
        systems=(
            System(
                key="hr", store=StoreKind.SQL, datasets=(Dataset(key="hr", collections=(slips,)),)
            ),
        )
    )
    rows: list[Row] = [{"id": i, "issued_on": d, "my_number": "x"} for i, d in enumerate(dates)]
    located = Located(
        collections=[LocatedCollection(system="hr", dataset="hr", collection="slips", rows=rows)],
        queries=1,
    )
    return datamap, located


@pytest.mark.parametrize(
    ("issued_on", "today", "held_until"),
    [
        # the hold ends on the anniversary: kept the day before, erased on the day
        ("2019-12-02", TODAY, date(2026, 12, 2)),
        ("2019-12-01", TODAY, None),
        ("2019-11-30", TODAY, None),
        # a leap day's anniversary in a common year is 28 February
        ("2020-02-29", date(2027, 2, 27), date(2027, 2, 28)),
        ("2020-02-29", date(2027, 2, 28), None),
        ("2020-02-29", date(2027, 3, 1), None),
        # to a leap year, the leap day itself
        ("2021-02-28", date(2028, 2, 27), date(2028, 2, 28)),
        # a date-time with an offset is read in Japan's time zone: 2019-12-01 20:00 UTC is
        # 2 December in Tokyo
        ("2019-12-01T20:00:00+00:00", TODAY, date(2026, 12, 2)),
        ("2019-12-01T10:00:00", TODAY, None),
        ("2019/12/02", TODAY, date(2026, 12, 2)),
        # a missing or unreadable date counts as held from today
        (None, TODAY, date(2033, 12, 1)),
        ("someday", TODAY, date(2033, 12, 1)),
        (20191202, TODAY, date(2033, 12, 1)),
    ],
)
def test_retention_hold_boundaries(issued_on: Scalar, today: date, held_until: date | None) -> None:
    datamap, located = _slips(issued_on)
    plan = plan_erasure(datamap=datamap, located=located, today=today, token=token)
    (slips,) = plan.collections
    if held_until is None:
        assert slips.deletes == [[0]]
        assert slips.held == []
    else:
        assert slips.deletes == []
        assert [(h.count, h.until) for h in slips.held] == [(1, held_until)]


def test_held_rows_are_summarised_with_the_latest_end() -> None:
    datamap, located = _slips("2019-12-02", "2024-01-01", "2010-01-01", None, hold_field=None)
    plan = plan_erasure(datamap=datamap, located=located, today=TODAY, token=token)
    # without a date field every row is held from today
    assert plan.collections[0].held[0].count == 4
    assert plan.collections[0].held[0].until == date(2033, 12, 1)
    datamap, located = _slips("2019-12-02", "2024-01-01", "2010-01-01")
    (slips,) = plan_erasure(datamap=datamap, located=located, today=TODAY, token=token).collections
    assert slips.deletes == [[2]]
    assert slips.held[0].count == 2
    assert slips.held[0].until == date(2031, 1, 1)
    assert slips.held[0].reason.ja == "源泉徴収票"


def _chain() -> DataMap:
    """accounts <- invoices <- receipts (held): every collection deletes rows."""
    accounts = Collection(
        name="accounts",
        erasure=Strategy.DELETE_ROW,
        fields=(f("id", primary_key=True), f("email", identity=Identity.EMAIL)),
    )
    invoices = Collection(
        name="invoices",
        erasure=Strategy.DELETE_ROW,
        fields=(
            f("id", primary_key=True),
            f("account_id", references=ref("b.accounts.id", Direction.FROM)),
            f("billing_name", kinds=("person_name",), erasure=Erasure(strategy=Strategy.HMAC)),
            f("total"),
        ),
    )
    receipts = Collection(
        name="receipts",
        erasure=Strategy.DELETE_ROW,
        retention_hold=TAX_HOLD,
        fields=(
            f("id", primary_key=True),
            f("invoice_id", references=ref("b.invoices.id", Direction.FROM)),
            f("paid_on"),
        ),
    )
    return DataMap(
        systems=(
            System(
                key="billing",
                store=StoreKind.SQL,
                datasets=(Dataset(key="b", collections=(accounts, invoices, receipts)),),
            ),
        )
    )


def test_a_held_row_keeps_its_parents_and_their_parents_masked() -> None:
    tables: dict[str, list[Row]] = {
        "b.accounts": [{"id": 1, "email": "a@example.jp"}],
        "b.invoices": [
            {"id": 10, "account_id": 1, "billing_name": "A", "total": 1},
            {"id": 11, "account_id": 1, "billing_name": "A", "total": 2},
        ],
        "b.receipts": [
            {"id": 100, "invoice_id": 10, "paid_on": "2025-06-01"},
            {"id": 101, "invoice_id": 11, "paid_on": "2015-06-01"},
        ],
    }
    datamap = _chain()
    connector = MemoryConnector(tables)
    located = locate(
        datamap=datamap,
        connectors={"billing": connector},
        identities=identities_from("a@example.jp"),
    )
    plan = plan_erasure(datamap=datamap, located=located, today=TODAY, token=token)
    receipts, invoices, accounts = plan.collections
    assert (receipts.address, receipts.deletes, receipts.held[0].count) == (
        "b.receipts",
        [[101]],
        1,
    )
    # invoice 10 is under a held receipt: masked (its own HMAC strategy applies); 11 is deleted
    assert invoices.deletes == [[11]]
    assert invoices.masked == 1
    assert [(c.key, c.values) for c in invoices.changes] == [
        ([10], {"billing_name": token("b.invoices.billing_name", "A")})
    ]
    # the account is under a masked invoice: masked too (the e-mail is an identity: nulled)
    assert accounts.deletes == []
    assert accounts.masked == 1
    assert [(c.key, c.values) for c in accounts.changes] == [([1], {"email": None})]


def test_rows_without_a_primary_key_cannot_be_erased() -> None:
    loose = Collection(name="loose", fields=(f("email", identity=Identity.EMAIL),))
    datamap = DataMap(
        systems=(
            System(
                key="s", store=StoreKind.SQL, datasets=(Dataset(key="d", collections=(loose,)),)
            ),
        )
    )
    located = Located(
        collections=[
            LocatedCollection(
                system="s", dataset="d", collection="loose", rows=[{"email": "a@b.jp"}]
            )
        ],
        queries=1,
    )
    with pytest.raises(ConfigurationError, match=r"d\.loose has no primary key") as caught:
        plan_erasure(datamap=datamap, located=located, today=TODAY, token=token)
    assert "a@b.jp" not in caught.value.message


def test_a_primary_key_with_an_erasure_is_refused() -> None:
    keyed = Collection(
        name="keyed",
        fields=(
            f("email", primary_key=True, erasure=Erasure(strategy=Strategy.SET_NULL)),
            f("name", kinds=("person_name",)),
        ),
    )
    datamap = DataMap(
        systems=(
            System(
                key="s", store=StoreKind.SQL, datasets=(Dataset(key="d", collections=(keyed,)),)
            ),
        )
    )
    located = Located(
        collections=[
            LocatedCollection(
                system="s", dataset="d", collection="keyed", rows=[{"email": "a@b.jp", "name": "A"}]
            )
        ],
        queries=1,
    )
    with pytest.raises(ConfigurationError, match=r"d\.keyed\.email: a primary key"):
        plan_erasure(datamap=datamap, located=located, today=TODAY, token=token)


def test_nothing_located_plans_nothing() -> None:
    plan = plan_erasure(
        datamap=sample_map(), located=Located(collections=[], queries=0), today=TODAY, token=token
    )
    assert plan.collections == []
    assert plan.rows_planned == 0


def test_a_reference_set_to_null_lets_its_parent_go() -> None:
    # invoices are kept and anonymised (field by field), detached from the account: the account
    # can be deleted; a held receipt still keeps its invoice's reference whole
    chain = _chain()
    billing = chain.systems[0]
    accounts, invoices, receipts = billing.datasets[0].collections
    detached = invoices.model_copy(
        update={
            "erasure": None,
            "fields": tuple(
                field.model_copy(update={"erasure": Erasure(strategy=Strategy.SET_NULL)})
                if field.name == "account_id"
                else field
                for field in invoices.fields
            ),
        }
    )
    datamap = DataMap(
        systems=(
            billing.model_copy(
                update={
                    "datasets": (
                        billing.datasets[0].model_copy(
                            update={"collections": (accounts, detached, receipts)}
                        ),
                    )
                }
            ),
        )
    )
    rows: dict[str, list[Row]] = {
        "accounts": [{"id": 1, "email": "a@example.jp"}],
        "invoices": [{"id": 10, "account_id": 1, "billing_name": "A", "total": 1}],
        "receipts": [{"id": 100, "invoice_id": 10, "paid_on": "2025-06-01"}],
    }
    located = Located(
        collections=[
            LocatedCollection(system="billing", dataset="b", collection=name, rows=found)
            for name, found in rows.items()
        ],
        queries=1,
    )
    plan = plan_erasure(datamap=datamap, located=located, today=TODAY, token=token)
    by_address = {c.address: c for c in plan.collections}
    assert by_address["b.accounts"].deletes == [[1]]
    assert by_address["b.accounts"].masked == 0
    assert [c.values for c in by_address["b.invoices"].changes] == [
        {"account_id": None, "billing_name": token("b.invoices.billing_name", "A")}
    ]
    assert by_address["b.receipts"].held[0].count == 1


def test_a_reference_cycle_is_broken_in_map_order() -> None:
    # a and b reference each other; c references a: c first, then the cycle from a
    def table(name: str, *links: str) -> Collection:
        return Collection(
            name=name,
            erasure=Strategy.DELETE_ROW,
            fields=(
                f("id", primary_key=True),
                *(f(f"{to}_id", references=ref(f"d.{to}.id", Direction.BOTH)) for to in links),
            ),
        )

    datamap = DataMap(
        systems=(
            System(
                key="s",
                store=StoreKind.SQL,
                datasets=(
                    Dataset(
                        key="d", collections=(table("a", "b"), table("b", "a"), table("c", "a"))
                    ),
                ),
            ),
        )
    )
    located = Located(
        collections=[
            LocatedCollection(system="s", dataset="d", collection=name, rows=[{"id": 1}])
            for name in ("a", "b", "c")
        ],
        queries=3,
    )
    plan = plan_erasure(datamap=datamap, located=located, today=TODAY, token=token)
    assert [(c.collection, c.deletes) for c in plan.collections] == [
        ("c", [[1]]),
        ("a", [[1]]),
        ("b", [[1]]),
    ]
