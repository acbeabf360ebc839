"""Creating pseudonymized information (APPI Art. 41; R-PS-1, R-PS-2).

- direct identifiers become keyed tokens (R-PS-1(1): a replacement that cannot be restored
  without the key, which is kept apart);
- individual identification codes (My Number, passport, licence, pension numbers, ...) are
  deleted (R-PS-1(2)), and so are items whose misuse may cause property damage such as card
  numbers (R-PS-1(3));
- idiosyncratic values can be coded down (top/bottom coding, rare categories merged);
- the deletion information (key id, what was removed, token tables if kept) is written to a
  folder apart from the output with owner-only permissions (R-PS-2) by
  :func:`kojin.deid.service.pseudonymize_file`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from kojin.deid.auto_hierarchy import OutlierCoding, apply_outlier_coding
from kojin.deid.column_codes import column_strings
from kojin.deid.column_roles import Coding, ColumnRole, RolesSpec
from kojin.deid.pseudonym_tokens import PseudonymKey, tokenize_array
from kojin.deid.results import ItemTreatment, Treatment
from kojin.deid.table_source import column_hint
from kojin.errors import InputError
from kojin.law.check_digits import is_valid_luhn, is_valid_my_number


@dataclass(frozen=True)
class Pseudonymized:
    table: pa.Table
    items: tuple[ItemTreatment, ...]
    mappings: dict[str, pa.Table]


#: what may separate the digit groups of a number as people write it (after NFKC: full-width
#: digits, spaces and hyphens become ASCII)
_SEPARATORS = str.maketrans("", "", " -‐‑‒–—―−ー")

#: values that may be a number written with separators: the only ones checked in Python
_NUMBER_LIKE = r"^[0-9０-９ 　\-‐‑‒–—―−－ー]{12,40}$"


def _digits(value: str) -> str:
    """The digits of a number written with separators and full-width digits ("" if not one)."""
    digits = unicodedata.normalize("NFKC", value).translate(_SEPARATORS)
    return digits if digits.isascii() and digits.isdigit() else ""


def _is_my_number(value: str) -> bool:
    digits = _digits(value)
    return len(digits) == 12 and is_valid_my_number(digits)


def _is_card_number(value: str) -> bool:
    """A payment card number: 13 to 19 digits, a major industry of 3 to 6 (travel and
    entertainment, banking and financial), a valid Luhn check digit."""
    digits = _digits(value)
    return 13 <= len(digits) <= 19 and digits[0] in "3456" and is_valid_luhn(digits)


@dataclass(frozen=True)
class UndeclaredCode:
    """Numbers that must not stay in a kept column, and the role that deletes them."""

    holds: str
    role: ColumnRole
    rule: str
    matches: Callable[[str], bool]


UNDECLARED_CODES = (
    UndeclaredCode(
        "an individual number (My Number)",
        ColumnRole.IDENTIFICATION_CODE,
        "R-PS-1(2)",
        _is_my_number,
    ),
    UndeclaredCode(
        "a payment card number", ColumnRole.UNAUTHORIZED_USE_RISK, "R-PS-1(3)", _is_card_number
    ),
)


def _first_row(values: pa.Array, matches: Callable[[str], bool]) -> int | None:
    """Row (1-based) of the first value that `matches`, else None. Every value is looked at:
    one My Number among thousands of other values is one too many."""
    distinct = values.unique()  # in order of first appearance
    candidates = distinct.filter(pc.match_substring_regex(distinct, _NUMBER_LIKE))
    for value in candidates.to_pylist():
        if matches(value):
            return int(pc.index(values, value).as_py()) + 1
    return None


#: the roles whose columns are released as recorded (or coded down)
KEPT_ROLES = (ColumnRole.QUASI_IDENTIFIER, ColumnRole.SENSITIVE, ColumnRole.OTHER)

#: the roles whose columns are deleted (R-PS-1(2), R-PS-1(3))
DELETED_ROLES = (ColumnRole.IDENTIFICATION_CODE, ColumnRole.UNAUTHORIZED_USE_RISK)


def undeclared_code_rows(values: pa.Array) -> list[int | None]:
    """For each kind of number a kept column may not hold, in the order they are checked, the
    row (1-based) of the first value of that kind in `values`, else None."""
    return [_first_row(values, code.matches) for code in UNDECLARED_CODES]


def undeclared_code_error(*, column: str, role: ColumnRole, kind: int, row: int) -> InputError:
    """The refusal of a kept column whose `row` holds a number of the `kind` (an index into
    :func:`undeclared_code_rows`); it names the column and the row, never the value."""
    code = UNDECLARED_CODES[kind]
    return InputError(
        f"column {column!r} (role {role.value}), row {row}: the value is "
        f"{code.holds}, which a kept column may not hold ({code.rule}); give the "
        f"column the role {code.role.value} so that it is deleted",
        field=column,
    )


def guard_undeclared_codes(*, table: pa.Table, roles: RolesSpec) -> None:
    """Refuse to keep a column in which any value is a valid My Number or card number.

    The message names the column and the first row with such a value, never the value
    (R-PS-1(2), R-PS-1(3)).
    """
    for column, role in roles.columns.items():
        if role not in KEPT_ROLES:
            continue
        for kind, row in enumerate(undeclared_code_rows(column_strings(table, column))):
            if row is not None:
                raise undeclared_code_error(column=column, role=role, kind=kind, row=row)


def code_down(*, column: str, values: pa.Array, coding: Coding) -> pa.Array:
    """Top/bottom coding of numbers, or merging categories rarer than ``min_count``."""
    if coding.min_count is not None:
        counts = pc.value_counts(values)
        rare = [
            item["values"].as_py() for item in counts if item["counts"].as_py() < coding.min_count
        ]
        if not rare:
            return values
        mask = pc.is_in(values, value_set=pa.array(rare, type=pa.string()))
        return pc.if_else(mask, pa.scalar(coding.other, pa.string()), values)
    outlier = OutlierCoding(top=coding.top, bottom=coding.bottom)
    coded = apply_outlier_coding(column=column, values=values.to_pylist(), coding=outlier)
    return pa.array(coded, type=pa.string())


def check_role_columns(*, columns: Sequence[str], roles: RolesSpec) -> None:
    """The roles file names only columns the input has, and gives every column a role."""
    for column in roles.columns:
        if column not in columns:
            raise InputError(
                f"the roles file names column {column!r}, which the input lacks "
                f"({column_hint(column, columns)})",
                field=column,
            )
    for column in columns:
        if column not in roles.columns:
            raise InputError(
                f"column {column!r} has no role; give every column a role in the roles file",
                field=column,
            )


def check_roles(*, table: pa.Table, roles: RolesSpec) -> None:
    """Every column has exactly one known role; no undeclared identification codes."""
    check_role_columns(columns=table.column_names, roles=roles)
    guard_undeclared_codes(table=table, roles=roles)


def _treatment(column: str, role: ColumnRole, coding: Coding | None) -> ItemTreatment:
    if role in DELETED_ROLES:
        return ItemTreatment(column, Treatment.DELETED, detail=role.value)
    if role is ColumnRole.DIRECT_IDENTIFIER:
        return ItemTreatment(column, Treatment.TOKENIZED)
    if coding is not None:
        detail = (
            f"categories under {coding.min_count} records merged"
            if coding.min_count is not None
            else "top/bottom coded"
        )
        return ItemTreatment(column, Treatment.CODED, detail=detail)
    treatment = Treatment.SENSITIVE if role is ColumnRole.SENSITIVE else Treatment.KEPT
    return ItemTreatment(column, treatment)


def item_treatments(*, columns: Sequence[str], roles: RolesSpec) -> tuple[ItemTreatment, ...]:
    """What the output holds for each column, in order; refused when every column would be
    deleted."""
    items = tuple(
        _treatment(column, roles.columns[column], roles.coding.get(column)) for column in columns
    )
    if not any(item.published for item in items):
        raise InputError("every column would be deleted; nothing is left to pseudonymize")
    return items


def pseudonymize_table(
    *, table: pa.Table, roles: RolesSpec, key: PseudonymKey, keep_mapping: bool = False
) -> Pseudonymized:
    """Apply the roles to every column; every input column needs a role."""
    check_roles(table=table, roles=roles)
    items = item_treatments(columns=table.column_names, roles=roles)
    out: dict[str, pa.Array] = {}
    mappings: dict[str, pa.Table] = {}
    for item in items:
        column = item.column
        if not item.published:
            continue
        values = column_strings(table, column)
        if item.treatment is Treatment.TOKENIZED:
            tokens, distinct, distinct_tokens = tokenize_array(values, key=key)
            out[column] = tokens
            if keep_mapping:
                mappings[column] = pa.table({"token": distinct_tokens, "value": distinct})
        elif item.treatment is Treatment.CODED:
            out[column] = code_down(column=column, values=values, coding=roles.coding[column])
        else:
            out[column] = values
    return Pseudonymized(table=pa.table(out), items=items, mappings=mappings)
