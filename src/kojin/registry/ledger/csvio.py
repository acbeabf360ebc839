"""Ledger CSV import and export. An import is all or nothing: every bad row is reported by line
and column, and nothing is stored when any row is bad.

Problems name lines and columns, never what the cells hold: a header cell that is not a ledger
column is named by its position (it may be a data row of a file without a header), a cell by its
line and column, an unknown id by the line it is on.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import IO, Any, Final

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin import encodings
from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.errors import InputError
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.ledger.models import LedgerEntry
from kojin.registry.ledger.schemas import LedgerEntryCreate, LedgerEntryUpdate, LedgerImportResult
from kojin.registry.ledger.service import ENTRY_ID, add_entries, apply_update, list_entries
from kojin.registry.ledger.vocabulary import vocabulary_problems

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
#: the codecs (as :func:`codecs.lookup` names them) a ledger CSV may be read in: each reads
#: plain text, and a newline is the byte 0x0A in each (so a byte offset gives a line)
CSV_CODECS: Final = frozenset(
    {
        "utf-8",
        "utf-8-sig",
        "ascii",
        "iso8859-1",
        "iso8859-15",
        "cp1252",
        "cp932",
        "shift_jis",
        "shift_jis_2004",
        "shift_jisx0213",
        "euc_jp",
        "euc_jis_2004",
        "euc_jisx0213",
        "iso2022_jp",
        "iso2022_jp_1",
        "iso2022_jp_2",
        "iso2022_jp_2004",
        "iso2022_jp_3",
        "iso2022_jp_ext",
    }
)
_CODEC_LABELS: Final = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp932": "Shift_JIS (CP932)"}
#: the most data rows one import takes (the ledger lists kinds of information, not people)
MAX_IMPORT_ROWS: Final = 10_000
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


def decode_csv(data: bytes, *, source: str, encoding: str | None, option: str) -> str:
    """The text of a ledger CSV in the named `encoding` or the detected one (see
    :mod:`kojin.encodings`).

    Only encodings that read plain text are accepted (UTF-8, the Japanese ones, Latin-1...):
    escape codecs (``unicode_escape``, ``utf-7``) could make characters no database stores, and
    binary codecs are no text at all. Undecodable bytes are an :class:`InputError` (field
    ``encoding``) naming `source`, the line and the byte offset, never the bytes; `option` is
    how the caller names the encoding (``--encoding``, ``charset=``).
    """
    try:
        codec = encodings.detect(data) if encoding is None else encodings.codec_name(encoding)
        name = codecs.lookup(codec).name
    except (LookupError, ValueError):
        name = ""
    if name not in CSV_CODECS:
        raise InputError(
            f"not an encoding kojin reads CSV in; name {option} utf-8, cp932 (Shift_JIS) or euc-jp",
            field="encoding",
        )
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        label = _CODEC_LABELS.get(name, name)
        raise InputError(
            f"{source}: not readable as {label} (byte {exc.start}, line {line}); "
            f"name the file's encoding with {option} (utf-8, cp932, euc-jp)",
            field="encoding",
        ) from None


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


def _rows(
    reader: csv.DictReader[str],
) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows with the line each ends on; a file the csv module cannot read is a
    :class:`LedgerImportError` naming the line, and a file of too many rows one as well."""
    count = 0
    try:
        for row in reader:
            count += 1
            if count > MAX_IMPORT_ROWS:
                raise LedgerImportError(
                    [f"the file has more than {MAX_IMPORT_ROWS} data rows: import it in parts"]
                )
            yield reader.line_num, row
    except csv.Error as exc:
        # the reader counts a line once it is read whole: the problem is on the next one
        raise LedgerImportError(
            [f"line {reader.line_num + 1}: not readable as CSV ({exc})"]
        ) from None


def _vocabulary(line: int, policy: PolicyFacts, entry: LedgerEntryCreate) -> list[str]:
    found = []
    for problem in vocabulary_problems(
        policy=policy, category=entry.category, purposes=entry.purposes
    ):
        column, _, index = problem.field.partition(".")
        where = f"column {column}" + (f" (value {int(index) + 1})" if index else "")
        found.append(f"line {line}, {where}: {problem.message}")
    return found


def import_csv(
    *, session: Session, source: IO[str], actor: str, policy: PolicyFacts | None = None
) -> LedgerImportResult:
    """Import ledger rows from CSV text: new rows without ``id``, updates with one.

    Every row's category and purposes must be declared by `policy`; leave it out only for the
    sample ledger kojin ships, written in the default policy's words. At most
    :data:`MAX_IMPORT_ROWS` rows. Raises :class:`LedgerImportError` listing every problem;
    then nothing is stored.
    """
    reader = csv.DictReader(source)
    try:
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise LedgerImportError([f"line 1: not readable as CSV ({exc})"]) from None
    problems = _header_problems(header)
    if problems:
        raise LedgerImportError(problems)

    creates: list[LedgerEntryCreate] = []
    updates: list[tuple[int, str, LedgerEntryUpdate]] = []
    for line, row in _rows(reader):
        if None in row:
            problems.append(f"line {line}: more cells than columns")
            continue
        values = _cell_values(row)
        try:
            entry = LedgerEntryCreate.model_validate(values)
        except ValidationError as exc:
            problems.extend(_problems(line, exc))
            continue
        if policy is not None:
            found = _vocabulary(line, policy, entry)
            if found:
                problems.extend(found)
                continue
        entry_id = (row.get("id") or "").strip()
        if entry_id:
            if not ENTRY_ID.fullmatch(entry_id):
                problems.append(f"line {line}, column id: no ledger entry has this id")
                continue
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
