"""Shared pieces of the job services: loading rows, the encrypted payload, the audit chain and
the progress view.

Every state change of a job or a task is chained as ``fulfilment.<action>`` on the object
``fulfilment_job:<id>`` with the request id as its reference: ids, kinds, stages, collection
names, counts and attempt numbers, never a personal value.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry, lock_chain
from kojin.crypto.cipher import FieldCipher
from kojin.errors import KojinError, NotFoundError
from kojin.fulfilment.job_schemas import JobKind, JobOut, JobState, TaskOut, TaskState
from kojin.fulfilment.models import FulfilmentJob, FulfilmentTask

#: the one answer to an id that names no job
JOB_NOT_FOUND: Final = "fulfilment job not found"
#: the longest error text kept on a job or a task
MAX_ERROR_CHARS: Final = 500


def new_id() -> str:
    return uuid.uuid4().hex


def payload_context(job_id: str) -> str:
    """The encryption context of a job's payload: its table, column and row."""
    return f"fulfilment_jobs.payload:{job_id}"


def result_context(job_id: str) -> str:
    """The encryption context of a job's result: its table, column and row."""
    return f"fulfilment_jobs.result:{job_id}"


def _seal(
    cipher: FieldCipher, row: FulfilmentJob, data: bytes | None, context: str
) -> bytes | None:
    return None if data is None else cipher.encrypt_bytes(data, context=context, key_id=row.key_id)


def _open(cipher: FieldCipher, stored: bytes | None, context: str) -> bytes | None:
    return None if stored is None else cipher.decrypt_bytes(stored, context=context)


def seal_payload(cipher: FieldCipher, row: FulfilmentJob, data: bytes | None) -> None:
    """Encrypt `data` into the job's payload under the row's key id (None empties it)."""
    row.payload_enc = _seal(cipher, row, data, payload_context(row.id))


def open_payload(cipher: FieldCipher, row: FulfilmentJob) -> bytes | None:
    """The job's payload, decrypted (None when empty)."""
    return _open(cipher, row.payload_enc, payload_context(row.id))


def seal_result(cipher: FieldCipher, row: FulfilmentJob, data: bytes | None) -> None:
    """Encrypt `data` into the job's result under the row's key id (None empties it)."""
    row.result_enc = _seal(cipher, row, data, result_context(row.id))


def open_result(cipher: FieldCipher, row: FulfilmentJob) -> bytes | None:
    """The job's result, decrypted (None when empty)."""
    return _open(cipher, row.result_enc, result_context(row.id))


def load_job(session: Session, job_id: str, *, for_update: bool = False) -> FulfilmentJob:
    """The job `job_id` (row-locked with `for_update`); NotFoundError for an unknown or
    malformed id."""
    valid = len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)
    row = session.get(FulfilmentJob, job_id, with_for_update=for_update) if valid else None
    if row is None:
        raise NotFoundError(JOB_NOT_FOUND)
    return row


def lock_job(session: Session, job_id: str) -> FulfilmentJob:
    """The job `job_id` locked for a change that will be chained: the audit chain's lock is
    taken first, then the job row's, always in this order, so that a caller chaining a request
    step and changing a job in one transaction never deadlocks with a worker."""
    lock_chain(session=session)
    return load_job(session, job_id, for_update=True)


def tasks_of(session: Session, job_id: str) -> list[FulfilmentTask]:
    """The job's tasks in the order they run."""
    query = select(FulfilmentTask).where(FulfilmentTask.job_id == job_id)
    return list(session.execute(query.order_by(FulfilmentTask.seq)).scalars())


def describe_error(exc: BaseException) -> str:
    """What a job keeps about a failure: the exception's class, and kojin's own message (kojin
    messages name fields and ids, never values); other libraries' messages may quote the data
    they choked on, so only their class is kept."""
    text = type(exc).__name__
    if isinstance(exc, KojinError):
        text = f"{text}: {exc.message}"
    return text[:MAX_ERROR_CHARS]


def chain(
    session: Session,
    row: FulfilmentJob,
    *,
    actor: str,
    action: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Append ``fulfilment.<action>`` for the job `row` (after flushing the change it records)."""
    append_entry(
        session=session,
        actor=actor,
        action=f"fulfilment.{action}",
        object_type="fulfilment_job",
        object_id=row.id,
        details={"kind": row.kind, "state": row.state, **(details or {})},
        reference=row.request_id,
        now=now,
    )


def task_details(task: FulfilmentTask) -> dict[str, Any]:
    """What the chain says about a task: its id, place, stage, collection and attempt."""
    return {
        "task_id": task.id,
        "seq": task.seq,
        "stage": task.stage,
        "task": task.name,
        "attempt": task.attempts,
    }


def job_out(row: FulfilmentJob, tasks: Sequence[FulfilmentTask]) -> JobOut:
    """The job and its tasks as staff see them, with the progress counts."""
    shown = [
        TaskOut(
            id=task.id,
            seq=task.seq,
            stage=task.stage,
            name=task.name,
            state=TaskState(task.state),
            attempts=task.attempts,
            rows_planned=task.rows_planned,
            rows_written=task.rows_written,
            started_at=task.started_at,
            finished_at=task.finished_at,
            error=task.error,
        )
        for task in tasks
    ]
    state = JobState(row.state)
    return JobOut(
        id=row.id,
        request_id=row.request_id,
        kind=JobKind(row.kind),
        state=state,
        stage=row.stage,
        created_by=row.created_by,
        created_at=row.created_at,
        approval_stage=row.approval_stage,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        finished_at=row.finished_at,
        updated_at=row.updated_at,
        error=row.error,
        worker=worker_of(row.lease_owner) if state is JobState.RUNNING else None,
        lease_until=row.lease_until if state is JobState.RUNNING else None,
        tasks=shown,
        tasks_done=sum(1 for task in shown if task.state is TaskState.DONE),
        tasks_total=len(shown),
        rows_planned=sum(task.rows_planned for task in shown),
        rows_written=sum(task.rows_written for task in shown),
    )


def worker_of(lease_owner: str | None) -> str | None:
    """The worker's name in a lease owner (``<worker>#<run>``)."""
    return None if lease_owner is None else lease_owner.rsplit("#", 1)[0]


def view(session: Session, row: FulfilmentJob) -> JobOut:
    """:func:`job_out` for `row`, its tasks read now."""
    session.flush()
    return job_out(row, tasks_of(session, row.id))
