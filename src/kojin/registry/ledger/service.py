"""Ledger services: create, update, read, list, and the yearly review list (R-PM-1)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.db.base import utcnow
from kojin.errors import InputError, NotFoundError
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.dates import add_years
from kojin.registry.ledger.models import LedgerEntry
from kojin.registry.ledger.schemas import (
    LedgerEntryCreate,
    LedgerEntryOut,
    LedgerEntryUpdate,
    in_date_range,
)
from kojin.registry.ledger.vocabulary import vocabulary_problems

#: R-PM-1: every ledger row is reviewed at least once a year
REVIEW_INTERVAL_YEARS = 1
#: the shape of a ledger row's id; anything else names no row
ENTRY_ID = re.compile(r"[0-9a-f]{32}")


def check_vocabulary(*, policy: PolicyFacts, category: str, purposes: list[str]) -> None:
    """Raise InputError naming the first field whose value the policy does not declare."""
    problems = vocabulary_problems(policy=policy, category=category, purposes=purposes)
    if problems:
        first = problems[0]
        raise InputError(first.message, field=first.field)


def _values(model: LedgerEntryCreate | LedgerEntryUpdate) -> dict[str, Any]:
    data = model.model_dump(exclude_none=isinstance(model, LedgerEntryUpdate))
    for key in ("acquisition_method", "medium"):
        if data.get(key) is not None:
            data[key] = str(data[key])
    return data


def _event(row: LedgerEntry, *, actor: str, action: str, fields: list[str]) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        action=action,
        object_type="ledger_entry",
        object_id=row.id,
        details={"category": row.category, "fields": sorted(fields)},
    )


def add_entries(
    *, session: Session, entries: list[LedgerEntryCreate], actor: str
) -> list[LedgerEntryOut]:
    """Store several new rows with one audit append (used by create and CSV import)."""
    now = utcnow()
    rows = [
        LedgerEntry(id=uuid.uuid4().hex, created_at=now, updated_at=now, **_values(entry))
        for entry in entries
    ]
    session.add_all(rows)
    session.flush()
    append_entries(
        session=session,
        events=[_event(r, actor=actor, action="ledger.created", fields=[]) for r in rows],
    )
    return [LedgerEntryOut.model_validate(row) for row in rows]


def create_entry(
    *, session: Session, entry_in: LedgerEntryCreate, policy: PolicyFacts, actor: str
) -> LedgerEntryOut:
    """Add a ledger row whose category and purposes the policy declares; audited with its id
    and category."""
    check_vocabulary(policy=policy, category=entry_in.category, purposes=entry_in.purposes)
    return add_entries(session=session, entries=[entry_in], actor=actor)[0]


def _load(session: Session, entry_id: str) -> LedgerEntry:
    row = session.get(LedgerEntry, entry_id) if ENTRY_ID.fullmatch(entry_id) else None
    if row is None:
        raise NotFoundError("ledger entry not found")
    return row


def apply_update(row: LedgerEntry, entry_in: LedgerEntryUpdate) -> list[str]:
    """Copy the given fields onto `row`; returns the names of the fields that changed."""
    changed = []
    for key, value in _values(entry_in).items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed.append(key)
    if changed:
        row.updated_at = utcnow()
    return changed


def update_entry(
    *,
    session: Session,
    entry_id: str,
    entry_in: LedgerEntryUpdate,
    policy: PolicyFacts,
    actor: str,
) -> LedgerEntryOut:
    """Change the given fields of a row; audited with the names of the changed fields.

    A new category or new purposes must be declared by the policy, together: the row's purposes
    must be the new category's, and new purposes those of the row's category.
    """
    row = _load(session, entry_id)
    if entry_in.category is not None or entry_in.purposes is not None:
        check_vocabulary(
            policy=policy,
            category=entry_in.category if entry_in.category is not None else row.category,
            purposes=entry_in.purposes if entry_in.purposes is not None else row.purposes,
        )
    changed = apply_update(row, entry_in)
    if changed:
        session.flush()
        append_entries(
            session=session,
            events=[_event(row, actor=actor, action="ledger.updated", fields=changed)],
        )
    return LedgerEntryOut.model_validate(row)


def get_entry(*, session: Session, entry_id: str) -> LedgerEntryOut:
    """One ledger row by id."""
    return LedgerEntryOut.model_validate(_load(session, entry_id))


def list_entries(*, session: Session, category: str | None = None) -> list[LedgerEntryOut]:
    """All ledger rows (optionally of one category), by category then item."""
    query = select(LedgerEntry).order_by(LedgerEntry.category, LedgerEntry.item, LedgerEntry.id)
    if category is not None:
        query = query.where(LedgerEntry.category == category)
    return [LedgerEntryOut.model_validate(row) for row in session.execute(query).scalars()]


def entries_due_for_review(*, session: Session, today: date) -> list[LedgerEntryOut]:
    """Rows never reviewed or last reviewed a year or more before `today` (R-PM-1).

    `today` lies between :data:`~kojin.registry.ledger.schemas.EARLIEST_DATE` and
    :data:`~kojin.registry.ledger.schemas.LATEST_DATE`, else InputError (field ``today``).
    """
    try:
        in_date_range(today)
    except ValueError as exc:
        raise InputError(str(exc), field="today") from None
    cutoff = add_years(today, -REVIEW_INTERVAL_YEARS)
    query = (
        select(LedgerEntry)
        .where(or_(LedgerEntry.last_reviewed.is_(None), LedgerEntry.last_reviewed <= cutoff))
        .order_by(LedgerEntry.last_reviewed.is_not(None), LedgerEntry.last_reviewed, LedgerEntry.id)
    )
    return [LedgerEntryOut.model_validate(row) for row in session.execute(query).scalars()]


def declared_locations(*, session: Session) -> list[tuple[str, frozenset[str]]]:
    """Every machine-readable place the ledger declares personal data, with the kinds declared
    there (empty: any kind), for comparing against discovery (R-PM-1)."""
    query = select(LedgerEntry.data_locations, LedgerEntry.pi_kinds).order_by(LedgerEntry.id)
    declared: list[tuple[str, frozenset[str]]] = []
    for locations, kinds in session.execute(query):
        declared.extend((location, frozenset(kinds)) for location in locations)
    return declared
