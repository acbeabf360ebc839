"""The four statutory payment records: columns, thresholds, deadlines, retention."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kojin.law.mynumber_rules import STATUTORY_RETENTION, retention_until
from kojin.law.mynumber_vocabulary import PaymentRecordKind as Kind
from kojin.law.mynumber_vocabulary import RetentionDocument
from kojin.law.payment_records import (
    AMOUNT_KEY,
    PAYMENT_RECORDS,
    ColumnSource,
    ColumnType,
    PaymentRecordSpec,
    filing_required,
)

PAYEE = ["payee_address", "payee_name", "payee_individual_number"]
PAYER = ["payer_address", "payer_name", "payer_corporate_number", "payer_phone"]
BROKER = ["broker_address", "broker_name", "broker_corporate_number"]


@pytest.mark.parametrize(
    ("kind", "title_ja", "fields"),
    [
        (
            Kind.REMUNERATION,
            "報酬、料金、契約金及び賞金の支払調書",
            {
                "category": "区分",
                "details": "細目",
                "amount_yen": "支払金額",
                "withheld_yen": "源泉徴収税額",
                "remarks": "摘要",
            },
        ),
        (
            Kind.REAL_ESTATE_USAGE,
            "不動産の使用料等の支払調書",
            {
                "property_kind": "物件の種類",
                "property_location": "物件の所在地",
                "details": "細目",
                "calculation_basis": "計算の基礎",
                "amount_yen": "支払金額",
                "broker_name": "あっせんをした者の氏名又は名称",
            },
        ),
        (
            Kind.REAL_ESTATE_TRANSFER,
            "不動産等の譲受けの対価の支払調書",
            {
                "property_kind": "物件の種類",
                "property_location": "物件の所在地",
                "details": "細目",
                "quantity": "数量",
                "acquired_on": "取得年月日",
                "amount_yen": "支払金額",
            },
        ),
        (
            Kind.REAL_ESTATE_BROKERAGE,
            "不動産等の売買又は貸付けのあっせん手数料の支払調書",
            {
                "category": "区分",
                "property_kind": "物件の種類",
                "property_location": "物件の所在地",
                "details": "細目",
                "quantity": "数量",
                "transaction_amount_yen": "取引金額",
                "amount_yen": "あっせん手数料",
                "transaction_date": "取引年月日",
            },
        ),
    ],
)
def test_each_record_has_the_fields_the_filing_needs(
    kind: Kind, title_ja: str, fields: dict[str, str]
) -> None:
    spec = PAYMENT_RECORDS[kind]
    assert spec.kind is kind
    assert spec.title[1] == title_ja
    assert spec.title[0].startswith("Payment record of ")
    labels = {c.key: c.ja for c in spec.columns}
    assert {key: labels.get(key) for key in fields} == fields
    keys = [c.key for c in spec.columns]
    assert keys[:3] == PAYEE
    assert keys[-4:] == PAYER
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("spec", PAYMENT_RECORDS.values(), ids=lambda s: s.kind.value)
def test_columns_are_labelled_and_sourced(spec: PaymentRecordSpec) -> None:
    for column in spec.columns:
        assert column.key.isidentifier()
        assert column.ja.strip()
        assert column.en.strip()
        assert (column.type is ColumnType.CHOICE) is bool(column.choices)
    by_source = {s: [c.key for c in spec.columns if c.source is s] for s in ColumnSource}
    assert by_source[ColumnSource.PAYEE] == PAYEE
    assert by_source[ColumnSource.PAYER] == PAYER
    assert [c.key for c in spec.payment_columns] == by_source[ColumnSource.PAYMENT]
    amount = [c for c in spec.columns if c.key == AMOUNT_KEY]
    assert len(amount) == 1
    assert amount[0].type is ColumnType.YEN
    assert amount[0].required


def test_only_the_payee_column_holds_an_individual_number() -> None:
    for spec in PAYMENT_RECORDS.values():
        numbers = [c.key for c in spec.columns if c.type is ColumnType.INDIVIDUAL_NUMBER]
        assert numbers == ["payee_individual_number"]


def test_brokerage_category_is_sale_or_lease() -> None:
    spec = PAYMENT_RECORDS[Kind.REAL_ESTATE_BROKERAGE]
    category = next(c for c in spec.columns if c.key == "category")
    assert category.choices == ("売買", "貸付")


def test_the_broker_is_optional_on_the_lease_and_transfer_records() -> None:
    for kind in (Kind.REAL_ESTATE_USAGE, Kind.REAL_ESTATE_TRANSFER):
        columns = {c.key: c for c in PAYMENT_RECORDS[kind].columns}
        assert all(not columns[key].required for key in BROKER)
    assert not set(BROKER) & {c.key for c in PAYMENT_RECORDS[Kind.REMUNERATION].columns}


@pytest.mark.parametrize(
    ("kind", "threshold", "tax_answer"),
    [
        (Kind.REMUNERATION, 50_000, "7431"),
        (Kind.REAL_ESTATE_USAGE, 150_000, "7441"),
        (Kind.REAL_ESTATE_TRANSFER, 1_000_000, "7442"),
        (Kind.REAL_ESTATE_BROKERAGE, 150_000, "7443"),
    ],
)
def test_filing_thresholds(kind: Kind, threshold: int, tax_answer: str) -> None:
    spec = PAYMENT_RECORDS[kind]
    assert spec.threshold_yen == threshold
    assert f"Tax Answer No. {tax_answer}" in spec.threshold_source
    assert spec.threshold_confirmed is False
    # "more than" the amount: the amount itself is not filed
    assert not filing_required(kind, threshold)
    assert filing_required(kind, threshold + 1)
    assert not filing_required(kind, 0)


def test_the_remuneration_source_says_sub_kinds_differ() -> None:
    source = PAYMENT_RECORDS[Kind.REMUNERATION].threshold_source
    assert "500,000" in source
    assert "750,000" in source


@given(st.sampled_from(list(Kind)), st.integers(min_value=0, max_value=10**10))
def test_filing_is_required_exactly_above_the_threshold(kind: Kind, total: int) -> None:
    assert filing_required(kind, total) is (total > PAYMENT_RECORDS[kind].threshold_yen)


@pytest.mark.parametrize(
    ("year", "deadline", "last_day"),
    [
        (2024, date(2025, 1, 31), date(2025, 1, 31)),  # a Friday
        (2025, date(2026, 1, 31), date(2026, 2, 2)),  # a Saturday: the next Monday
        (2026, date(2027, 1, 31), date(2027, 2, 1)),  # a Sunday: the next Monday
        (2027, date(2028, 1, 31), date(2028, 1, 31)),  # a Monday
    ],
)
def test_deadline_is_31_january_of_the_next_year(year: int, deadline: date, last_day: date) -> None:
    for spec in PAYMENT_RECORDS.values():
        assert spec.deadline(year) == deadline
        assert spec.last_filing_day(year) == last_day


def test_the_filers_copy_is_kept_as_a_payment_record() -> None:
    for spec in PAYMENT_RECORDS.values():
        assert spec.retention_document is RetentionDocument.PAYMENT_RECORD
        retention = STATUTORY_RETENTION[spec.retention_document]
        assert retention_until(retention, reference=spec.deadline(2024)) == date(2032, 1, 31)


def test_every_kind_has_a_spec() -> None:
    assert list(PAYMENT_RECORDS) == list(Kind)
    with pytest.raises(TypeError):
        PAYMENT_RECORDS[Kind.REMUNERATION] = PAYMENT_RECORDS[Kind.REAL_ESTATE_USAGE]  # type: ignore[index]
