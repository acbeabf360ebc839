"""Shared pieces of the incident services: encrypted columns, look-ups, history and audit.

Each encrypted value's context names the table, the column and the row
(``incidents.details:<id>``), so a value copied to another row or column does not decrypt. The
history and the audit chain name fields, steps, counts and dates: never a value staff typed or
a person's name or address.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.errors import NotFoundError
from kojin.incidents.models import Incident, IncidentEvent
from kojin.registry.subjects.text import is_row_id

#: the one answer to an id or a reference that names no incident
INCIDENT_NOT_FOUND: Final = "incident not found"
#: the audit chain's object type
OBJECT_TYPE: Final = "incident"


def new_id() -> str:
    return uuid.uuid4().hex


def context(table: str, column: str, row_id: str) -> str:
    return f"{table}.{column}:{row_id}"


def seal(cipher: FieldCipher, table: str, column: str, row_id: str, key_id: str, value: str) -> str:
    """`value` encrypted for ``<table>.<column>:<row_id>`` under `key_id`."""
    return cipher.encrypt(value, context=context(table, column, row_id), key_id=key_id)


def unseal(cipher: FieldCipher, table: str, column: str, row_id: str, stored: str) -> str:
    """What :func:`seal` encrypted."""
    return cipher.decrypt(stored, context=context(table, column, row_id))


def load(session: Session, incident_id: str, *, for_update: bool = False) -> Incident:
    """The incident `incident_id`; NotFoundError for an unknown or malformed id."""
    row = (
        session.get(Incident, incident_id, with_for_update=for_update)
        if is_row_id(incident_id)
        else None
    )
    if row is None:
        raise NotFoundError(INCIDENT_NOT_FOUND)
    return row


def record_event(
    *,
    session: Session,
    row: Incident,
    actor: str,
    action: str,
    fields: Iterable[str] = (),
    now: datetime,
    details: dict[str, Any] | None = None,
) -> IncidentEvent:
    """Keep one step in the incident's history and chain it as `action` (``incident.…``),
    with the field names and `details` (ids, names of fields, counts, dates, booleans)."""
    names = tuple(fields)
    steps = session.execute(
        select(func.count()).select_from(IncidentEvent).where(IncidentEvent.incident_id == row.id)
    ).scalar_one()
    event = IncidentEvent(
        id=new_id(),
        incident_id=row.id,
        seq=int(steps) + 1,
        at=now,
        actor=actor[:200],
        action=action,
        fields=",".join(names),
    )
    session.add(event)
    append_entry(
        session=session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details={"reference": row.reference, "event_id": event.id, **(details or {})},
        now=now,
    )
    return event
