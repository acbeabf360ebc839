"""The rows of a payment-record file: each payee line under the record's columns, with the
payee's name, address and number, and the payer.

The payee's individual number is the one value here that is a number: this module only places
it in the row the file is written from; nothing else receives it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.law.payment_records import PAYMENT_RECORDS, ColumnSource, ColumnType, PaymentColumn
from kojin.mynumber.filing.lines import PayeeLines
from kojin.mynumber.filing.payer import Payer

#: the payee columns and the payer columns, by key, as the payment records name them
PAYEE_KEYS: Final = ("payee_address", "payee_name", "payee_individual_number")
PAYER_FIELDS: Final = {
    "payer_address": "address",
    "payer_name": "name",
    "payer_corporate_number": "corporate_number",
    "payer_phone": "phone",
}


@dataclass(frozen=True, slots=True)
class Payee:
    """Who a line is paid to: from the registry (name, address) and the vault (number)."""

    name: str
    address: str
    #: the individual number, or None when the file is to leave it empty
    number: str | None


def default_file_name(year: int, kind: PaymentRecordKind) -> str:
    """The file's name when none is given: ``payment-records-<year>-<kind>.csv``."""
    return f"payment-records-{year}-{kind.value}.csv"


def _cell(column: PaymentColumn, value: Any) -> str:
    if value is None:
        return ""
    if column.type is ColumnType.YEN:
        return str(int(value))
    return str(value)


def _payee_cells(payee: Payee) -> dict[str, str]:
    return {
        "payee_address": payee.address,
        "payee_name": payee.name,
        "payee_individual_number": payee.number or "",
    }


def record_rows(
    kind: PaymentRecordKind,
    payees: Sequence[PayeeLines],
    identities: Mapping[str, Payee],
    payer: Payer,
) -> list[dict[str, str]]:
    """One row per line of each payee (in order), keyed by the record's column keys."""
    spec = PAYMENT_RECORDS[kind]
    payer_cells = {
        column.key: _cell(column, getattr(payer, PAYER_FIELDS[column.key]))
        for column in spec.columns
        if column.source is ColumnSource.PAYER
    }
    rows: list[dict[str, str]] = []
    for payee in payees:
        cells = _payee_cells(identities[payee.subject_id])
        for line in payee.lines:
            row = dict(cells)
            row.update(
                {column.key: _cell(column, line.get(column.key)) for column in spec.payment_columns}
            )
            row.update(payer_cells)
            rows.append(row)
    return rows
