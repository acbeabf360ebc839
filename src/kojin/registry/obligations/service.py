"""The obligation tasks' services: list, read, assign, close with evidence, reopen.

Tasks are opened by the decisions themselves (:mod:`kojin.registry.obligations.opening`). Staff
assign an owner (a department or a person: the name is encrypted, found again by its blind
index) and may move the due date with a reason; a task closes with its evidence: a document
(description and reference, encrypted) or a link to a kojin record, which the caller checks
exists (``record_exists``: the registry's sibling domains and the incident and request registers
sit beside or above this package, see :mod:`kojin.management.task_evidence`). Closing a
periodic task (R-SEC-4, R-TP-FX-3 yearly checks) opens its next round, due a year after the day
the round was closed.

Every change is a step of the task's history and an entry of the audit chain naming its actor,
the fields changed and dates, never a name or a text staff typed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.law.obligation_schedule import SCHEDULE, Timing
from kojin.law.vocabulary import ObligationCode
from kojin.registry.obligations.figures import task_figures, tokyo_day
from kojin.registry.obligations.models import ObligationTask, ObligationTaskEvent
from kojin.registry.obligations.opening import OBJECT_TYPE
from kojin.registry.obligations.schemas import (
    MAX_TEXT,
    AssignTask,
    Evidence,
    EvidenceKind,
    Owner,
    OwnerKind,
    RecordKind,
    ReopenTask,
    TaskDetail,
    TaskEvent,
    TaskOut,
    TaskPage,
    TaskStatus,
)
from kojin.registry.subjects.text import is_row_id

__all__ = [
    "RecordExists",
    "assign_task",
    "close_task",
    "get_task",
    "list_tasks",
    "next_round_of",
    "reopen_task",
    "task_figures",
]

#: the one answer to an id that names no task
TASK_NOT_FOUND: Final = "obligation task not found"
#: the blind index's field name of an owner
OWNER_FIELD: Final = "obligation_tasks.owner"
#: the most tasks one page lists
MAX_LIMIT: Final = 500

#: whether a kojin record exists: (kind, id) -> bool
RecordExists = Callable[[RecordKind, str], bool]


def context(table: str, column: str, row_id: str) -> str:
    return f"{table}.{column}:{row_id}"


def _seal(cipher: FieldCipher, table: str, column: str, row_id: str, value: str) -> str:
    return cipher.encrypt(value, context=context(table, column, row_id))


def _unseal(cipher: FieldCipher, table: str, column: str, row_id: str, stored: str) -> str:
    return cipher.decrypt(stored, context=context(table, column, row_id))


def _today(today: date | None) -> date:
    return today if today is not None else tokyo_day(utcnow())


def _load(session: Session, task_id: str, *, for_update: bool = False) -> ObligationTask:
    row = (
        session.get(ObligationTask, task_id, with_for_update=for_update)
        if is_row_id(task_id)
        else None
    )
    if row is None:
        raise NotFoundError(TASK_NOT_FOUND)
    return row


def _owner(cipher: FieldCipher, row: ObligationTask) -> Owner | None:
    if row.owner_kind is None or row.owner_enc is None:
        return None
    name = _unseal(cipher, "obligation_tasks", "owner", row.id, row.owner_enc)
    return Owner(kind=OwnerKind(row.owner_kind), name=name)


def _evidence(cipher: FieldCipher, row: ObligationTask) -> Evidence | None:
    if row.evidence_kind is None:
        return None
    if row.evidence_kind == EvidenceKind.RECORD.value and row.evidence_record:
        kind, _, record_id = row.evidence_record.partition(":")
        return Evidence(kind=EvidenceKind.RECORD, record_kind=RecordKind(kind), record_id=record_id)
    text: dict[str, str] = (
        json.loads(_unseal(cipher, "obligation_tasks", "evidence", row.id, row.evidence_enc))
        if row.evidence_enc
        else {}
    )
    return Evidence(
        kind=EvidenceKind.DOCUMENT,
        description=text.get("description"),
        reference=text.get("reference"),
    )


def _out(cipher: FieldCipher, row: ObligationTask, today: date) -> TaskOut:
    schedule = SCHEDULE.get((ObligationCode(row.code), row.rule))
    status = TaskStatus(row.status)
    return TaskOut(
        id=row.id,
        code=row.code,
        rule=row.rule,
        citation=row.citation,
        timing=row.timing,
        text_en="" if schedule is None else schedule.en,
        text_ja="" if schedule is None else schedule.ja,
        round=row.round,
        category=row.category,
        purpose=row.purpose,
        recipient_name=row.recipient_name,
        recipient_country=row.recipient_country,
        dataset_id=row.dataset_id,
        subject_id=row.subject_id,
        first_decision_id=row.first_decision_id,
        last_decision_id=row.last_decision_id,
        decision_count=row.decision_count,
        owner=_owner(cipher, row),
        due_on=row.due_on,
        status=status,
        overdue=status is TaskStatus.OPEN and row.due_on < today,
        days_left=(row.due_on - today).days,
        evidence=_evidence(cipher, row),
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        created_at=row.created_at,
    )


def _filtered(
    query: Select[Any],
    *,
    cipher: FieldCipher,
    status: TaskStatus | None,
    overdue: bool,
    due_within_days: int | None,
    code: ObligationCode | None,
    owner: str | None,
    today: date,
) -> Select[Any]:
    if overdue or due_within_days is not None:
        status = TaskStatus.OPEN
    if status is not None:
        query = query.where(ObligationTask.status == status.value)
    if overdue and due_within_days is not None:
        query = query.where(ObligationTask.due_on <= today + timedelta(days=due_within_days))
    elif overdue:
        query = query.where(ObligationTask.due_on < today)
    elif due_within_days is not None:
        query = query.where(
            ObligationTask.due_on >= today,
            ObligationTask.due_on <= today + timedelta(days=due_within_days),
        )
    if code is not None:
        query = query.where(ObligationTask.code == code.value)
    if owner is not None:
        query = query.where(
            ObligationTask.owner_index == cipher.blind_index(field=OWNER_FIELD, value=owner)
        )
    return query


def list_tasks(
    session: Session,
    *,
    cipher: FieldCipher,
    status: TaskStatus | None = None,
    overdue: bool = False,
    due_within_days: int | None = None,
    code: ObligationCode | None = None,
    owner: str | None = None,
    today: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> TaskPage:
    """Tasks, open ones first, each by due date (so the overdue come first).

    `overdue` keeps the open tasks past their due date; `due_within_days` the open tasks due from
    today to that many days ahead; both together: overdue or due within the days. `owner` is a
    department's or person's name exactly as assigned (matched by its blind index).
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    if offset < 0:
        raise InputError("offset must not be negative", field="offset")
    if due_within_days is not None and due_within_days < 0:
        raise InputError("the number of days must not be negative", field="upcoming")
    day = _today(today)
    filters: dict[str, Any] = {
        "cipher": cipher,
        "status": status,
        "overdue": overdue,
        "due_within_days": due_within_days,
        "code": code,
        "owner": owner,
        "today": day,
    }
    total = session.execute(
        _filtered(select(func.count()).select_from(ObligationTask), **filters)
    ).scalar_one()
    rows = session.execute(
        _filtered(select(ObligationTask), **filters)
        .order_by(
            (ObligationTask.status != TaskStatus.OPEN.value),
            ObligationTask.due_on,
            ObligationTask.created_at,
            ObligationTask.id,
        )
        .limit(limit)
        .offset(offset)
    ).scalars()
    return TaskPage(
        total=int(total),
        limit=limit,
        offset=offset,
        items=[_out(cipher, row, day) for row in rows],
    )


def get_task(
    session: Session, *, cipher: FieldCipher, task_id: str, today: date | None = None
) -> TaskDetail:
    """A task with its history (oldest step first)."""
    row = _load(session, task_id)
    events = session.execute(
        select(ObligationTaskEvent)
        .where(ObligationTaskEvent.task_id == row.id)
        .order_by(ObligationTaskEvent.seq)
    ).scalars()
    history = [
        TaskEvent(
            at=e.at,
            actor=e.actor,
            action=e.action,
            fields=[f for f in e.fields.split(",") if f],
            note=None
            if e.note_enc is None
            else _unseal(cipher, "obligation_task_events", "note", e.id, e.note_enc),
        )
        for e in events
    ]
    out = _out(cipher, row, _today(today))
    return TaskDetail(**out.model_dump(), history=history)


def record_step(
    *,
    session: Session,
    cipher: FieldCipher,
    row: ObligationTask,
    actor: str,
    action: str,
    fields: tuple[str, ...],
    now: datetime,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Keep a step of the task's history and chain it with its actor."""
    event_id = uuid.uuid4().hex
    steps = session.execute(
        select(func.count())
        .select_from(ObligationTaskEvent)
        .where(ObligationTaskEvent.task_id == row.id)
    ).scalar_one()
    session.add(
        ObligationTaskEvent(
            id=event_id,
            task_id=row.id,
            seq=int(steps) + 1,
            at=now,
            actor=actor[:200],
            action=action,
            fields=",".join(fields),
            note_enc=None
            if note is None
            else _seal(cipher, "obligation_task_events", "note", event_id, note),
            key_id=None if note is None else cipher.current_key_id,
        )
    )
    append_entry(
        session=session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details={
            "event_id": event_id,
            "code": row.code,
            "round": row.round,
            "fields": list(fields),
            **(details or {}),
        },
        now=now,
    )


def _reseal_row(cipher: FieldCipher, row: ObligationTask) -> None:
    """Bring the row's encrypted columns under the current key before writing one of them, so
    that the row's key id names the key of all of them."""
    current = cipher.current_key_id
    if row.key_id == current:
        return
    for column in ("owner", "evidence"):
        stored: str | None = getattr(row, f"{column}_enc")
        if stored is not None:
            text = _unseal(cipher, "obligation_tasks", column, row.id, stored)
            setattr(row, f"{column}_enc", _seal(cipher, "obligation_tasks", column, row.id, text))
    row.key_id = current


def assign_task(
    session: Session,
    *,
    cipher: FieldCipher,
    task_id: str,
    change: AssignTask,
    actor: str,
    now: datetime | None = None,
) -> TaskDetail:
    """Give the task an owner and/or a new due date (a due-date change needs a reason)."""
    ts = now or utcnow()
    row = _load(session, task_id, for_update=True)
    if change.owner is None and change.due_on is None:
        raise InputError("give an owner or a due date", field="owner")
    fields: list[str] = []
    details: dict[str, Any] = {}
    if change.owner is not None:
        _reseal_row(cipher, row)
        row.owner_kind = change.owner.kind.value
        row.owner_enc = _seal(cipher, "obligation_tasks", "owner", row.id, change.owner.name)
        row.owner_index = cipher.blind_index(field=OWNER_FIELD, value=change.owner.name)
        fields.append("owner")
        details["owner_kind"] = change.owner.kind.value
    if change.due_on is not None and change.due_on != row.due_on:
        if change.reason is None:
            raise InputError("a due-date change needs a reason", field="reason")
        details["due_from"] = row.due_on.isoformat()
        details["due_to"] = change.due_on.isoformat()
        row.due_on = change.due_on
        fields.append("due_on")
    row.updated_at = ts
    record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=actor,
        action="task.assigned",
        fields=tuple(fields),
        now=ts,
        note=change.reason,
        details=details,
    )
    session.flush()
    return get_task(session, cipher=cipher, task_id=row.id, today=tokyo_day(ts))


def _check_evidence(evidence: Evidence, record_exists: RecordExists | None) -> str | None:
    """The evidence's record link (``kind:id``), after checking the evidence is complete."""
    if evidence.kind is EvidenceKind.DOCUMENT:
        if not evidence.description or not evidence.reference:
            raise InputError(
                "a document needs a description and a reference", field="evidence.reference"
            )
        return None
    if evidence.record_kind is None or not evidence.record_id:
        raise InputError("a record link needs its kind and id", field="evidence.record_id")
    if record_exists is None or not record_exists(evidence.record_kind, evidence.record_id):
        raise InputError("the evidence names no such kojin record", field="evidence.record_id")
    return f"{evidence.record_kind.value}:{evidence.record_id}"


def close_task(
    session: Session,
    *,
    cipher: FieldCipher,
    task_id: str,
    evidence: Evidence,
    actor: str,
    record_exists: RecordExists | None = None,
    now: datetime | None = None,
) -> TaskDetail:
    """Close an open task with its evidence; a periodic task's next round opens (named as
    ``next_round_id`` in the chain entry; :func:`next_round_of` finds it)."""
    ts = now or utcnow()
    row = _load(session, task_id, for_update=True)
    if row.status != TaskStatus.OPEN.value:
        raise ConflictError("the task is already closed")
    link = _check_evidence(evidence, record_exists)
    today = tokyo_day(ts)
    row.evidence_kind = evidence.kind.value
    row.evidence_record = link
    if link is None:
        _reseal_row(cipher, row)
        text = json.dumps(
            {"description": evidence.description, "reference": evidence.reference},
            ensure_ascii=False,
        )
        row.evidence_enc = _seal(cipher, "obligation_tasks", "evidence", row.id, text)
    else:
        row.evidence_enc = None
    row.status = TaskStatus.DONE.value
    row.closed_by = actor[:200]
    row.closed_at = ts
    row.closed_on = today
    row.updated_at = ts
    details: dict[str, Any] = {
        "evidence": evidence.kind.value,
        "record": link,
        "due_on": row.due_on.isoformat(),
        "late": today > row.due_on,
    }
    next_round = _next_round(session, cipher, row, today=today, now=ts)
    if next_round is not None:
        details["next_round_id"] = next_round.id
    record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=actor,
        action="task.closed",
        fields=("status", "evidence"),
        now=ts,
        details=details,
    )
    if next_round is not None:
        record_step(
            session=session,
            cipher=cipher,
            row=next_round,
            actor=actor,
            action="task.opened",
            fields=(),
            now=ts,
            details={"previous_round_id": row.id, "due_on": next_round.due_on.isoformat()},
        )
    session.flush()
    return get_task(session, cipher=cipher, task_id=row.id, today=today)


def _next_round(
    session: Session, cipher: FieldCipher, row: ObligationTask, *, today: date, now: datetime
) -> ObligationTask | None:
    """The periodic task's next round, due an interval after `today`, with the same owner."""
    if row.timing != Timing.PERIODIC.value:
        return None
    later = session.execute(
        select(func.count())
        .select_from(ObligationTask)
        .where(ObligationTask.task_key == row.task_key, ObligationTask.round > row.round)
    ).scalar_one()
    if later:
        return None  # reopened and closed again: the next round exists already
    schedule = SCHEDULE.get((ObligationCode(row.code), row.rule))
    interval = schedule.interval_days if schedule and schedule.interval_days else 365
    new_id = uuid.uuid4().hex
    owner = _owner(cipher, row)
    successor = ObligationTask(
        id=new_id,
        task_key=row.task_key,
        round=row.round + 1,
        code=row.code,
        rule=row.rule,
        citation=row.citation,
        timing=row.timing,
        category=row.category,
        purpose=row.purpose,
        recipient_name=row.recipient_name,
        recipient_country=row.recipient_country,
        dataset_id=row.dataset_id,
        subject_id=row.subject_id,
        first_decision_id=row.last_decision_id,
        last_decision_id=row.last_decision_id,
        decision_count=0,
        first_decided_at=row.last_decided_at,
        last_decided_at=row.last_decided_at,
        owner_kind=None if owner is None else owner.kind.value,
        owner_enc=None
        if owner is None
        else _seal(cipher, "obligation_tasks", "owner", new_id, owner.name),
        owner_index=row.owner_index,
        due_on=today + timedelta(days=interval),
        status=TaskStatus.OPEN.value,
        created_at=now,
        updated_at=now,
        key_id=None if owner is None else cipher.current_key_id,
    )
    session.add(successor)
    return successor


def reopen_task(
    session: Session,
    *,
    cipher: FieldCipher,
    task_id: str,
    actor: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> TaskDetail:
    """Open a closed task again (its evidence did not hold): the evidence is kept in the
    history's chain entry, the task is open with its due date."""
    ts = now or utcnow()
    if reason is not None:
        try:
            reason = ReopenTask(reason=reason).reason
        except ValidationError:
            raise InputError(
                f"the reason must be 1 to {MAX_TEXT} characters of text without an individual "
                "number",
                field="reason",
            ) from None
    row = _load(session, task_id, for_update=True)
    if row.status != TaskStatus.DONE.value:
        raise ConflictError("the task is open")
    details = {"evidence": row.evidence_kind, "record": row.evidence_record}
    row.status = TaskStatus.OPEN.value
    row.evidence_kind = None
    row.evidence_record = None
    row.evidence_enc = None
    row.closed_by = None
    row.closed_at = None
    row.closed_on = None
    row.updated_at = ts
    record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=actor,
        action="task.reopened",
        fields=("status",),
        now=ts,
        note=reason,
        details=details,
    )
    session.flush()
    return get_task(session, cipher=cipher, task_id=row.id, today=tokyo_day(ts))


def next_round_of(session: Session, *, task_id: str) -> str | None:
    """The id of the round after task `task_id` (periodic tasks), if opened."""
    row = _load(session, task_id)
    found = session.execute(
        select(ObligationTask.id).where(
            ObligationTask.task_key == row.task_key, ObligationTask.round == row.round + 1
        )
    ).scalar_one_or_none()
    return None if found is None else str(found)
