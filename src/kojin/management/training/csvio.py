"""CSV imports of the roster and of training records (R-PM-4). All or nothing: every problem
is reported as ``line N, column C: message``, and then nothing is stored.

Problems name lines and columns, never what the cells hold (a worker's name is personal data,
and an employee number identifies a person).

Roster columns: ``employee_number``, ``name``, ``department``, ``joined_on`` (YYYY-MM-DD),
optional ``kind`` (officer, employee, temporary; default employee) and ``active`` (true/false,
default true). A number already on the roster updates that worker.

Record columns: ``employee_number``, ``course`` (a course code), ``completed_on`` (YYYY-MM-DD).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import IO, Any, Final, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.errors import InputError
from kojin.management.training.models import TrainingCourse
from kojin.management.training.schemas import ImportResult, RecordInput, WorkerInput
from kojin.management.training.service import (
    chunks,
    save_records,
    save_workers,
    workers_by_number,
)
from kojin.registry.ledger.csvio import decode_csv

#: the most data rows one file may hold
MAX_IMPORT_ROWS: Final = 50_000
WORKER_COLUMNS: Final = ("employee_number", "name", "department", "kind", "joined_on", "active")
WORKER_OPTIONAL: Final = frozenset({"kind", "active"})
RECORD_COLUMNS: Final = ("employee_number", "course", "completed_on")
M = TypeVar("M", bound=BaseModel)
_TRUE: Final = frozenset({"true", "yes", "1", "y"})
_FALSE: Final = frozenset({"false", "no", "0", "n"})


class TrainingImportError(InputError):
    """A training CSV has problems; `problems` lists them as ``line N, column C: message``."""

    def __init__(self, what: str, problems: list[str]) -> None:
        shown = "\n  ".join(problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{what} CSV rejected, nothing imported ({len(problems)} problem(s)):\n  {shown}{more}",
            field="file",
        )
        self.problems = problems


def _header(
    what: str, reader: csv.DictReader[str], columns: tuple[str, ...], optional: frozenset[str]
) -> list[str]:
    try:
        header = [(name or "").strip() for name in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise TrainingImportError(what, [f"line 1: not readable as CSV ({exc})"]) from None
    reader.fieldnames = header
    problems = []
    unknown = [str(at) for at, name in enumerate(header, start=1) if name not in columns]
    if unknown:
        problems.append(
            f"line 1: unknown column(s) at position {', '.join(unknown)}; "
            f"the columns are {', '.join(columns)}"
        )
    seen: dict[str, int] = {}
    for at, name in enumerate(header, start=1):
        if name in seen and name in columns:
            problems.append(f"line 1, column {at}: repeats column {seen[name]} ({name})")
        seen.setdefault(name, at)
    missing = [c for c in columns if c not in optional and c not in header]
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    if problems:
        raise TrainingImportError(what, problems)
    return header


def _rows(what: str, reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    count = 0
    try:
        for row in reader:
            count += 1
            if count > MAX_IMPORT_ROWS:
                raise TrainingImportError(
                    what,
                    [f"the file has more than {MAX_IMPORT_ROWS} data rows: import it in parts"],
                )
            yield reader.line_num, row
    except csv.Error as exc:
        raise TrainingImportError(
            what, [f"line {reader.line_num + 1}: not readable as CSV ({exc})"]
        ) from None


def _problems(line: int, exc: ValidationError) -> list[str]:
    found = []
    for error in exc.errors(include_url=False, include_context=False):
        column = str(error["loc"][0]) if error["loc"] else "row"
        message = error["msg"]
        given = error.get("input")
        if isinstance(given, str) and given.strip() and given.strip() in message:
            message = error["type"].replace("_", " ")  # a message quoting the cell: its kind only
        found.append(f"line {line}, column {column}: {message}")
    return found


def _parse(model: type[M], line: int, values: dict[str, Any], problems: list[str]) -> M | None:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems.extend(_problems(line, exc))
        return None


def _worker_values(row: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in row.items():
        text = (raw or "").strip() if isinstance(raw, str) else ""
        if key in ("kind", "active") and not text:
            continue
        if key == "active":
            lowered = text.lower()
            values[key] = True if lowered in _TRUE else False if lowered in _FALSE else text
        else:
            values[key] = text
    return values


def import_workers(
    *, session: Session, cipher: FieldCipher, source: IO[str], actor: str
) -> ImportResult:
    """Add or update the workers of a roster CSV; :class:`TrainingImportError` lists every
    problem and then nothing is stored."""
    what = "roster"
    reader = csv.DictReader(source)
    _header(what, reader, WORKER_COLUMNS, WORKER_OPTIONAL)
    problems: list[str] = []
    workers: list[WorkerInput] = []
    first_line: dict[str, int] = {}
    for line, row in _rows(what, reader):
        if None in row:
            problems.append(f"line {line}: more cells than columns")
            continue
        parsed = _parse(WorkerInput, line, _worker_values(row), problems)
        if parsed is None:
            continue
        if parsed.employee_number in first_line:
            problems.append(
                f"line {line}, column employee_number: "
                f"repeats line {first_line[parsed.employee_number]}"
            )
            continue
        first_line[parsed.employee_number] = line
        workers.append(parsed)
    if problems:
        raise TrainingImportError(what, problems)
    added, updated, unchanged = save_workers(
        session=session, cipher=cipher, workers=workers, actor=actor
    )
    return ImportResult(added=added, updated=updated, unchanged=unchanged)


def import_records(*, session: Session, source: IO[str], actor: str, today: date) -> ImportResult:
    """Record the completions of a CSV; :class:`TrainingImportError` lists every problem (an
    unknown employee number or course code, a day in the future) and then nothing is stored.
    A completion recorded before counts as unchanged."""
    what = "training records"
    reader = csv.DictReader(source)
    _header(what, reader, RECORD_COLUMNS, frozenset())
    problems: list[str] = []
    parsed_rows: list[tuple[int, RecordInput]] = []
    for line, row in _rows(what, reader):
        if None in row:
            problems.append(f"line {line}: more cells than columns")
            continue
        values = {k: (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        parsed = _parse(RecordInput, line, values, problems)
        if parsed is not None:
            parsed_rows.append((line, parsed))
    numbers = {r.employee_number for _, r in parsed_rows}
    codes = {r.course for _, r in parsed_rows}
    known_numbers = set(workers_by_number(session, numbers))
    known_codes = {
        code
        for chunk in chunks(sorted(codes))
        for code in session.execute(
            select(TrainingCourse.code).where(TrainingCourse.code.in_(chunk))
        ).scalars()
    }
    for line, record in parsed_rows:
        if record.employee_number not in known_numbers:
            problems.append(f"line {line}, column employee_number: no worker has this number")
        if record.course not in known_codes:
            problems.append(f"line {line}, column course: no course has this code")
        if record.completed_on > today:
            problems.append(f"line {line}, column completed_on: must not be in the future")
    if problems:
        raise TrainingImportError(what, problems)
    records = [r for _, r in parsed_rows]
    saved = save_records(session=session, records=records, actor=actor, today=today)
    added = sum(1 for r in saved if r.new)
    return ImportResult(added=added, unchanged=len(records) - added)


def read_csv_bytes(data: bytes, *, source: str, encoding: str | None = None) -> IO[str]:
    """The text of an uploaded CSV (UTF-8 with or without a BOM, Shift_JIS, EUC-JP; detected
    unless `encoding` names it), ready for the imports above."""
    text = decode_csv(data, source=source, encoding=encoding, option="charset=")
    return io.StringIO(text.removeprefix("\ufeff"), newline="")
