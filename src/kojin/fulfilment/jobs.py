"""Fulfilment jobs as staff and the workers change them: create, approve, cancel, retry, add
tasks, and the handlers' encrypted working data.

Services flush, the caller commits; after the commit, hand a queued job to the queue
(:meth:`kojin.fulfilment.queue.JobQueue.enqueue`) so that a worker runs it. Every change is
chained (see :mod:`kojin.fulfilment.job_records`).

A job's life::

    queued ──▶ running ──▶ done
      ▲  │        │  └──▶ failed ──(retry)──▶ queued
      │  │        └──▶ awaiting_approval ──(approve)──▶ queued
      │  └──▶ cancelled ◀── (cancel: from every state but done and cancelled)
      └── (a worker stopping between tasks puts a running job back)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from kojin.audit.service import lock_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.fulfilment.job_records import (
    chain,
    load_job,
    lock_job,
    new_id,
    open_payload,
    open_result,
    seal_payload,
    seal_result,
    view,
)
from kojin.fulfilment.job_schemas import (
    FINISHED_STATES,
    JobKind,
    JobOut,
    JobState,
    TaskSpec,
    TaskState,
)
from kojin.fulfilment.models import FulfilmentJob, FulfilmentTask
from kojin.registry.keys import EncryptedStore
from kojin.requests.models import DataRequest

#: the answer to an id that names no request (the same words as the request services)
REQUEST_NOT_FOUND: Final = "request not found"


def create_job(
    *,
    session: Session,
    cipher: FieldCipher,
    request_id: str,
    kind: JobKind,
    actor: str,
    tasks: Sequence[TaskSpec],
    payload: bytes | None = None,
    approval_stage: str | None = None,
    now: datetime | None = None,
) -> JobOut:
    """Create a queued job of `tasks` (run in this order) for the request `request_id`.

    `payload` is the handlers' working data, kept encrypted; `approval_stage` names a stage
    whose tasks wait for a person's approval (a handler can also ask for it, see
    :class:`kojin.fulfilment.runner.TaskResult`). A request has at most one unfinished job:
    ConflictError while another one is queued, running or waiting for approval.
    """
    if not tasks:
        raise InputError("a fulfilment job needs at least one task", field="tasks")
    if approval_stage is not None:
        approval_stage = TaskSpec(stage=approval_stage, name="gate").stage
    moment = now or utcnow()
    valid = len(request_id) == 32 and all(c in "0123456789abcdef" for c in request_id)
    request = session.get(DataRequest, request_id, with_for_update=True) if valid else None
    if request is None:
        raise NotFoundError(REQUEST_NOT_FOUND)
    if _unfinished_job(session, request_id) is not None:
        raise ConflictError("the request already has a fulfilment job that has not ended")
    row = FulfilmentJob(
        id=new_id(),
        request_id=request_id,
        kind=JobKind(kind).value,
        state=JobState.QUEUED.value,
        stage=tasks[0].stage,
        created_by=actor,
        created_at=moment,
        approval_stage=approval_stage,
        updated_at=moment,
        key_id=cipher.current_key_id,
    )
    seal_payload(cipher, row, payload)
    session.add(row)
    append_tasks(session, row, tasks, start=1)
    chain(
        session,
        row,
        actor=actor,
        action="job_created",
        now=moment,
        details={
            "tasks": len(tasks),
            "stages": sorted({spec.stage for spec in tasks}),
            "approval_stage": approval_stage,
        },
    )
    return view(session, row)


def _unfinished_job(session: Session, request_id: str) -> FulfilmentJob | None:
    finished = [state.value for state in FINISHED_STATES]
    query = select(FulfilmentJob).where(
        FulfilmentJob.request_id == request_id, FulfilmentJob.state.not_in(finished)
    )
    return session.execute(query.limit(1)).scalars().first()


def append_tasks(
    session: Session, row: FulfilmentJob, specs: Sequence[TaskSpec], *, start: int | None = None
) -> list[FulfilmentTask]:
    """Add `specs` as pending tasks after the job's last one (or from seq `start`)."""
    if start is None:
        last = session.execute(
            select(func.max(FulfilmentTask.seq)).where(FulfilmentTask.job_id == row.id)
        ).scalar_one()
        start = int(last or 0) + 1
    added = [
        FulfilmentTask(
            id=new_id(),
            job_id=row.id,
            seq=start + offset,
            stage=spec.stage,
            name=spec.name,
            state=TaskState.PENDING.value,
            attempts=0,
            rows_planned=0,
            rows_written=0,
        )
        for offset, spec in enumerate(specs)
    ]
    session.add_all(added)
    return added


def get_job(*, session: Session, job_id: str) -> JobOut:
    """The job `job_id` with its tasks and progress; NotFoundError when there is none."""
    return view(session, load_job(session, job_id))


def job_for_request(*, session: Session, request_id: str) -> JobOut | None:
    """The request's latest job (None when it has none)."""
    query = (
        select(FulfilmentJob)
        .where(FulfilmentJob.request_id == request_id)
        .order_by(FulfilmentJob.created_at.desc(), FulfilmentJob.id.desc())
        .limit(1)
    )
    row = session.execute(query).scalars().first()
    return None if row is None else view(session, row)


def add_tasks(
    *,
    session: Session,
    job_id: str,
    tasks: Sequence[TaskSpec],
    actor: str,
    now: datetime | None = None,
) -> JobOut:
    """Append `tasks` to a job that has not ended (they run after its current ones)."""
    moment = now or utcnow()
    row = lock_job(session, job_id)
    _refuse_finished(row, "add tasks to")
    added = append_tasks(session, row, tasks)
    row.updated_at = moment
    chain(
        session,
        row,
        actor=actor,
        action="tasks_added",
        now=moment,
        details={"tasks": len(added), "stages": sorted({spec.stage for spec in tasks})},
    )
    return view(session, row)


def approve_job(
    *, session: Session, job_id: str, actor: str, now: datetime | None = None
) -> JobOut:
    """A person approves what the earlier stages prepared: the job waiting for approval is
    queued again and its gated stage may run. ConflictError unless it waits for approval."""
    moment = now or utcnow()
    row = lock_job(session, job_id)
    if row.state != JobState.AWAITING_APPROVAL:
        raise ConflictError(f"the fulfilment job is {row.state}, not awaiting approval")
    row.state = JobState.QUEUED.value
    row.approved_by = actor
    row.approved_at = moment
    row.updated_at = moment
    chain(
        session,
        row,
        actor=actor,
        action="job_approved",
        now=moment,
        details={"from_state": JobState.AWAITING_APPROVAL.value, "stage": row.approval_stage},
    )
    return view(session, row)


def cancel_job(*, session: Session, job_id: str, actor: str, now: datetime | None = None) -> JobOut:
    """Cancel a job that has not ended (a failed one too). Its working data is emptied. A
    running job stops after the task in hand, whose effects its worker still records."""
    moment = now or utcnow()
    row = lock_job(session, job_id)
    if row.state in (JobState.DONE, JobState.CANCELLED):
        raise ConflictError(f"the fulfilment job is {row.state} already")
    before = row.state
    row.state = JobState.CANCELLED.value
    row.finished_at = moment
    row.updated_at = moment
    row.payload_enc = None
    if before != JobState.RUNNING:  # a running job's worker clears its own lease
        row.lease_owner = row.lease_until = None
    chain(
        session,
        row,
        actor=actor,
        action="job_cancelled",
        now=moment,
        details={"from_state": before, "payload_cleared": True},
    )
    return view(session, row)


def retry_job(*, session: Session, job_id: str, actor: str, now: datetime | None = None) -> JobOut:
    """Queue a failed job again from its failed task (the tasks done stay done)."""
    moment = now or utcnow()
    row = lock_job(session, job_id)
    if row.state != JobState.FAILED:
        raise ConflictError(f"the fulfilment job is {row.state}, not failed")
    failed = session.execute(
        select(FulfilmentTask).where(
            FulfilmentTask.job_id == row.id, FulfilmentTask.state == TaskState.FAILED.value
        )
    ).scalars()
    task_ids = []
    for task in failed:
        task.state = TaskState.PENDING.value
        task.error = None
        task.finished_at = None
        task_ids.append(task.id)
    row.state = JobState.QUEUED.value
    row.error = None
    row.finished_at = None
    row.updated_at = moment
    chain(
        session,
        row,
        actor=actor,
        action="job_retried",
        now=moment,
        details={"from_state": JobState.FAILED.value, "task_ids": sorted(task_ids)},
    )
    return view(session, row)


def read_payload(*, session: Session, cipher: FieldCipher, job_id: str) -> bytes | None:
    """The handlers' working data of the job, decrypted (None when there is none)."""
    return open_payload(cipher, load_job(session, job_id))


def read_result(*, session: Session, cipher: FieldCipher, job_id: str) -> bytes | None:
    """What the job produced for the request, decrypted (None when there is nothing)."""
    return open_result(cipher, load_job(session, job_id))


def write_payload(
    *, session: Session, cipher: FieldCipher, job_id: str, data: bytes | None
) -> None:
    """Replace the working data of a job that has not ended (None empties it)."""
    row = load_job(session, job_id, for_update=True)
    _refuse_finished(row, "change the working data of")
    seal_payload(cipher, row, data)
    row.updated_at = utcnow()
    session.flush()


def runnable_job_ids(
    *,
    session: Session,
    now: datetime,
    limit: int = 20,
    queued_before: datetime | None = None,
) -> list[str]:
    """Jobs a worker may take now, the oldest first: queued ones (queued before
    `queued_before`, when given), and running ones whose worker stopped renewing its lease."""
    queued = FulfilmentJob.state == JobState.QUEUED.value
    if queued_before is not None:
        queued = and_(queued, FulfilmentJob.updated_at < queued_before)
    query = (
        select(FulfilmentJob.id)
        .where(
            or_(
                queued,
                and_(
                    FulfilmentJob.state == JobState.RUNNING.value,
                    or_(FulfilmentJob.lease_until.is_(None), FulfilmentJob.lease_until < now),
                ),
            )
        )
        .order_by(FulfilmentJob.created_at, FulfilmentJob.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def count_stale_jobs(*, session: Session, cipher: FieldCipher) -> int:
    """How many jobs keep working data under an older key."""
    query = (
        select(func.count())
        .select_from(FulfilmentJob)
        .where(
            FulfilmentJob.key_id != cipher.current_key_id,
            or_(FulfilmentJob.payload_enc.is_not(None), FulfilmentJob.result_enc.is_not(None)),
        )
    )
    return int(session.execute(query).scalar_one())


def reencrypt_jobs(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt the working data of up to `limit` jobs still under an older key; returns how
    many. Call until it returns 0 (one transaction each), keeping the older keys until then."""
    current = cipher.current_key_id
    rows = session.execute(
        select(FulfilmentJob)
        .where(
            FulfilmentJob.key_id != current,
            or_(FulfilmentJob.payload_enc.is_not(None), FulfilmentJob.result_enc.is_not(None)),
        )
        .order_by(FulfilmentJob.id)
        .limit(limit)
        .with_for_update()
    ).scalars()
    count = 0
    for row in rows:
        data, result = open_payload(cipher, row), open_result(cipher, row)
        row.key_id = current
        seal_payload(cipher, row, data)
        seal_result(cipher, row, result)
        count += 1
    session.flush()
    return count


def _refuse_finished(row: FulfilmentJob, doing: str) -> None:
    if JobState(row.state) in FINISHED_STATES:
        raise ConflictError(f"cannot {doing} a fulfilment job that is {row.state}")


def clear_payloads(
    *, session: Session, request_id: str, actor: str, now: datetime | None = None
) -> int:
    """Empty the working data and the result of every job of the request (when the request's
    personal data is purged; a failed or waiting job keeps its data otherwise, a finished job
    its result); returns how many jobs had some. Each is chained as
    ``fulfilment.payload_cleared``."""
    moment = now or utcnow()
    lock_chain(session=session)
    rows = session.execute(
        select(FulfilmentJob)
        .where(
            FulfilmentJob.request_id == request_id,
            or_(FulfilmentJob.payload_enc.is_not(None), FulfilmentJob.result_enc.is_not(None)),
        )
        .order_by(FulfilmentJob.id)
        .with_for_update()
    ).scalars()
    count = 0
    for row in rows:
        row.payload_enc = row.result_enc = None
        row.updated_at = moment
        chain(session, row, actor=actor, action="payload_cleared", now=moment)
        count += 1
    return count


#: the job table's encrypted working data, for a key rotation
#: (:func:`kojin.registry.keys.rotate_keys` ``stores``)
ENCRYPTED_STORE: Final = EncryptedStore("fulfilment_jobs", count_stale_jobs, reencrypt_jobs)
