"""The columns of each payment record, filled from the payee lines, the registry's name and
address, the vault's number and the payer."""

from __future__ import annotations

import csv
import io

import pytest
from filing_support import CORPORATE_NUMBER, NUMBERS

from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.law.payment_records import PAYMENT_RECORDS, ColumnSource
from kojin.mynumber.filing.csv_file import HeaderStyle, render_csv
from kojin.mynumber.filing.export_rows import (
    PAYEE_KEYS,
    PAYER_FIELDS,
    Payee,
    default_file_name,
    record_rows,
)
from kojin.mynumber.filing.lines import payee_lines
from kojin.mynumber.filing.payer import Payer
from kojin.mynumber.filing.payment_fields import line_rule

PAYER = Payer(
    name="株式会社サンプル", address="東京都港区港南1-9-1", corporate_number=CORPORATE_NUMBER
)

#: the kind-specific columns each record has, in the form's order
EXPECTED = {
    PaymentRecordKind.REMUNERATION: [
        "category",
        "details",
        "amount_yen",
        "withheld_yen",
        "remarks",
    ],
    PaymentRecordKind.REAL_ESTATE_USAGE: [
        "property_kind",
        "property_location",
        "details",
        "calculation_basis",
        "amount_yen",
        "broker_address",
        "broker_name",
        "broker_corporate_number",
        "remarks",
    ],
    PaymentRecordKind.REAL_ESTATE_TRANSFER: [
        "property_kind",
        "property_location",
        "details",
        "quantity",
        "acquired_on",
        "amount_yen",
        "broker_address",
        "broker_name",
        "broker_corporate_number",
        "remarks",
    ],
    PaymentRecordKind.REAL_ESTATE_BROKERAGE: [
        "category",
        "property_kind",
        "property_location",
        "details",
        "quantity",
        "transaction_amount_yen",
        "amount_yen",
        "transaction_date",
        "remarks",
    ],
}


@pytest.mark.parametrize("kind", list(PaymentRecordKind))
def test_columns_per_kind(kind: PaymentRecordKind) -> None:
    spec = PAYMENT_RECORDS[kind]
    keys = [c.key for c in spec.columns]
    assert keys == [*PAYEE_KEYS, *EXPECTED[kind], *PAYER_FIELDS]
    assert [c.key for c in spec.columns if c.source is ColumnSource.PAYEE] == list(PAYEE_KEYS)
    rows = record_rows(kind, [], {}, PAYER)
    assert rows == []
    header = render_csv(spec.columns, rows, header=HeaderStyle.JA, bom=False).decode()
    assert header.startswith(
        "支払を受ける者の住所（居所）,支払を受ける者の氏名,支払を受ける者の個人番号,"
    )


def test_rows_of_a_remuneration_record() -> None:
    kind = PaymentRecordKind.REMUNERATION
    lines = payee_lines(
        [
            (
                "a",
                {
                    "category": "講演料",
                    "details": "講演",
                    "amount_yen": 60_000,
                    "withheld_yen": 6126,
                },
            ),
            (
                "b",
                {
                    "category": "原稿料",
                    "details": "原稿",
                    "amount_yen": 80_000,
                    "withheld_yen": 8168,
                },
            ),
            (
                "a",
                {"category": "原稿料", "details": "原稿", "amount_yen": 10_000, "remarks": "寄稿"},
            ),
        ],
        line_rule(kind),
    )
    identities = {
        "a": Payee("山田 太郎", "東京都千代田区1-1", NUMBERS[0]),
        "b": Payee("佐藤 花子", "大阪市北区2-2", None),
    }
    rows = record_rows(kind, lines, identities, PAYER)
    assert len(rows) == 3
    assert rows[0] == {
        "payee_address": "東京都千代田区1-1",
        "payee_name": "山田 太郎",
        "payee_individual_number": NUMBERS[0],
        "category": "講演料",
        "details": "講演",
        "amount_yen": "60000",
        "withheld_yen": "6126",
        "remarks": "",
        "payer_address": "東京都港区港南1-9-1",
        "payer_name": "株式会社サンプル",
        "payer_corporate_number": CORPORATE_NUMBER,
        "payer_phone": "",
    }
    assert (rows[1]["payee_name"], rows[1]["remarks"], rows[1]["withheld_yen"]) == (
        "山田 太郎",
        "寄稿",
        "0",
    )
    assert rows[2]["payee_individual_number"] == ""
    data = render_csv(PAYMENT_RECORDS[kind].columns, rows, header=HeaderStyle.KEYS)
    assert data.startswith(b"\xef\xbb\xbfpayee_address,")
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed == rows
    english = render_csv(PAYMENT_RECORDS[kind].columns, [], header=HeaderStyle.EN, bom=False)
    assert english.startswith(b"Payee's address,Payee's name,Payee's individual number,")


def test_default_file_name() -> None:
    assert default_file_name(2025, PaymentRecordKind.REAL_ESTATE_USAGE) == (
        "payment-records-2025-real_estate_usage.csv"
    )


def test_line_rules_follow_the_columns() -> None:
    remuneration = line_rule(PaymentRecordKind.REMUNERATION)
    assert remuneration.group == ("category", "details")
    assert remuneration.summed == ("amount_yen", "withheld_yen")
    assert remuneration.joined == ("remarks",)
    usage = line_rule(PaymentRecordKind.REAL_ESTATE_USAGE)
    assert usage.group == (
        "property_kind",
        "property_location",
        "details",
        "broker_address",
        "broker_name",
        "broker_corporate_number",
    )
    assert usage.joined == ("calculation_basis", "remarks")
    brokerage = line_rule(PaymentRecordKind.REAL_ESTATE_BROKERAGE)
    assert brokerage.summed == ("transaction_amount_yen", "amount_yen")
    assert "transaction_date" in brokerage.group
