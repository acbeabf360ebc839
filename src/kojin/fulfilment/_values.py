"""How the fulfilment engine compares values found in rows (private to the engine).

Rows from different stores hold the same value in different Python types only in ways the
stores themselves decide; the engine compares what it has: ``True`` is not ``1`` (Python would
say it is), ``1`` is ``1.0``, and text in a case-insensitive column (an e-mail) is compared
case-folded. ``None`` and blank text never identify anyone: they are never looked up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kojin.connectors.base import Scalar
from kojin.datamap.model import Collection, Identity

#: a value as compared: a type tag and the value (case-folded text in case-insensitive columns)
ValueKey = tuple[str, Scalar]
#: a row's identity inside one collection: its key's values, or every column when it has none
RowId = tuple[object, ...]


def value_key(value: Scalar, *, fold: bool = False) -> ValueKey:
    """`value` as compared with others (see the module's docstring)."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value.casefold() if fold else value)
    return ("0", None)


def usable(value: Scalar) -> bool:
    """Whether `value` may be looked up: not None, not blank text, not NaN."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, float):
        return value == value  # NaN is equal to nothing
    return True


def folded_columns(collection: Collection) -> frozenset[str]:
    """The columns compared case-insensitively: those holding an e-mail identity."""
    return frozenset(f.name for f in collection.fields if f.identity is Identity.EMAIL)


def row_id(row: Mapping[str, Scalar], primary_key: Sequence[str]) -> RowId:
    """The row's identity: its primary key's values, or all its columns when the collection has
    no key (or the row lacks one of its columns)."""
    if primary_key and all(column in row for column in primary_key):
        return ("key", *(value_key(row[column]) for column in primary_key))
    return ("row", *sorted((column, value_key(value)) for column, value in row.items()))
