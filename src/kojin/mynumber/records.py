"""Records as anyone allowed to list them sees them (masked), and the record lookups the
services share.

A record outside a handler's designation is answered exactly as an unknown id ("record not
found"), so no lookup tells whether a person has a number in the vault.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, defer

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kojin.mynumber.handlers import HandlerScope
from kojin.mynumber.models import ACTIVE, NumberRecord
from kojin.mynumber.numbers import MASKED
from kojin.mynumber.schemas import RecordOut
from kojin.mynumber.vault import Vault, VaultSessions
from kojin.registry.subjects.text import is_row_id

#: dates in the vault (acquisition, end of affairs) are days in Japan
TOKYO = ZoneInfo("Asia/Tokyo")
RECORD_NOT_FOUND = "record not found"
DISPOSED = "the record was disposed of: its number no longer exists"
#: the most records one listing returns
MAX_LIMIT = 1_000
_RECORD = select(NumberRecord).where(NumberRecord.id == bindparam("id"))
_RECORD_FOR_UPDATE = _RECORD.with_for_update()


def day_in_japan(moment: datetime) -> date:
    """The day `moment` falls on in Japan."""
    return moment.astimezone(TOKYO).date()


def record_out(row: NumberRecord) -> RecordOut:
    """`row` without its number: masked while active, nothing once disposed of."""
    return RecordOut(
        id=row.id,
        subject_id=row.subject_id,
        category=row.category,
        affairs=list(row.affairs),
        status=row.status,
        masked=MASKED if row.status == ACTIVE else None,
        route=row.route,
        document_types=list(row.document_types),
        acquired_on=row.acquired_on,
        registered_at=row.registered_at,
        registered_by=row.registered_by,
        affairs_ended_on=row.affairs_ended_on,
        disposed_at=row.disposed_at,
        disposed_by=row.disposed_by,
        disposal_reason=row.disposal_reason,
        disposal_method=row.disposal_method,
    )


def load_record(
    session: Session, record_id: str, scope: HandlerScope | None, *, for_update: bool = False
) -> NumberRecord:
    """The record `record_id`; NotFoundError alike for an unknown, malformed or (for `scope`)
    out-of-designation id."""
    row = None
    if is_row_id(record_id):
        query = _RECORD_FOR_UPDATE if for_update else _RECORD
        row = session.execute(query, {"id": record_id}).scalars().first()
    if row is None or (
        scope is not None and not scope.sees(affairs=row.affairs, subject_id=row.subject_id)
    ):
        raise NotFoundError(RECORD_NOT_FOUND)
    return row


NOT_ALL_AFFAIRS = (
    "a record whose affairs are not all within this handler's designation is "
    "disposed of by its other handlers or the privacy office (R-MN-9)"
)


def require_all_affairs(scope: HandlerScope | None, row: NumberRecord) -> None:
    """With a handler's `scope`: PermissionDeniedError unless it covers every affair of `row`
    (a record still used for another handler's affair is not this handler's to end)."""
    if scope is not None and not scope.affairs.issuperset(row.affairs):
        raise PermissionDeniedError(NOT_ALL_AFFAIRS)


def require_active(row: NumberRecord) -> None:
    """ConflictError when `row` was disposed of."""
    if row.status != ACTIVE:
        raise ConflictError(DISPOSED)


def list_records(
    *,
    vault_session: Session,
    scope: HandlerScope | None,
    subject_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[RecordOut]:
    """Records, oldest first, masked: every record when `scope` is None (the privacy office,
    auditors), else only those within the designation."""
    query = (
        select(NumberRecord)
        .options(defer(NumberRecord.number_ct), defer(NumberRecord.nonce))
        .order_by(NumberRecord.registered_at, NumberRecord.id)
    )
    if subject_id is not None:
        query = query.where(NumberRecord.subject_id == subject_id)
    if status is not None:
        query = query.where(NumberRecord.status == status)
    limit = min(limit, MAX_LIMIT)
    if scope is None:
        rows = vault_session.execute(query.offset(offset).limit(limit)).scalars()
        return [record_out(row) for row in rows]
    if scope.subject_ids is not None:
        query = query.where(NumberRecord.subject_id.in_(sorted(scope.subject_ids)))
    found: list[RecordOut] = []
    skipped = 0
    for row in vault_session.execute(query.execution_options(yield_per=500)).scalars():
        if not scope.sees(affairs=row.affairs, subject_id=row.subject_id):
            continue
        if skipped < offset:
            skipped += 1
            continue
        found.append(record_out(row))
        if len(found) >= limit:
            break
    return found


def get_record(*, vault_session: Session, record_id: str, scope: HandlerScope | None) -> RecordOut:
    """One record, masked (see :func:`load_record` for what is not found)."""
    return record_out(load_record(vault_session, record_id, scope))


def end_affairs(
    *,
    vault: Vault,
    sessions: VaultSessions,
    actor: str,
    record_id: str,
    ended_on: date,
    scope: HandlerScope | None = None,
    now: datetime | None = None,
) -> RecordOut:
    """Record the day the record's affairs ended (its retention runs from then; R-MN-7).

    With `scope` (a handler), the record must be within the designation and the designation
    must cover every affair of the record (another affair may still need it). A disposed record
    or a day in the future is refused. Chained as ``mynumber.affairs_ended``.
    """
    moment = now or utcnow()
    row = load_record(sessions.vault, record_id, scope, for_update=True)
    require_active(row)
    require_all_affairs(scope, row)
    if ended_on > day_in_japan(moment) or ended_on < row.acquired_on:
        raise InputError(
            "the affairs' end must lie between the acquisition and today", field="ended_on"
        )
    row.affairs_ended_on = ended_on
    sessions.vault.flush()
    append_entry(
        session=sessions.registry,
        actor=actor,
        action="mynumber.affairs_ended",
        object_type="mynumber_record",
        object_id=row.id,
        details={"subject_id": row.subject_id, "ended_on": ended_on.isoformat()},
        now=moment,
    )
    return record_out(row)
