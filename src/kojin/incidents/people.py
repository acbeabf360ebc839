"""The affected people of an incident (Art. 26(2); R-BR-6): added one by one or from a CSV
file, names and addresses encrypted.

A CSV import is all or nothing: the first bad line stops it with ``line N, column X`` and what
is wrong there, never the value.
"""

from __future__ import annotations

import csv
import io
from typing import Final

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.encodings import decode
from kojin.errors import InputError
from kojin.incidents.models import Incident, IncidentPerson
from kojin.incidents.records import load, new_id, record_event, seal, unseal
from kojin.incidents.schemas import PersonInput, PersonView
from kojin.registry.subjects.models import Subject

#: the CSV's columns, in order (a first line naming them is a header and skipped)
CSV_COLUMNS: Final = ("name", "email", "postal_address", "lang")
#: the most people one file adds
MAX_IMPORT: Final = 100_000
_TABLE: Final = "incident_people"

_PROBLEMS: Final = {
    "missing": "is required",
    "string_too_short": "is required",
    "string_too_long": "is too long",
    "string_pattern_mismatch": "is not an e-mail address",
    "literal_error": "must be ja or en",
}


def _problem(error_type: str) -> str:
    return _PROBLEMS.get(error_type, "is not valid")


def _next_seq(session: Session, incident_id: str) -> int:
    last = session.execute(
        select(func.max(IncidentPerson.seq)).where(IncidentPerson.incident_id == incident_id)
    ).scalar_one()
    return int(last or 0) + 1


def _store(
    session: Session, cipher: FieldCipher, row: Incident, person: PersonInput, seq: int
) -> IncidentPerson:
    if person.subject_id is not None and session.get(Subject, person.subject_id) is None:
        raise InputError("subject_id names no registry subject", field="subject_id")
    pid = new_id()
    kid = cipher.current_key_id

    def put(column: str, value: str | None) -> str | None:
        return None if value is None else seal(cipher, _TABLE, column, pid, kid, value)

    stored = IncidentPerson(
        id=pid,
        incident_id=row.id,
        seq=seq,
        name_enc=put("name", person.name) or "",
        email_enc=put("email", person.email),
        postal_address_enc=put("postal_address", person.postal_address),
        lang=person.lang,
        subject_id=person.subject_id,
        unreachable=False,
        created_at=utcnow(),
        key_id=kid,
    )
    session.add(stored)
    return stored


def person_view(cipher: FieldCipher, row: IncidentPerson) -> PersonView:
    def get(column: str, stored: str | None) -> str | None:
        return None if stored is None else unseal(cipher, _TABLE, column, row.id, stored)

    return PersonView(
        id=row.id,
        name=get("name", row.name_enc) or "",
        email=get("email", row.email_enc),
        postal_address=get("postal_address", row.postal_address_enc),
        lang="en" if row.lang == "en" else "ja",
        notified_at=row.notified_at,
        method=row.method,
        unreachable=row.unreachable,
    )


def add_person(
    *, session: Session, cipher: FieldCipher, actor: str, incident_id: str, person: PersonInput
) -> PersonView:
    """Add one affected person; ``incident.people_added`` (count 1)."""
    row = load(session, incident_id, for_update=True)
    stored = _store(session, cipher, row, person, _next_seq(session, row.id))
    record_event(
        session=session,
        row=row,
        actor=actor,
        action="incident.people_added",
        now=utcnow(),
        details={"count": 1, "via": "form"},
    )
    return person_view(cipher, stored)


def parse_people(data: bytes) -> list[PersonInput]:
    """The people of a CSV file (UTF-8 or Shift_JIS): ``name,email,postal_address,lang``, a
    header line optional, empty lines skipped. InputError ``line N, column X: ...`` at the
    first problem."""
    text = decode(data, source="people CSV")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    people: list[PersonInput] = []
    first = True
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if first and [c.strip().lower() for c in cells] == list(CSV_COLUMNS[: len(cells)]):
                first = False
                continue
            first = False
            if len(cells) > len(CSV_COLUMNS):
                raise InputError(f"line {line}: more than {len(CSV_COLUMNS)} columns", field="data")
            values = {
                name: cell.strip()
                for name, cell in zip(CSV_COLUMNS, cells, strict=False)
                if cell.strip()
            }
            try:
                people.append(PersonInput.model_validate(values))
            except ValidationError as exc:
                error = exc.errors()[0]
                column = str(error["loc"][0]) if error["loc"] else "name"
                raise InputError(
                    f"line {line}, column {column}: {_problem(error['type'])}", field="data"
                ) from None
            if len(people) > MAX_IMPORT:
                raise InputError(f"more than {MAX_IMPORT} people in one file", field="data")
    except csv.Error:
        raise InputError(f"line {reader.line_num}: not readable as CSV", field="data") from None
    if not people:
        raise InputError("the file lists no people", field="data")
    return people


def import_people(
    *, session: Session, cipher: FieldCipher, actor: str, incident_id: str, data: bytes
) -> int:
    """Add every person of a CSV file (see :func:`parse_people`), or none; returns how many.
    ``incident.people_added`` with the count."""
    row = load(session, incident_id, for_update=True)
    people = parse_people(data)
    seq = _next_seq(session, row.id)
    for offset, person in enumerate(people):
        _store(session, cipher, row, person, seq + offset)
    record_event(
        session=session,
        row=row,
        actor=actor,
        action="incident.people_added",
        now=utcnow(),
        details={"count": len(people), "via": "csv"},
    )
    return len(people)


def list_people(*, session: Session, cipher: FieldCipher, incident_id: str) -> list[PersonView]:
    """The incident's affected people, in the order they were added."""
    row = load(session, incident_id)
    rows = session.execute(
        select(IncidentPerson)
        .where(IncidentPerson.incident_id == row.id)
        .order_by(IncidentPerson.seq)
    ).scalars()
    return [person_view(cipher, p) for p in rows]
