"""Ledger CSV import and export. An import is all or nothing: every bad row is reported by line
and column, and nothing is stored when any row is bad.

Problems name lines and columns, never what the cells hold: a header cell that is not a ledger
column is named by its position (it may be a data row of a file without a header), a cell by its
line and column, an unknown id by the line it is on.
"""

from __future__ import annotations

import csv
from typing import IO, Any, Final

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.errors import InputError
from kojin.registry.ledger.models import LedgerEntry
from kojin.registry.ledger.schemas import LedgerEntryCreate, LedgerEntryUpdate, LedgerImportResult
from kojin.registry.ledger.service import add_entries, apply_update, list_entries

#: the CSV columns, in export order; ``id`` is optional on import (present: update that row)
LEDGER_COLUMNS: Final = (
    "id",
    "item",
    "category",
    "purposes",
    "acquisition_method",
    "storage_location",
    "storage_country",
    "medium",
    "access",
    "retention_period",
    "disposal_method",
    "record_count",
    "special_care",
    "responsible_department",
    "last_reviewed",
    "data_locations",
    "pi_kinds",
)
#: columns an import may leave out (an update then keeps the stored value)
OPTIONAL_COLUMNS: Final = frozenset({"id", "last_reviewed", "data_locations", "pi_kinds"})
#: cells holding lists
LIST_COLUMNS: Final = frozenset({"purposes", "data_locations", "pi_kinds"})
#: separator of the values inside a list cell (purposes, data locations, kinds)
PURPOSE_SEPARATOR: Final = ";"
_TRUE: Final = {"true", "yes", "y", "1"}
_FALSE: Final = {"false", "no", "n", "0", ""}


class LedgerImportError(InputError):
    """A ledger CSV has problems; `problems` lists them as ``line N, column C: message``."""

    def __init__(self, problems: list[str]) -> None:
        shown = "\n  ".join(problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"ledger CSV rejected, nothing imported ({len(problems)} problem(s)):\n  {shown}{more}",
            field="csv",
        )
        self.problems = problems


def _cell_values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in row.items():
        if key == "id":
            continue
        text = (raw or "").strip()
        if key in LIST_COLUMNS:
            values[key] = [p for p in (s.strip() for s in text.split(PURPOSE_SEPARATOR)) if p]
        elif key == "special_care":
            lowered = text.lower()
            values[key] = True if lowered in _TRUE else False if lowered in _FALSE else text
        elif key == "last_reviewed":
            values[key] = text or None
        else:
            values[key] = text
    return values


def _problems(line: int, exc: ValidationError) -> list[str]:
    found = []
    for error in exc.errors(include_url=False, include_context=False):
        column = str(error["loc"][0]) if error["loc"] else "row"
        message = error["msg"]
        given = error.get("input")
        if isinstance(given, str) and len(given.strip()) >= 3 and given.strip() in message:
            message = error["type"].replace("_", " ")  # a message quoting the cell: its kind only
        found.append(f"line {line}, column {column}: {message}")
    return found


def _header_problems(header: list[str]) -> list[str]:
    """Problems of the header row: unknown cells by position, repeated and missing columns by
    their ledger name."""
    problems: list[str] = []
    unknown = [str(at) for at, name in enumerate(header, start=1) if name not in LEDGER_COLUMNS]
    if unknown:
        problems.append(
            f"line 1: unknown column(s) at position {', '.join(unknown)}; "
            f"the ledger columns are {', '.join(LEDGER_COLUMNS)}"
        )
    first: dict[str, int] = {}
    for at, name in enumerate(header, start=1):
        if name in LEDGER_COLUMNS and name in first:
            problems.append(f"line 1, column {at}: repeats column {first[name]} ({name})")
        first.setdefault(name, at)
    required = [name for name in LEDGER_COLUMNS if name not in OPTIONAL_COLUMNS]
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    return problems


def import_csv(*, session: Session, source: IO[str], actor: str) -> LedgerImportResult:
    """Import ledger rows from CSV text: new rows without ``id``, updates with one.

    Raises :class:`LedgerImportError` listing every problem; then nothing is stored.
    """
    reader = csv.DictReader(source)
    header = list(reader.fieldnames or [])
    problems = _header_problems(header)
    if problems:
        raise LedgerImportError(problems)

    creates: list[LedgerEntryCreate] = []
    updates: list[tuple[int, str, LedgerEntryUpdate]] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append(f"line {line}: more cells than columns")
            continue
        values = _cell_values(row)
        try:
            entry = LedgerEntryCreate.model_validate(values)
        except ValidationError as exc:
            problems.extend(_problems(line, exc))
            continue
        entry_id = (row.get("id") or "").strip()
        if entry_id:
            given = entry.model_dump(include=set(header))
            updates.append((line, entry_id, LedgerEntryUpdate(**given)))
        else:
            creates.append(entry)

    existing: dict[str, LedgerEntry] = {}
    if updates:
        ids = [entry_id for _, entry_id, _ in updates]
        query = select(LedgerEntry).where(LedgerEntry.id.in_(ids))
        existing = {row.id: row for row in session.execute(query).scalars()}
        for line, entry_id, _ in updates:
            if entry_id not in existing:
                problems.append(f"line {line}, column id: no ledger entry has this id")
    if not creates and not updates and not problems:
        problems.append("the file has no data rows")
    if problems:
        raise LedgerImportError(problems)

    updated_events = []
    for _, entry_id, change in updates:
        stored = existing[entry_id]
        changed = apply_update(stored, change)
        if changed:
            updated_events.append(
                AuditEvent(
                    actor=actor,
                    action="ledger.updated",
                    object_type="ledger_entry",
                    object_id=stored.id,
                    details={"category": stored.category, "fields": sorted(changed), "via": "csv"},
                )
            )
    session.flush()
    append_entries(session=session, events=updated_events)
    if creates:
        add_entries(session=session, entries=creates, actor=actor)
    return LedgerImportResult(created=len(creates), updated=len(updated_events))


def export_csv(*, session: Session, out: IO[str]) -> int:
    """Write every ledger row as CSV (header first); returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LEDGER_COLUMNS)
    count = 0
    for entry in list_entries(session=session):
        data = entry.model_dump(mode="json")
        for column in LIST_COLUMNS:
            data[column] = PURPOSE_SEPARATOR.join(getattr(entry, column))
        data["special_care"] = "yes" if entry.special_care else "no"
        data["last_reviewed"] = entry.last_reviewed.isoformat() if entry.last_reviewed else ""
        writer.writerow([data[column] for column in LEDGER_COLUMNS])
        count += 1
    return count
