"""Payments from a CSV file: all or nothing, every problem named by line and column, never by
what a cell holds.

The header names the columns: ``subject_id``, ``affair``, ``paid_on`` (YYYY-MM-DD),
``amount_yen``, optionally ``withheld_yen``, and the kind-specific fields of the affairs in the
file (:mod:`kojin.mynumber.filing.payment_fields`; e.g. ``category``, ``property_location``). A cell
left empty is a field not given; a value in a column that is not a field of the row's payment
record is a problem. Yen cells may group digits with commas.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.errors import InputError
from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.law.policy_facts import PolicyFacts
from kojin.mynumber.filing.affairs import AffairScope, filing_affairs
from kojin.mynumber.filing.payment_fields import fields_of, problem_text, validate_fields
from kojin.mynumber.filing.payments import (
    CheckedPayment,
    check_payment,
    payee_problem,
    store_payments,
    subject_categories,
)
from kojin.mynumber.filing.schemas import PaymentImportResult, PaymentIn

#: the columns every payment has; ``withheld_yen`` may be left out (0)
BASE_COLUMNS: Final = ("subject_id", "affair", "paid_on", "amount_yen", "withheld_yen")
REQUIRED_COLUMNS: Final = ("subject_id", "affair", "paid_on", "amount_yen")
#: every kind-specific column any payment record takes
FIELD_COLUMNS: Final = tuple(
    dict.fromkeys(field for kind in PaymentRecordKind for field in fields_of(kind))
)
#: the most data rows one import takes
MAX_IMPORT_ROWS: Final = 100_000
#: the most problems an error lists
SHOWN_PROBLEMS: Final = 50


class PaymentImportError(InputError):
    """A payments CSV has problems; `problems` lists them as ``line N, column C: message``."""

    def __init__(self, problems: list[str]) -> None:
        shown = "\n  ".join(problems[:SHOWN_PROBLEMS])
        extra = len(problems) - SHOWN_PROBLEMS
        more = f"\n  … and {extra} more" if extra > 0 else ""
        super().__init__(
            f"payments CSV rejected, nothing imported ({len(problems)} problem(s)):\n  "
            f"{shown}{more}",
            field="csv",
        )
        self.problems = problems


def _header_problems(header: list[str]) -> list[str]:
    known = (*BASE_COLUMNS, *FIELD_COLUMNS)
    problems: list[str] = []
    unknown = [str(at) for at, name in enumerate(header, start=1) if name not in known]
    if unknown:
        problems.append(
            f"line 1: unknown column(s) at position {', '.join(unknown)}; the columns are "
            f"{', '.join(known)}"
        )
    counts = Counter(header)
    repeated = sorted(name for name, n in counts.items() if n > 1 and name in known)
    if repeated:
        problems.append(f"line 1: repeated column(s) {', '.join(repeated)}")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    return problems


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    count = 0
    try:
        for row in reader:
            count += 1
            if count > MAX_IMPORT_ROWS:
                raise PaymentImportError(
                    [f"the file has more than {MAX_IMPORT_ROWS} data rows: import it in parts"]
                )
            yield reader.line_num, row
    except csv.Error:
        raise PaymentImportError(
            [f"line {reader.line_num + 1}: not readable as CSV (check its quotes)"]
        ) from None


def _cell(column: str, raw: str | None) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    return text.replace(",", "") if column.endswith("_yen") else text


def _payment_in(
    row: dict[str, str | None], kinds: dict[str, PaymentRecordKind]
) -> tuple[dict[str, Any], list[str]]:
    """The payment of a row as input values, and the problems of cells outside its kind."""
    values: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    problems: list[str] = []
    kind = kinds.get((row.get("affair") or "").strip())
    allowed = set(fields_of(kind)) if kind is not None else set(FIELD_COLUMNS)
    for column, raw in row.items():
        if column is None:  # cells beyond the header
            problems.append("row: more cells than the header has columns")
            continue
        value = _cell(column, raw)
        if value is None:
            continue
        if column in BASE_COLUMNS:
            values[column] = value
        elif column in allowed:
            fields[column] = value
        else:
            problems.append(f"column {column}: not a field of this affair's payment record")
    values["fields"] = fields
    return values, problems


def read_payments(
    text: str, policy: PolicyFacts
) -> tuple[list[tuple[int, CheckedPayment]], list[str]]:
    """The payments of a CSV text with the line each ends on, checked against the policy and
    their kinds, and the problems found (``line N, column C: message``)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise PaymentImportError(["line 1: the file is empty (a header row is needed)"])
    reader.fieldnames = header
    problems = _header_problems(header)
    if problems:
        raise PaymentImportError(problems)
    kinds = {affair: found.kind for affair, found in filing_affairs(policy).items()}
    checked: list[tuple[int, CheckedPayment]] = []
    for line, row in _rows(reader):
        values, cell_problems = _payment_in(row, kinds)
        problems.extend(f"line {line}, {p}" for p in cell_problems)
        try:
            payment = PaymentIn.model_validate(values)
            checked.append((line, check_payment(policy, payment)))
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                problems.append(f"line {line}, column {problem_text(error)}")
            kind = kinds.get(str(values.get("affair")))
            if kind is not None:  # the row's own fields are checked as well
                try:
                    validate_fields(kind, values["fields"])
                except InputError as fields_exc:
                    problems.extend(_input_problems(line, fields_exc))
        except InputError as exc:
            problems.extend(_input_problems(line, exc))
    return checked, problems


def _input_problems(line: int, exc: InputError) -> list[str]:
    if exc.field == "fields":  # "fields of a <kind> payment: field: message; ..."
        _, _, listed = exc.message.partition(": ")
        return [f"line {line}, column {part}" for part in listed.split("; ")]
    return [f"line {line}, column {exc.field}: {exc.message}"]


def import_payments(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: PolicyFacts,
    actor: str,
    scope: AffairScope | None,
    text: str,
    now: datetime | None = None,
) -> PaymentImportResult:
    """Import the payments of a CSV text (see the module docstring): every row is checked
    (policy, kind, payee within the caller's designation) before any is stored, and nothing is
    stored when any row has a problem (:class:`PaymentImportError`)."""
    checked, problems = read_payments(text, policy)
    categories = subject_categories(session, {c.payment.subject_id for _, c in checked})
    for line, item in checked:
        problem = payee_problem(item, categories, scope)
        if problem is not None:
            problems.append(f"line {line}, column subject_id: {problem}")
    if problems:
        raise PaymentImportError(sorted(problems, key=_line_number))
    stored = store_payments(
        session=session, cipher=cipher, actor=actor, checked=[c for _, c in checked], now=now
    )
    return PaymentImportResult(
        created=len(stored), by_affair=dict(sorted(Counter(p.affair for p in stored).items()))
    )


def _line_number(problem: str) -> int:
    head = problem.removeprefix("line ").split(",", 1)[0].split(":", 1)[0]
    return int(head) if head.isdigit() else 0
