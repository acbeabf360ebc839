"""The disposal schedule over the vault's records, its summary for the admin dashboard, and the
disposal of what is overdue (R-MN-7).

The schedule reads the active records (never their numbers) and the retention items; see
:mod:`kojin.mynumber.filing.schedule` for how a due day is found. ``dispose_due`` disposes of
every overdue record through the vault's :func:`~kojin.mynumber.disposal.dispose_records`, each
with its own reason naming the rule and the dates, then rotates the vault key once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.db.base import utcnow
from kojin.mynumber.disposal import dispose_records, rotate_vault_key
from kojin.mynumber.filing.models import FilingRetentionItem
from kojin.mynumber.filing.retention import RetentionRules
from kojin.mynumber.filing.schedule import (
    DEFAULT_HORIZON_DAYS,
    ItemFacts,
    RecordFacts,
    ScheduleRow,
    ScheduleStatus,
    ScheduleSummary,
    schedule_rows,
    summarize,
)
from kojin.mynumber.handlers import HandlerScope, require_scope
from kojin.mynumber.models import ACTIVE, NumberRecord
from kojin.mynumber.records import day_in_japan
from kojin.mynumber.schemas import RecordOut
from kojin.mynumber.vault import Vault, VaultSessions

#: the longest horizon a schedule looks ahead (days)
MAX_HORIZON_DAYS: Final = 3660


def active_records(vault_session: Session, scope: HandlerScope | None) -> list[RecordFacts]:
    """The active records (within `scope`, when given) as the schedule needs them."""
    query = (
        select(
            NumberRecord.id,
            NumberRecord.subject_id,
            NumberRecord.affairs,
            NumberRecord.affairs_ended_on,
        )
        .where(NumberRecord.status == ACTIVE)
        .order_by(NumberRecord.id)
    )
    return [
        RecordFacts(row.id, row.subject_id, tuple(row.affairs), row.affairs_ended_on)
        for row in vault_session.execute(query)
        if scope is None or scope.sees(affairs=list(row.affairs), subject_id=row.subject_id)
    ]


def retention_items(registry_session: Session) -> list[ItemFacts]:
    """Every retention item as the schedule needs it."""
    query = select(
        FilingRetentionItem.record_id,
        FilingRetentionItem.document,
        FilingRetentionItem.reference_date,
        FilingRetentionItem.retention_until,
    )
    return [ItemFacts(*row) for row in registry_session.execute(query)]


def disposal_schedule(
    *,
    sessions: VaultSessions,
    rules: RetentionRules,
    scope: HandlerScope | None,
    today: date,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> list[ScheduleRow]:
    """The schedule of the active records (a handler's: within its designation; `scope`
    None: every record), the soonest due first."""
    records = active_records(sessions.vault, scope)
    return schedule_rows(
        records, retention_items(sessions.registry), rules, today=today, horizon_days=horizon_days
    )


def schedule_summary(
    *,
    vault: Vault,
    rules: RetentionRules,
    today: date | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> ScheduleSummary:
    """The counts of overdue, upcoming, scheduled and continuing records, for the admin
    dashboard (a read transaction of its own; no record, no person, no number)."""
    day = today or day_in_japan(utcnow())
    with vault.read() as sessions:
        rows = disposal_schedule(
            sessions=sessions, rules=rules, scope=None, today=day, horizon_days=horizon_days
        )
    return summarize(rows, today=day, horizon_days=horizon_days)


def dispose_due(
    *,
    vault: Vault,
    actor: str,
    rules: RetentionRules,
    handler: bool = False,
    today: date | None = None,
    now: datetime | None = None,
) -> list[RecordOut]:
    """Dispose of every overdue record, each with the reason the schedule gives (the rule, the
    affairs' end, the last retention end), in one transaction; then rotate the vault key.

    With `handler`, `actor` must be a designated handler, and only overdue records wholly
    within its designation (every affair, and the person) are disposed of; without, the caller
    has checked the actor's role (the privacy office). Returns the disposal records.
    """
    moment = now or utcnow()
    day = today or day_in_japan(moment)
    disposed: list[RecordOut] = []
    with vault.transaction() as sessions:
        scope = require_scope(vault=sessions.vault, actor=actor) if handler else None
        rows = disposal_schedule(sessions=sessions, rules=rules, scope=scope, today=day)
        for row in rows:
            if row.status is not ScheduleStatus.OVERDUE:
                continue
            if scope is not None and not scope.affairs.issuperset(row.affairs):
                continue  # still used for another handler's affair: not this handler's to end
            disposed.extend(
                dispose_records(
                    vault=vault,
                    sessions=sessions,
                    actor=actor,
                    record_ids=[row.record_id],
                    reason=row.reason,
                    scope=scope,
                    now=moment,
                )
            )
    if disposed:
        rotate_vault_key(vault, actor=actor, now=moment)
    return disposed
