"""Payments behind the payment records: checked per kind against the policy and the records'
columns, stored with their fields encrypted, seen only within a designation, chained without
amounts or fields."""

from __future__ import annotations

from datetime import date

import pytest
from filing_support import (
    AFFAIRS,
    BROKERAGE,
    BROKERAGE_FIELDS,
    CORPORATE_NUMBER,
    EVERY,
    NUMBERS,
    POLICY,
    REMUNERATION,
    TRANSFER,
    TRANSFER_FIELDS,
    USAGE,
    USAGE_FIELDS,
    Scope,
    make_payee,
    remuneration,
)
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import InputError, NotFoundError, PermissionDeniedError
from kojin.mynumber.filing.models import FilingPayment
from kojin.mynumber.filing.payments import add_payments, delete_payment, list_payments
from kojin.mynumber.filing.schemas import PaymentIn, PaymentOut


def _add(
    database: Database, cipher: FieldCipher, *payments: PaymentIn, scope: Scope = EVERY
) -> list[PaymentOut]:
    with database.uow() as session:
        return add_payments(
            session=session,
            cipher=cipher,
            policy=POLICY,
            actor="token:t",
            scope=scope,
            payments=list(payments),
        )


def _payment(subject_id: str, affair: str, fields: dict[str, object], **more: object) -> PaymentIn:
    values: dict[str, object] = {
        "subject_id": subject_id,
        "affair": affair,
        "paid_on": date(2025, 6, 30),
        "amount_yen": 200_000,
        "fields": fields,
    }
    values.update(more)
    return PaymentIn.model_validate(values)


def test_each_kind_takes_its_fields(database: Database, cipher: FieldCipher) -> None:
    payee = make_payee(database, cipher)
    brokered = {
        **USAGE_FIELDS,
        "broker_name": "不動産株式会社",
        "broker_corporate_number": "7-0107-0500-0725",
    }
    stored = _add(
        database,
        cipher,
        remuneration(payee, 100_000, withheld=10_210, remarks="講演会"),
        _payment(payee, USAGE, brokered),
        _payment(payee, TRANSFER, TRANSFER_FIELDS),
        _payment(payee, BROKERAGE, {**BROKERAGE_FIELDS, "transaction_amount_yen": "30000000"}),
    )
    assert [p.kind for p in stored] == [
        "remuneration",
        "real_estate_usage",
        "real_estate_transfer",
        "real_estate_brokerage",
    ]
    assert stored[0].fields == {"category": "講演料", "details": "講演", "remarks": "講演会"}
    assert stored[1].fields["broker_corporate_number"] == CORPORATE_NUMBER
    assert stored[2].fields["acquired_on"] == "2025-06-01"
    assert stored[3].fields["transaction_amount_yen"] == 30_000_000
    with database.read() as session:
        rows = session.execute(select(FilingPayment)).scalars().all()
        entries = (
            session.execute(select(AuditEntry).where(AuditEntry.action == "filing.payment_added"))
            .scalars()
            .all()
        )
    # the fields are ciphertext at rest
    assert all("東京都" not in row.fields_enc and "講演" not in row.fields_enc for row in rows)
    assert len(entries) == 4
    for entry in entries:
        assert set(entry.details) == {"subject_id", "affair", "kind", "row_sha256"}
        assert entry.details["subject_id"] == payee


def _without(fields: dict[str, object], name: str) -> dict[str, object]:
    return {k: v for k, v in fields.items() if k != name}


@pytest.mark.parametrize(
    ("affair", "fields", "more", "problem"),
    [
        (REMUNERATION, {"details": "x"}, {}, "category: Field required"),
        (
            REMUNERATION,
            {"category": "x", "details": "y", "property_location": "z"},
            {},
            "property_location: not a field",
        ),
        (
            USAGE,
            _without(USAGE_FIELDS, "property_location"),
            {},
            "property_location: Field required",
        ),
        (USAGE, USAGE_FIELDS, {"withheld_yen": 1}, "has no tax withheld"),
        (TRANSFER, _without(TRANSFER_FIELDS, "acquired_on"), {}, "acquired_on: Field required"),
        (
            TRANSFER,
            {**TRANSFER_FIELDS, "acquired_on": "x"},
            {},
            "acquired_on: Input should be a valid date",
        ),
        (
            BROKERAGE,
            {**BROKERAGE_FIELDS, "transaction_amount_yen": -1},
            {},
            "transaction_amount_yen",
        ),
        (
            BROKERAGE,
            {**BROKERAGE_FIELDS, "category": "交換"},
            {},
            "category: Input should be '売買' or '貸付'",
        ),
        (USAGE, {**USAGE_FIELDS, "broker_corporate_number": "1" * 13}, {}, "corporate number"),
        (
            REMUNERATION,
            {"category": "x", "details": "y"},
            {"withheld_yen": 300_000},
            "must not exceed amount_yen",
        ),
    ],
)
def test_fields_are_checked_per_kind(
    database: Database,
    cipher: FieldCipher,
    affair: str,
    fields: dict[str, object],
    more: dict[str, object],
    problem: str,
) -> None:
    payee = make_payee(database, cipher)
    with pytest.raises(InputError, match=problem):
        _add(database, cipher, _payment(payee, affair, fields, **more))
    with database.read() as session:
        assert session.execute(select(FilingPayment)).first() is None


@pytest.mark.parametrize("written", [NUMBERS[0], "1234 5678 9018", "１２３４－５６７８－９０１８"])
def test_no_individual_number_in_any_field(
    database: Database, cipher: FieldCipher, written: str
) -> None:
    payee = make_payee(database, cipher)
    with pytest.raises(InputError) as caught:
        _add(database, cipher, remuneration(payee, 1000, remarks=f"番号 {written}"))
    assert "individual number" in caught.value.message
    assert "9018" not in caught.value.message
    assert "９０１８" not in caught.value.message
    # a corporate number or an invoice number is no individual number
    _add(database, cipher, remuneration(payee, 1000, remarks=f"T{CORPORATE_NUMBER} 123456789019"))


def test_affair_and_payee_are_checked(database: Database, cipher: FieldCipher) -> None:
    payee = make_payee(database, cipher)
    customer = make_payee(database, cipher, category="customer")
    with pytest.raises(InputError, match="not an affair that prepares a payment record"):
        _add(database, cipher, _payment(payee, "marketing", {"category": "x"}))
    for subject_id in (customer, "f" * 32):
        with pytest.raises(NotFoundError, match="subject_id"):
            _add(database, cipher, remuneration(subject_id, 1000))
    with pytest.raises(PermissionDeniedError, match="designation does not cover"):
        _add(database, cipher, remuneration(payee, 1000), scope=Scope(frozenset({USAGE})))
    with pytest.raises(NotFoundError):
        _add(database, cipher, remuneration(payee, 1000), scope=Scope(subject_ids=frozenset()))
    with (
        pytest.raises(PermissionDeniedError, match="designated person"),
        database.uow() as session,
    ):
        add_payments(
            session=session,
            cipher=cipher,
            policy=POLICY,
            actor="token:t",
            scope=None,
            payments=[remuneration(payee, 1000)],
        )


def test_list_and_delete_within_the_designation(database: Database, cipher: FieldCipher) -> None:
    first = make_payee(database, cipher)
    second = make_payee(database, cipher)
    a, b, c = _add(
        database,
        cipher,
        remuneration(first, 1000, paid_on=date(2024, 12, 31)),
        remuneration(first, 2000, paid_on=date(2025, 1, 1)),
        remuneration(second, 3000, paid_on=date(2025, 2, 1)),
    )
    with database.read() as session:
        every = list_payments(session=session, cipher=cipher, scope=EVERY)
        of_2025 = list_payments(session=session, cipher=cipher, scope=EVERY, year=2025)
        only_first = list_payments(
            session=session, cipher=cipher, scope=Scope(subject_ids=frozenset({first}))
        )
        other_affair = list_payments(
            session=session, cipher=cipher, scope=Scope(frozenset({USAGE}))
        )
    assert [p.id for p in every] == [a.id, b.id, c.id]
    assert [p.id for p in of_2025] == [b.id, c.id]
    assert [p.id for p in only_first] == [a.id, b.id]
    assert other_affair == []
    assert every[0].fields == {"category": "講演料", "details": "講演"}
    with pytest.raises(NotFoundError), database.uow() as session:
        delete_payment(
            session=session,
            cipher=cipher,
            actor="t",
            scope=Scope(frozenset({USAGE})),
            payment_id=a.id,
        )
    with database.uow() as session:
        gone = delete_payment(
            session=session, cipher=cipher, actor="t", scope=EVERY, payment_id=a.id
        )
    assert gone == a
    with database.read() as session:
        remaining = list_payments(session=session, cipher=cipher, scope=EVERY)
        deleted = session.execute(
            select(AuditEntry).where(AuditEntry.action == "filing.payment_deleted")
        ).scalar_one()
    assert [p.id for p in remaining] == [b.id, c.id]
    assert deleted.object_id == a.id
    assert set(deleted.details) == {"subject_id", "affair", "row_sha256"}
    assert {p.affair for p in remaining} <= AFFAIRS
