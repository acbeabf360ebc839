"""Open the tasks a batch of recorded decisions creates, once per duty and scope.

Called by :func:`kojin.registry.decisions.service.decide_batch` in the decisions' own transaction.
For the allowed decisions only, each obligation with a schedule
(:mod:`kojin.law.obligation_schedule`) is reduced to its dedup key; then

- one indexed read finds the tasks already holding those keys (their latest round);
- the keys seen again update their task in one statement (last decision, count);
- the new keys are inserted, with an ``opened`` step in their history and a ``task.opened``
  entry in the audit chain naming the actor, the duty, the decision and the due date.

It runs after the decisions' chain entries, so under the chain-head lock that orders decision
batches; should two transactions still both find a key missing, the insert runs in a savepoint,
and when the unique key refuses it (the other committed first) the keys are read again and the
decisions counted on the existing task.
Nothing is committed here: the caller's unit of work commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.law.decision_schemas import Decision, DecisionRequest
from kojin.law.obligation_schedule import Schedule, Scope, schedule_for, task_key
from kojin.registry.obligations.figures import tokyo_day
from kojin.registry.obligations.models import ObligationTask, ObligationTaskEvent
from kojin.registry.obligations.schemas import TaskStatus

#: the audit chain's object type of a task
OBJECT_TYPE: Final = "obligation_task"
_TASKS = cast(Table, ObligationTask.__table__)
_EVENTS = cast(Table, ObligationTaskEvent.__table__)
_INSERT_TASKS = insert(_TASKS)
_INSERT_EVENTS = insert(_EVENTS)
_LATEST = select(_TASKS.c.task_key, _TASKS.c.id, _TASKS.c.round).where(
    _TASKS.c.task_key.in_(bindparam("keys", expanding=True))
)
_SEEN_AGAIN = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("b_id"))
    .values(
        last_decision_id=bindparam("b_last"),
        last_decided_at=bindparam("b_at"),
        decision_count=_TASKS.c.decision_count + bindparam("b_n"),
    )
)


@dataclass(slots=True)
class _Owed:
    """One dedup key's duty in this batch: the first decision that owes it, and how many do."""

    schedule: Schedule
    request: DecisionRequest
    first: str
    last: str
    count: int = 1


def owed_tasks(
    decided: Sequence[tuple[str, DecisionRequest, Decision]],
) -> dict[str, _Owed]:
    """The dedup keys the allowed decisions owe, in order of first appearance.

    Repeated requests about the same recipient and purpose (the common batch) hash their key
    once: the key of each (duty, request facts) is kept for the batch."""
    owed: dict[str, _Owed] = {}
    keys: dict[tuple[object, ...], str] = {}
    for decision_id, request, decision in decided:
        if not decision.allowed or not decision.obligations:
            continue
        recipient = request.recipient
        name = None if recipient is None else recipient.name
        country = None if recipient is None else recipient.country
        for obligation in decision.obligations:
            schedule = schedule_for(obligation)
            if schedule is None:
                continue
            per_decision = Scope.SUBJECT in schedule.scope and request.subject_id is None
            facts = (
                schedule.code,
                schedule.rule,
                request.category,
                request.purpose,
                name,
                country,
                request.dataset_id,
                request.subject_id,
                decision_id if per_decision else None,
            )
            key = keys.get(facts)
            if key is None:
                key = keys[facts] = task_key(
                    schedule,
                    category=request.category,
                    purpose=request.purpose,
                    recipient_name=name,
                    recipient_country=country,
                    dataset_id=request.dataset_id,
                    subject_id=request.subject_id,
                    decision_id=decision_id,
                )
            found = owed.get(key)
            if found is None:
                owed[key] = _Owed(schedule, request, decision_id, decision_id)
            elif found.last != decision_id:
                found.last = decision_id
                found.count += 1
    return owed


def _latest(session: Session, keys: Sequence[str]) -> dict[str, tuple[str, int]]:
    """The id and round of the latest round of each key that has a task."""
    found: dict[str, tuple[str, int]] = {}
    rows = session.connection().execute(_LATEST, {"keys": list(keys)})
    for key, task_id, round_ in rows:
        if key not in found or round_ > found[key][1]:
            found[key] = (task_id, round_)
    return found


def _new_row(key: str, owed: _Owed, *, now: datetime, today: date) -> dict[str, Any]:
    schedule, request = owed.schedule, owed.request
    recipient = request.recipient
    return {
        "id": uuid.uuid4().hex,
        "task_key": key,
        "round": 1,
        "code": schedule.code.value,
        "rule": schedule.rule,
        "citation": schedule.citation,
        "timing": schedule.timing.value,
        "category": request.category,
        "purpose": request.purpose,
        "recipient_name": None if recipient is None else recipient.name,
        "recipient_country": None if recipient is None else recipient.country,
        "dataset_id": request.dataset_id,
        "subject_id": request.subject_id,
        "first_decision_id": owed.first,
        "last_decision_id": owed.last,
        "decision_count": owed.count,
        "first_decided_at": now,
        "last_decided_at": now,
        "owner_kind": None,
        "owner_enc": None,
        "owner_index": None,
        "due_on": today + timedelta(days=schedule.first_due_days),
        "status": TaskStatus.OPEN.value,
        "evidence_kind": None,
        "evidence_record": None,
        "evidence_enc": None,
        "closed_by": None,
        "closed_at": None,
        "closed_on": None,
        "created_at": now,
        "updated_at": now,
        "key_id": None,
    }


def _update_seen(
    session: Session, seen: dict[str, tuple[str, int]], owed: dict[str, _Owed], now: datetime
) -> None:
    if not seen:
        return
    params = [
        {"b_id": task_id, "b_last": owed[key].last, "b_at": now, "b_n": owed[key].count}
        for key, (task_id, _) in sorted(seen.items(), key=lambda kv: kv[1][0])
    ]
    session.connection().execute(_SEEN_AGAIN, params)


def open_tasks(
    *,
    session: Session,
    decided: Sequence[tuple[str, DecisionRequest, Decision]],
    actor: str,
    now: datetime,
) -> list[str]:
    """Create the missing tasks the allowed decisions of a batch owe and count the decisions on
    the tasks that exist; the ids of the tasks opened (in order)."""
    owed = owed_tasks(decided)
    if not owed:
        return []
    keys = list(owed)
    seen = _latest(session, keys)
    new = [key for key in keys if key not in seen]
    today = tokyo_day(now)
    rows = [_new_row(key, owed[key], now=now, today=today) for key in new]
    if rows:
        try:
            with session.begin_nested():  # a concurrent batch opening the same task loses here
                session.connection().execute(_INSERT_TASKS, rows)
        except IntegrityError:
            # another transaction opened some of them first: those are seen, not new
            seen = _latest(session, keys)
            rows = [row for row in rows if row["task_key"] not in seen]
            if rows:
                session.connection().execute(_INSERT_TASKS, rows)
    _update_seen(session, seen, owed, now)
    if not rows:
        return []
    conn = session.connection()
    conn.execute(
        _INSERT_EVENTS,
        [
            {
                "id": uuid.uuid4().hex,
                "task_id": row["id"],
                "seq": 1,
                "at": now,
                "actor": actor[:200],
                "action": "task.opened",
                "fields": "",
                "note_enc": None,
                "key_id": None,
            }
            for row in rows
        ],
    )
    append_entries(
        session=session,
        events=[
            AuditEvent(
                actor=actor,
                action="task.opened",
                object_type=OBJECT_TYPE,
                object_id=row["id"],
                details={
                    "code": row["code"],
                    "rule": row["rule"],
                    "decision_id": row["first_decision_id"],
                    "decisions": row["decision_count"],
                    "due_on": row["due_on"].isoformat(),
                    "task_key": row["task_key"],
                },
            )
            for row in rows
        ],
        now=now,
    )
    return [row["id"] for row in rows]


def count_tasks(session: Session) -> int:
    """How many tasks exist (every round)."""
    return int(session.execute(select(func.count()).select_from(ObligationTask)).scalar_one())
