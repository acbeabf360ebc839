"""Training services (R-PM-4): courses, the roster of workers, completions, who is overdue for
the yearly round, and the figures.

A worker is due for the yearly round :data:`~kojin.management.training.schemas.ROUND_DAYS` days
after their last completion of a yearly-round course; a worker with none yet is due
`grace_days` (default :data:`~kojin.management.training.schemas.JOINER_GRACE_DAYS`) after
joining. Names are encrypted with the field cipher; the audit chain names ids, employee numbers
are not chained either (only row ids and counts). Repositories flush; the caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Final

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.management.training.models import TrainingCourse, TrainingRecord, TrainingWorker
from kojin.management.training.schemas import (
    JOINER_GRACE_DAYS,
    ROUND_DAYS,
    CourseInput,
    CourseOut,
    RecordInput,
    RecordOut,
    TrainingFigures,
    WorkerInput,
    WorkerKind,
    WorkerOut,
)

WORKER_NOT_FOUND: Final = "worker not found"
COURSE_NOT_FOUND: Final = "course not found"
#: how many values one IN list holds
CHUNK: Final = 500


def _new_id() -> str:
    return uuid.uuid4().hex


def name_context(worker_id: str) -> str:
    return f"training_workers.name:{worker_id}"


def seal_name(cipher: FieldCipher, worker_id: str, key_id: str, name: str) -> str:
    return cipher.encrypt(name, context=name_context(worker_id), key_id=key_id)


def unseal_name(cipher: FieldCipher, worker_id: str, stored: str) -> str:
    return cipher.decrypt(stored, context=name_context(worker_id))


def _event(
    *, actor: str, action: str, object_type: str, object_id: str, details: dict[str, object]
) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )


def chunks(values: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    """`values` in slices of `size` (an IN list stays within every database's limits)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def workers_by_number(session: Session, numbers: Iterable[str]) -> dict[str, TrainingWorker]:
    """The workers on the roster among `numbers`, by employee number."""
    found: dict[str, TrainingWorker] = {}
    for chunk in chunks(sorted(set(numbers))):
        for row in session.execute(
            select(TrainingWorker).where(TrainingWorker.employee_number.in_(chunk))
        ).scalars():
            found[row.employee_number] = row
    return found


# courses -------------------------------------------------------------------------------------


def add_course(*, session: Session, course_in: CourseInput, actor: str) -> CourseOut:
    """Add a course; ConflictError when its code is taken."""
    taken = session.execute(
        select(TrainingCourse.id).where(TrainingCourse.code == course_in.code)
    ).first()
    if taken is not None:
        raise ConflictError("a course with this code exists")
    row = TrainingCourse(
        id=_new_id(),
        code=course_in.code,
        title=course_in.title,
        yearly=course_in.yearly,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    append_entries(
        session=session,
        events=[
            _event(
                actor=actor,
                action="training.course_added",
                object_type="training_course",
                object_id=row.id,
                details={"yearly": row.yearly},
            )
        ],
    )
    return CourseOut.model_validate(row)


def list_courses(*, session: Session) -> list[CourseOut]:
    """Every course, yearly-round ones first, by code."""
    query = select(TrainingCourse).order_by(TrainingCourse.yearly.desc(), TrainingCourse.code)
    return [CourseOut.model_validate(r) for r in session.execute(query).scalars()]


# workers -------------------------------------------------------------------------------------


def _last_yearly(session: Session, worker_ids: Iterable[str] | None = None) -> dict[str, date]:
    query = (
        select(TrainingRecord.worker_id, func.max(TrainingRecord.completed_on))
        .join(TrainingCourse, TrainingCourse.id == TrainingRecord.course_id)
        .where(TrainingCourse.yearly.is_(True))
        .group_by(TrainingRecord.worker_id)
    )
    if worker_ids is not None:
        query = query.where(TrainingRecord.worker_id.in_(list(worker_ids)))
    return {row[0]: row[1] for row in session.execute(query)}


def due_on(*, joined_on: date, last_yearly: date | None, grace_days: int) -> date:
    """When the worker's next yearly round is due."""
    if last_yearly is None:
        return joined_on + timedelta(days=grace_days)
    return last_yearly + timedelta(days=ROUND_DAYS)


def _worker_out(
    row: TrainingWorker,
    *,
    cipher: FieldCipher,
    last: date | None,
    today: date,
    grace_days: int,
) -> WorkerOut:
    due = due_on(joined_on=row.joined_on, last_yearly=last, grace_days=grace_days)
    return WorkerOut(
        id=row.id,
        employee_number=row.employee_number,
        name=unseal_name(cipher, row.id, row.name_enc),
        department=row.department,
        kind=WorkerKind(row.kind),
        joined_on=row.joined_on,
        active=row.active,
        last_yearly=last,
        due_on=due,
        overdue=row.active and due < today,
    )


def _apply_worker(row: TrainingWorker, worker_in: WorkerInput, cipher: FieldCipher) -> list[str]:
    changed: list[str] = []
    for key in ("department", "joined_on", "active"):
        value = getattr(worker_in, key)
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed.append(key)
    if row.kind != worker_in.kind.value:
        row.kind = worker_in.kind.value
        changed.append("kind")
    if unseal_name(cipher, row.id, row.name_enc) != worker_in.name:
        row.key_id = cipher.current_key_id
        row.name_enc = seal_name(cipher, row.id, row.key_id, worker_in.name)
        changed.append("name")
    return changed


def save_workers(
    *, session: Session, cipher: FieldCipher, workers: list[WorkerInput], actor: str
) -> tuple[int, int, int]:
    """Add the workers whose employee number is new and update the others; one audit entry
    per worker added or changed (naming the fields). Returns (added, updated, unchanged)."""
    numbers = [w.employee_number for w in workers]
    if len(set(numbers)) != len(numbers):
        raise InputError("employee_number: the same number is given twice", field="employee_number")
    existing = workers_by_number(session, numbers)
    now = utcnow()
    events: list[AuditEvent] = []
    added = updated = unchanged = 0
    for worker_in in workers:
        row = existing.get(worker_in.employee_number)
        if row is None:
            worker_id = _new_id()
            key_id = cipher.current_key_id
            row = TrainingWorker(
                id=worker_id,
                employee_number=worker_in.employee_number,
                name_enc=seal_name(cipher, worker_id, key_id, worker_in.name),
                department=worker_in.department,
                kind=worker_in.kind.value,
                joined_on=worker_in.joined_on,
                active=worker_in.active,
                created_at=now,
                updated_at=now,
                key_id=key_id,
            )
            session.add(row)
            added += 1
            action, fields = "training.worker_added", []
        else:
            fields = _apply_worker(row, worker_in, cipher)
            if not fields:
                unchanged += 1
                continue
            row.updated_at = now
            updated += 1
            action = "training.worker_updated"
        events.append(
            _event(
                actor=actor,
                action=action,
                object_type="training_worker",
                object_id=row.id,
                details={"kind": row.kind, "active": row.active, "fields": sorted(fields)},
            )
        )
    session.flush()
    if events:
        append_entries(session=session, events=events)
    return added, updated, unchanged


def _worker_by_number(session: Session, employee_number: str) -> TrainingWorker:
    row = session.execute(
        select(TrainingWorker).where(TrainingWorker.employee_number == employee_number)
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(WORKER_NOT_FOUND)
    return row


def get_worker(
    *,
    session: Session,
    cipher: FieldCipher,
    employee_number: str,
    today: date,
    grace_days: int = JOINER_GRACE_DAYS,
) -> WorkerOut:
    """One worker by employee number."""
    row = _worker_by_number(session, employee_number)
    last = _last_yearly(session, [row.id]).get(row.id)
    return _worker_out(row, cipher=cipher, last=last, today=today, grace_days=grace_days)


def list_workers(
    *,
    session: Session,
    cipher: FieldCipher,
    today: date,
    active_only: bool = True,
    department: str | None = None,
    grace_days: int = JOINER_GRACE_DAYS,
) -> list[WorkerOut]:
    """The roster by department and employee number, with each worker's yearly-round state."""
    query = select(TrainingWorker).order_by(
        TrainingWorker.department, TrainingWorker.employee_number
    )
    if active_only:
        query = query.where(TrainingWorker.active.is_(True))
    if department is not None:
        query = query.where(TrainingWorker.department == department)
    rows = list(session.execute(query).scalars())
    last = _last_yearly(session)
    return [
        _worker_out(r, cipher=cipher, last=last.get(r.id), today=today, grace_days=grace_days)
        for r in rows
    ]


def overdue_workers(
    *,
    session: Session,
    cipher: FieldCipher,
    today: date,
    grace_days: int = JOINER_GRACE_DAYS,
) -> list[WorkerOut]:
    """Active workers overdue for the yearly round on `today`, longest overdue first."""
    workers = list_workers(session=session, cipher=cipher, today=today, grace_days=grace_days)
    return sorted((w for w in workers if w.overdue), key=lambda w: (w.due_on, w.employee_number))


# records -------------------------------------------------------------------------------------


def save_records(
    *, session: Session, records: list[RecordInput], actor: str, today: date
) -> list[RecordOut]:
    """Record completions (all or nothing); a completion recorded before is kept once.

    Unknown employee numbers or course codes and future days are an error naming the entry
    (by its position), never the value.
    """
    numbers = {r.employee_number for r in records}
    codes = {r.course for r in records}
    workers = workers_by_number(session, numbers)
    courses = {
        c.code: c
        for chunk in chunks(sorted(codes))
        for c in session.execute(
            select(TrainingCourse).where(TrainingCourse.code.in_(chunk))
        ).scalars()
    }
    for position, record in enumerate(records, start=1):
        if record.employee_number not in workers:
            raise NotFoundError(f"entry {position}: {WORKER_NOT_FOUND}")
        if record.course not in courses:
            raise NotFoundError(f"entry {position}: {COURSE_NOT_FOUND}")
        if record.completed_on > today:
            raise InputError(
                f"entry {position}: completed_on must not be in the future", field="completed_on"
            )
    existing: dict[tuple[str, str, date], TrainingRecord] = {}
    for chunk in chunks(sorted({w.id for w in workers.values()})):
        for found in session.execute(
            select(TrainingRecord).where(TrainingRecord.worker_id.in_(chunk))
        ).scalars():
            existing[(found.worker_id, found.course_id, found.completed_on)] = found
    now = utcnow()
    out: list[RecordOut] = []
    events: list[AuditEvent] = []
    seen: set[tuple[str, str, date]] = set()
    for record in records:
        worker = workers[record.employee_number]
        course = courses[record.course]
        key = (worker.id, course.id, record.completed_on)
        if key in seen:
            continue
        seen.add(key)
        new = False
        row = existing.get(key)
        if row is None:
            row = TrainingRecord(
                id=_new_id(),
                worker_id=worker.id,
                course_id=course.id,
                completed_on=record.completed_on,
                recorded_by=actor,
                created_at=now,
            )
            session.add(row)
            new = True
            events.append(
                _event(
                    actor=actor,
                    action="training.recorded",
                    object_type="training_record",
                    object_id=row.id,
                    details={
                        "worker_id": worker.id,
                        "course_id": course.id,
                        "completed_on": record.completed_on.isoformat(),
                    },
                )
            )
        out.append(
            RecordOut(
                id=row.id,
                worker_id=worker.id,
                employee_number=worker.employee_number,
                course=course.code,
                course_title=course.title,
                completed_on=row.completed_on,
                new=new,
            )
        )
    session.flush()
    if events:
        append_entries(session=session, events=events)
    return out


def worker_records(*, session: Session, employee_number: str) -> list[RecordOut]:
    """A worker's completions, newest first."""
    worker = _worker_by_number(session, employee_number)
    query = (
        select(TrainingRecord, TrainingCourse)
        .join(TrainingCourse, TrainingCourse.id == TrainingRecord.course_id)
        .where(TrainingRecord.worker_id == worker.id)
        .order_by(TrainingRecord.completed_on.desc(), TrainingCourse.code)
    )
    return [
        RecordOut(
            id=r.id,
            worker_id=worker.id,
            employee_number=worker.employee_number,
            course=c.code,
            course_title=c.title,
            completed_on=r.completed_on,
        )
        for r, c in session.execute(query)
    ]


# figures -------------------------------------------------------------------------------------


def training_figures(
    session: Session,
    *,
    since: date,
    until: date,
    today: date,
    grace_days: int = JOINER_GRACE_DAYS,
) -> TrainingFigures:
    """The figures for the period `since`..`until` (both included) and the state on `today`."""
    if since > until:
        raise InputError("since: must not be after until", field="since")
    active = list(
        session.execute(
            select(TrainingWorker.id, TrainingWorker.joined_on).where(
                TrainingWorker.active.is_(True)
            )
        )
    )
    last = _last_yearly(session)
    overdue = sum(
        1
        for worker_id, joined in active
        if due_on(joined_on=joined, last_yearly=last.get(worker_id), grace_days=grace_days) < today
    )
    in_period = (TrainingRecord.completed_on >= since, TrainingRecord.completed_on <= until)
    trained = session.execute(
        select(func.count(distinct(TrainingRecord.worker_id))).where(*in_period)
    ).scalar_one()
    completed = session.execute(
        select(func.count(distinct(TrainingRecord.worker_id)))
        .join(TrainingCourse, TrainingCourse.id == TrainingRecord.course_id)
        .join(TrainingWorker, TrainingWorker.id == TrainingRecord.worker_id)
        .where(*in_period, TrainingCourse.yearly.is_(True), TrainingWorker.active.is_(True))
    ).scalar_one()
    workers = len(active)
    return TrainingFigures(
        workers=workers,
        trained_in_period=int(trained),
        overdue=overdue,
        completion_rate=round(int(completed) / workers, 4) if workers else 0.0,
    )
