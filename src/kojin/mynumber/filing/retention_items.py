"""Retention items: the documents that keep a vault record's number (R-MN-7).

An export adds one ``payment_record`` item per person whose number it wrote (the filer's copy,
counted from the record's filing deadline); a person in charge adds the others by hand, e.g. a
dependants' deduction form with its submission deadline. An item is recorded with the end its
rule gave then; the schedule counts with the rules in force.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError
from kojin.mynumber.filing.models import FilingRetentionItem
from kojin.mynumber.filing.retention import RetentionRules
from kojin.mynumber.filing.schedule import ItemFacts, item_end
from kojin.mynumber.filing.schemas import RetentionItemIn, RetentionItemOut
from kojin.mynumber.handlers import HandlerScope
from kojin.mynumber.models import ACTIVE
from kojin.mynumber.records import load_record
from kojin.mynumber.vault import VaultSessions

MANUAL: Final = "manual"
EXPORT: Final = "export"


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item to record: which record, which document, counted from when."""

    record_id: str
    subject_id: str
    document: str
    affair: str | None
    reference_date: date


def item_out(row: FilingRetentionItem, rules: RetentionRules) -> RetentionItemOut:
    end = item_end(
        ItemFacts(row.record_id, row.document, row.reference_date, row.retention_until), rules
    )
    return RetentionItemOut(
        id=row.id,
        record_id=row.record_id,
        document=row.document,
        affair=row.affair,
        reference_date=row.reference_date,
        retention_until=end.until,
        recorded_until=row.retention_until,
        source=row.source,
        export_id=row.export_id,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def record_items(
    *,
    session: Session,
    rules: RetentionRules,
    actor: str,
    items: Sequence[NewItem],
    source: str,
    export_id: str | None = None,
    now: datetime | None = None,
) -> list[FilingRetentionItem]:
    """Store `items` (an item already recorded for the same record, document, affair and
    reference date is not recorded twice) and chain ``mynumber.retention_item_added`` for each
    new one; returns the new rows."""
    moment = now or utcnow()
    wanted = {(i.record_id, i.document, i.affair, i.reference_date): i for i in items}
    existing = set()
    if wanted:
        found = session.execute(
            select(
                FilingRetentionItem.record_id,
                FilingRetentionItem.document,
                FilingRetentionItem.affair,
                FilingRetentionItem.reference_date,
            ).where(FilingRetentionItem.record_id.in_(sorted({i.record_id for i in items})))
        ).all()
        existing = {tuple(row) for row in found}
    rows = [
        FilingRetentionItem(
            id=uuid.uuid4().hex,
            record_id=item.record_id,
            document=item.document,
            affair=item.affair,
            reference_date=item.reference_date,
            retention_until=rules.until(item.document, reference=item.reference_date),
            source=source,
            export_id=export_id,
            created_at=moment,
            created_by=actor,
        )
        for key, item in wanted.items()
        if key not in existing
    ]
    session.add_all(rows)
    session.flush()
    subjects = {i.record_id: i.subject_id for i in items}
    append_entries(
        session=session,
        events=[
            AuditEvent(
                actor=actor,
                action="mynumber.retention_item_added",
                object_type="mynumber_record",
                object_id=row.record_id,
                details={
                    "item_id": row.id,
                    "subject_id": subjects[row.record_id],
                    "document": row.document,
                    "affair": row.affair,
                    "reference_date": row.reference_date.isoformat(),
                    "retention_until": row.retention_until.isoformat(),
                    "source": row.source,
                    "export_id": row.export_id,
                },
            )
            for row in rows
        ],
        now=moment,
    )
    return rows


def add_retention_item(
    *,
    sessions: VaultSessions,
    rules: RetentionRules,
    actor: str,
    scope: HandlerScope | None,
    item: RetentionItemIn,
    now: datetime | None = None,
) -> RetentionItemOut:
    """Record a document that keeps an active record's number (a handler: within its
    designation; `scope` None: the privacy office). ConflictError when it is already
    recorded, or the record disposed of."""
    row = load_record(sessions.vault, item.record_id, scope)
    if row.status != ACTIVE:
        raise ConflictError("the record was disposed of: no document keeps its number now")
    if item.affair is not None and item.affair not in row.affairs:
        raise InputError("not one of the record's affairs", field="affair")
    rules.rule(item.document)
    new = NewItem(row.id, row.subject_id, item.document, item.affair, item.reference_date)
    made = record_items(
        session=sessions.registry,
        rules=rules,
        actor=actor,
        items=[new],
        source=MANUAL,
        now=now,
    )
    if not made:
        raise ConflictError("this document is already recorded for the record")
    return item_out(made[0], rules)


def list_retention_items(
    *, session: Session, rules: RetentionRules, record_ids: Sequence[str] | None = None
) -> list[RetentionItemOut]:
    """The items (of `record_ids`, when given), by record and reference date."""
    query = select(FilingRetentionItem).order_by(
        FilingRetentionItem.record_id, FilingRetentionItem.reference_date, FilingRetentionItem.id
    )
    if record_ids is not None:
        query = query.where(FilingRetentionItem.record_id.in_(sorted(set(record_ids))))
    return [item_out(row, rules) for row in session.execute(query).scalars()]
