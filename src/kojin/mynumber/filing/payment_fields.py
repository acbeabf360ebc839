"""The kind-specific fields of a payment, derived from the payment records' columns
(:data:`kojin.law.payment_records.PAYMENT_RECORDS`).

Each payment record (支払調書) asks for its own facts beside the payee and the payer: the 区分
and 細目 of remuneration, the property and the calculation basis of a rent, the acquisition date
of a property bought, the transaction of a brokerage. Every column the payments supply is a
field of the payment: ``amount_yen`` and (where the record has it) ``withheld_yen`` are the
payment's own amounts, the others its ``fields``, validated by the column's type (text, yen,
date, one of the choices, a corporate number) and required when the column is.

Lines: a payee's payments of the year are one line of the record per distinct value of the
descriptive columns (text, choice, date, corporate number), with the yen columns summed and the
remarks and calculation bases joined (:class:`~kojin.mynumber.filing.lines.LineRule`).

No field may hold an individual number: the payee's comes from the vault at export, and a
broker is named by a corporate number only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from kojin.errors import InputError
from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.law.payment_records import (
    AMOUNT_KEY,
    PAYMENT_RECORDS,
    ColumnType,
    PaymentColumn,
)
from kojin.mynumber.filing.lines import LineRule
from kojin.mynumber.filing.text import CorporateNumber, FilingNote, FilingText

#: the largest amount kojin takes for one payment or one field (one trillion yen)
MAX_YEN: Final = 10**12
#: the column of the tax withheld: a payment's own amount, on records that have it
WITHHELD_KEY: Final = "withheld_yen"
#: the payment's own amounts (not among its ``fields``)
OWN_AMOUNTS: Final = (AMOUNT_KEY, WITHHELD_KEY)
#: text columns that take a longer text, and whose distinct values a line joins
JOINED_COLUMNS: Final = ("remarks", "calculation_basis")

Yen = Annotated[int, Field(ge=0, le=MAX_YEN)]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _annotation(column: PaymentColumn) -> Any:
    if column.type is ColumnType.YEN:
        return Yen
    if column.type is ColumnType.DATE:
        return date
    if column.type is ColumnType.CORPORATE_NUMBER:
        return CorporateNumber
    if column.type is ColumnType.CHOICE:
        return Literal[column.choices]
    if column.type is ColumnType.TEXT:
        return FilingNote if column.key in JOINED_COLUMNS else FilingText
    # an individual number is never a payment's field: it is the vault's alone
    raise ValueError(f"column {column.key}: a payment cannot supply a {column.type} column")


def field_columns(kind: PaymentRecordKind) -> tuple[PaymentColumn, ...]:
    """The columns of `kind` a payment supplies in its ``fields``."""
    return tuple(c for c in PAYMENT_RECORDS[kind].payment_columns if c.key not in OWN_AMOUNTS)


def _model(kind: PaymentRecordKind) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for column in field_columns(kind):
        annotation = _annotation(column)
        if column.required:
            definitions[column.key] = (annotation, ...)
        else:
            definitions[column.key] = (annotation | None, None)
    return create_model(
        f"{kind.value.title().replace('_', '')}Fields", __base__=_Fields, **definitions
    )


#: the fields model of each payment record
FIELDS_MODELS: Final[dict[PaymentRecordKind, type[BaseModel]]] = {
    kind: _model(kind) for kind in PaymentRecordKind
}


def fields_of(kind: PaymentRecordKind) -> tuple[str, ...]:
    """The names of `kind`'s fields, in the record's column order."""
    return tuple(c.key for c in field_columns(kind))


def takes_withholding(kind: PaymentRecordKind) -> bool:
    """Whether `kind`'s record has a column of the tax withheld."""
    return any(c.key == WITHHELD_KEY for c in PAYMENT_RECORDS[kind].payment_columns)


def line_rule(kind: PaymentRecordKind) -> LineRule:
    """How `kind`'s payments become lines: split by the descriptive columns, yen summed,
    remarks and calculation bases joined."""
    columns = PAYMENT_RECORDS[kind].payment_columns
    return LineRule(
        group=tuple(
            c.key for c in columns if c.type is not ColumnType.YEN and c.key not in JOINED_COLUMNS
        ),
        summed=tuple(c.key for c in columns if c.type is ColumnType.YEN),
        joined=tuple(c.key for c in columns if c.key in JOINED_COLUMNS),
        total=AMOUNT_KEY,
    )


def problem_text(error: Any) -> str:
    """One pydantic error as ``field: message`` (the message never holds the input)."""
    where = ".".join(str(part) for part in error["loc"])
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "not a field of this payment record"
    elif error["type"] == "value_error" and "ctx" in error:
        message = str(error["ctx"]["error"])
    return f"{where}: {message}" if where else message


def validate_fields(kind: PaymentRecordKind, data: object) -> dict[str, Any]:
    """`data` as `kind`'s fields (JSON values, fields not given left out); InputError (field
    ``fields``) listing every problem by field name, never by value."""
    try:
        checked = FIELDS_MODELS[kind].model_validate(data)
    except ValidationError as exc:
        problems = [problem_text(e) for e in exc.errors(include_url=False, include_input=False)]
        raise InputError(
            f"fields of a {kind.value} payment: " + "; ".join(problems), field="fields"
        ) from None
    return checked.model_dump(mode="json", exclude_none=True)
