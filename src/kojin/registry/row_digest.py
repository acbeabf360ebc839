"""The digest the audit chain holds for a registry row, so that ``kojin audit verify`` can tell
when a row was changed behind kojin's back.

A row's digest is the SHA-256 of the canonical JSON (see :mod:`kojin.audit.canonical`) of the
named columns' values: timestamps as UTC with microseconds, JSON columns as they are, other
values as JSON scalars. Writers compute it from the values they store (after the flush that
applies defaults); the verifier from the values it reads back, with the same function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table

from kojin.audit.canonical import format_ts, sha256_of


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_ts(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_digest(values: Mapping[str, Any], columns: Iterable[str]) -> str:
    """SHA-256 (hex) of `values` restricted to `columns` (a missing column counts as None)."""
    return sha256_of({name: _plain(values.get(name)) for name in columns})


def table_columns(table: Table, *, exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """The names of `table`'s columns in declaration order, without `exclude`."""
    skipped = set(exclude)
    return tuple(column.name for column in table.columns if column.name not in skipped)
