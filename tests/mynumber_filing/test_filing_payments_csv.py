"""Payments from CSV: every row checked before any is stored; problems by line and column,
never by what the cells hold."""

from __future__ import annotations

import pytest
from filing_support import EVERY, POLICY, REMUNERATION, USAGE, Scope, make_payee
from sqlalchemy import func, select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.mynumber.filing.models import FilingPayment
from kojin.mynumber.filing.payments import list_payments
from kojin.mynumber.filing.payments_csv import PaymentImportError, import_payments
from kojin.mynumber.filing.schemas import PaymentImportResult

HEADER = (
    "subject_id,affair,paid_on,amount_yen,withheld_yen,"
    "category,details,property_kind,property_location,calculation_basis,remarks\n"
)


def _import(
    database: Database, cipher: FieldCipher, text: str, scope: Scope = EVERY
) -> PaymentImportResult:
    with database.uow() as session:
        return import_payments(
            session=session, cipher=cipher, policy=POLICY, actor="cli:t", scope=scope, text=text
        )


def _count(database: Database) -> int:
    with database.read() as session:
        return int(session.execute(select(func.count()).select_from(FilingPayment)).scalar_one())


def test_a_good_file_is_imported(database: Database, cipher: FieldCipher) -> None:
    payee = make_payee(database, cipher)
    text = (
        "\ufeff"
        + HEADER
        + f'{payee},{REMUNERATION},2025-04-01,"100,000",10210,原稿料,原稿,,,,\n'
        + f'{payee},{USAGE},2025-04-30,150000,,,家賃,事務所,東京都港区,"月額150,000円",4月分\n'
        + "\n"
    )
    result = _import(database, cipher, text)
    assert result == PaymentImportResult(created=2, by_affair={REMUNERATION: 1, USAGE: 1})
    with database.read() as session:
        stored = list_payments(session=session, cipher=cipher, scope=EVERY)
    assert [(p.amount_yen, p.withheld_yen) for p in stored] == [(100_000, 10_210), (150_000, 0)]
    assert stored[0].fields == {"category": "原稿料", "details": "原稿"}
    assert stored[1].fields == {
        "details": "家賃",
        "property_kind": "事務所",
        "property_location": "東京都港区",
        "calculation_basis": "月額150,000円",
        "remarks": "4月分",
    }


def test_every_problem_is_named_and_nothing_is_stored(
    database: Database, cipher: FieldCipher
) -> None:
    payee = make_payee(database, cipher)
    customer = make_payee(database, cipher, category="customer")
    secret = "ないしょの住所"
    text = (
        HEADER
        + f"{payee},{REMUNERATION},2025-04-01,100000,0,原稿料,原稿,,,,\n"  # good
        + f"{payee},{REMUNERATION},2025-13-01,100000,0,原稿料,原稿,,{secret},,\n"  # 3
        + f"{payee},{USAGE},2025-04-01,abc,0,,家賃,事務所,,x,\n"  # 4
        + f"{customer},{REMUNERATION},2025-04-01,1,0,x,y,,,,\n"  # 5
        + f"{payee},zzz_affair,2025-04-01,1,0,x,y,,,,\n"  # 6
        + f"{payee},{REMUNERATION},2025-04-01,1,0,x,y,,,,123456789018\n"  # 7
        + f"{payee},{REMUNERATION},2025-04-01,1,0,x,y,,,,,extra\n"  # 8
    )
    with pytest.raises(PaymentImportError) as caught:
        _import(database, cipher, text)
    problems = caught.value.problems
    assert any(p.startswith("line 3, column paid_on") for p in problems)
    assert any(p.startswith("line 3, column property_location: not a field") for p in problems)
    assert any(p.startswith("line 4, column amount_yen") for p in problems)
    assert any(p.startswith("line 4, column property_location: Field required") for p in problems)
    assert any(p.startswith("line 5, column subject_id") for p in problems)
    assert any(p.startswith("line 6, column affair") for p in problems)
    assert any(
        p.startswith("line 7, column remarks") and "individual number" in p for p in problems
    )
    assert any(p.startswith("line 8, row: more cells") for p in problems)
    assert not any(p.startswith("line 2") for p in problems)
    message = caught.value.message
    for value in (secret, "123456789018", "abc", "2025-13-01", "zzz_affair", customer):
        assert value not in message
    assert _count(database) == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("subject_id,affair,paid_on\n", "missing column(s) amount_yen"),
        ("subject_id,affair,paid_on,amount_yen,colour\n", "unknown column(s) at position 5"),
        ("subject_id,affair,paid_on,amount_yen,amount_yen\n", "repeated column(s) amount_yen"),
    ],
)
def test_header_problems(database: Database, cipher: FieldCipher, text: str, problem: str) -> None:
    with pytest.raises(PaymentImportError, match="nothing imported") as caught:
        _import(database, cipher, text)
    assert any(problem in p for p in caught.value.problems)


def test_payees_outside_the_designation_are_refused(
    database: Database, cipher: FieldCipher
) -> None:
    payee = make_payee(database, cipher)
    text = HEADER + f"{payee},{REMUNERATION},2025-04-01,100000,0,原稿料,原稿,,,,\n"
    for scope in (Scope(frozenset({USAGE})), Scope(subject_ids=frozenset()), None):
        with pytest.raises(PaymentImportError) as caught:
            _import(database, cipher, text, scope)  # type: ignore[arg-type]
        assert caught.value.problems == [
            "line 2, column subject_id: not a person of this affair within the designation"
        ]
    assert _count(database) == 0
