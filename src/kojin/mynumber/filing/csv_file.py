"""The bytes of a payment-record CSV: a header row of the columns' labels, then one row per
line of the record.

Excel in Japan opens a UTF-8 CSV correctly only when the file starts with a byte order mark, so
the BOM is written by default; filing software that reads plain UTF-8 takes the file without
it (``bom=False``). Rows end with CRLF, as RFC 4180 and Excel write them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Protocol

#: the byte order mark of UTF-8
BOM = "\ufeff"


class HeaderStyle(StrEnum):
    """What the header row names each column by."""

    #: the form's Japanese label (支払を受ける者の氏名...)
    JA = "ja"
    #: the English label
    EN = "en"
    #: the column's key (``payee_name``...), for software that maps columns by name
    KEYS = "keys"


class Column(Protocol):
    """A column of a payment record (:class:`kojin.law.payment_records.PaymentColumn`)."""

    @property
    def key(self) -> str: ...

    @property
    def ja(self) -> str: ...

    @property
    def en(self) -> str: ...


def header_label(column: Column, style: HeaderStyle) -> str:
    if style is HeaderStyle.JA:
        return column.ja
    if style is HeaderStyle.EN:
        return column.en
    return column.key


def render_csv(
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, str]],
    *,
    header: HeaderStyle = HeaderStyle.JA,
    bom: bool = True,
) -> bytes:
    """The CSV of `rows` (each a mapping of column key to cell text; a missing key is an empty
    cell) under `columns`, encoded as UTF-8, with a BOM when `bom`."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header_label(column, header) for column in columns])
    for row in rows:
        writer.writerow([row.get(column.key, "") for column in columns])
    return buffer.getvalue().encode("utf-8")
