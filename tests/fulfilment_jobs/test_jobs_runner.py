"""Running a job: tasks in order with real effects in company stores, progress, the approval
gate, failures, cancellation, stopping, leases and a task its worker left running, on SQLite
and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from jobs_support import (
    OTHER,
    PERSON,
    PERSON_ROWS,
    STORES,
    BoomError,
    ErasureHandlers,
    actions,
    chain_of,
    details_text,
    erasure_job,
    read_job,
    remaining,
    writes,
)
from sqlalchemy import update

from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.fulfilment.job_lease import JobLeaseHeldError
from kojin.fulfilment.job_schemas import JobOut, JobState, TaskState
from kojin.fulfilment.jobs import approve_job, cancel_job, read_payload, retry_job
from kojin.fulfilment.models import FulfilmentJob, FulfilmentTask
from kojin.fulfilment.runner import (
    MAX_TASK_ATTEMPTS,
    JobContext,
    TaskContext,
    TaskHandler,
    TaskResult,
    run_job,
)


def _run(
    database: Database,
    cipher: FieldCipher,
    handlers: dict[str, TaskHandler] | ErasureHandlers,
    job_id: str,
    **extra: object,
) -> JobOut:
    table = handlers.handlers() if isinstance(handlers, ErasureHandlers) else handlers
    return run_job(
        session_factory=database.uow,
        cipher=cipher,
        handlers=table,
        job_id=job_id,
        worker_id="test-worker",
        **extra,  # type: ignore[arg-type]
    )


def test_a_job_runs_to_done_with_each_effect_once(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    job = erasure_job(database, cipher, request_id)
    seen: list[JobOut] = []
    done = _run(database, cipher, ErasureHandlers(stores), job.id, progress=seen.append)
    assert done.state is JobState.DONE
    assert done.finished_at is not None
    assert done.worker is None
    assert [(t.stage, t.name, t.state, t.attempts) for t in done.tasks] == [
        ("locate", "all stores", TaskState.DONE, 1),
        *[("erase", f"{s}.customers", TaskState.DONE, 1) for s in STORES],
    ]
    assert done.rows_written == sum(PERSON_ROWS.values()) == done.tasks[0].rows_planned
    for store in STORES:
        assert len(writes(stores, store)) == PERSON_ROWS[store]
        assert remaining(stores, store, PERSON) == 0
        assert remaining(stores, store, OTHER) == 2
    # progress: seen after each step, tasks done only ever grows, to all of them
    done_counts = [job.tasks_done for job in seen]
    assert done_counts == sorted(done_counts)
    assert done_counts[-1] == 4
    assert any(job.state is JobState.RUNNING and job.worker == "test-worker" for job in seen)
    entries = chain_of(database, job.id)
    assert actions(entries) == [
        "job_created",
        "job_started",
        *["task_started", "task_done"] * 4,
        "job_done",
    ]
    assert entries[-1].details["rows_written"] == sum(PERSON_ROWS.values())
    assert all(e.actor == "worker:test-worker" for e in entries[1:])
    assert PERSON not in details_text(entries)
    assert OTHER not in details_text(entries)
    with database.read() as session:
        assert read_payload(session=session, cipher=cipher, job_id=job.id) is None
        assert verify_chain(session=session).ok
    # a finished job has nothing to run: a second run changes nothing
    again = _run(database, cipher, ErasureHandlers(stores), job.id)
    assert again.state is JobState.DONE
    assert len(chain_of(database, job.id)) == len(entries)


def test_the_gated_stage_waits_for_approval(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    handlers = ErasureHandlers(stores, approval=True)
    job = erasure_job(database, cipher, request_id)
    waiting = _run(database, cipher, handlers, job.id)
    assert waiting.state is JobState.AWAITING_APPROVAL
    assert waiting.stage == "erase"
    assert (waiting.tasks_done, waiting.tasks_total, waiting.rows_planned) == (1, 4, 6)
    assert all(writes(stores, store) == [] for store in STORES)  # nothing applied yet
    assert _run(database, cipher, handlers, job.id).state is JobState.AWAITING_APPROVAL
    with database.uow() as session:
        approve_job(session=session, job_id=job.id, actor="staff:boss")
    done = _run(database, cipher, handlers, job.id)
    assert done.state is JobState.DONE
    assert done.approved_by == "staff:boss"
    assert sum(len(writes(stores, store)) for store in STORES) == 6
    assert actions(chain_of(database, job.id)) == [
        "job_created",
        "job_started",
        "task_started",
        "task_done",
        "job_awaiting_approval",
        "job_approved",
        "job_started",
        *["task_started", "task_done"] * 3,
        "job_done",
    ]


def test_a_failing_handler_fails_the_job_without_personal_values(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    base = ErasureHandlers(stores)

    def erase(*, job: JobContext, task: TaskContext) -> TaskResult:
        if task.name.startswith("shop"):
            raise ValueError(f"cannot write {PERSON} into shop")  # another library's message
        return base.erase(job=job, task=task)

    job = erasure_job(database, cipher, request_id)
    failed = _run(database, cipher, {"locate": base.locate, "erase": erase}, job.id)
    assert failed.state is JobState.FAILED
    assert failed.error == "ValueError"
    assert [t.state for t in failed.tasks] == [
        TaskState.DONE,
        TaskState.DONE,
        TaskState.FAILED,
        TaskState.PENDING,
    ]
    assert failed.tasks[2].error == "ValueError"
    assert actions(chain_of(database, job.id))[-2:] == ["task_failed", "job_failed"]
    assert PERSON not in details_text(chain_of(database, job.id))
    with database.read() as session:  # kept for a retry
        assert read_payload(session=session, cipher=cipher, job_id=job.id) is not None

    def erase_kojin(*, job: JobContext, task: TaskContext) -> TaskResult:
        raise BoomError("the store refused the field email", field="email")

    with database.uow() as session:
        retry_job(session=session, job_id=job.id, actor="staff:a")
    again = _run(database, cipher, {"locate": base.locate, "erase": erase_kojin}, job.id)
    assert again.error == "BoomError: the store refused the field email"
    with database.uow() as session:
        retry_job(session=session, job_id=job.id, actor="staff:a")
    done = _run(database, cipher, base, job.id)
    assert done.state is JobState.DONE
    assert [t.attempts for t in done.tasks] == [1, 1, 3, 1]
    assert sum(len(writes(stores, store)) for store in STORES) == 6


def test_a_stage_without_a_handler_fails_the_job(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    job = erasure_job(database, cipher, request_id)
    failed = _run(database, cipher, {"locate": ErasureHandlers(stores).locate}, job.id)
    assert failed.state is JobState.FAILED
    assert failed.error == "ConfigurationError: no handler for the stage erase"


def test_cancelling_a_running_job_stops_it_after_the_task_in_hand(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    base = ErasureHandlers(stores)

    def erase(*, job: JobContext, task: TaskContext) -> TaskResult:
        result = base.erase(job=job, task=task)
        with database.uow() as session:  # staff cancel while the task runs
            cancel_job(session=session, job_id=job.job_id, actor="staff:a")
        return result

    job = erasure_job(database, cipher, request_id)
    ended = _run(database, cipher, {"locate": base.locate, "erase": erase}, job.id)
    assert ended.state is JobState.CANCELLED
    assert [t.state for t in ended.tasks] == [TaskState.DONE, TaskState.DONE] + [
        TaskState.PENDING
    ] * 2
    assert ended.tasks[1].rows_written == PERSON_ROWS["crm"]  # the effect that happened is kept
    assert writes(stores, "shop") == []
    assert writes(stores, "billing") == []
    assert actions(chain_of(database, job.id))[-2:] == ["job_cancelled", "task_done"]
    with database.read() as session:
        row = session.get(FulfilmentJob, job.id)
        assert row is not None
        assert row.lease_owner is None
        assert row.payload_enc is None


def test_a_stopping_worker_puts_the_job_back_between_tasks(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    stop = threading.Event()
    base = ErasureHandlers(stores)

    def locate(*, job: JobContext, task: TaskContext) -> TaskResult:
        stop.set()  # asked to stop while the task runs: it still finishes
        return base.locate(job=job, task=task)

    job = erasure_job(database, cipher, request_id)
    paused = _run(database, cipher, {"locate": locate, "erase": base.erase}, job.id, stop=stop)
    assert paused.state is JobState.QUEUED
    assert paused.tasks_done == 1
    assert paused.worker is None
    assert actions(chain_of(database, job.id))[-1] == "job_released"
    assert _run(database, cipher, base, job.id).state is JobState.DONE


def test_a_held_lease_keeps_other_workers_out_until_it_runs_out(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    job = erasure_job(database, cipher, request_id)
    with database.uow() as session:
        session.execute(
            update(FulfilmentJob)
            .where(FulfilmentJob.id == job.id)
            .values(
                state="running",
                lease_owner="host-a:1#0000",
                lease_until=utcnow() + timedelta(seconds=60),
            )
        )
    with pytest.raises(JobLeaseHeldError) as held:
        _run(database, cipher, ErasureHandlers(stores), job.id)
    assert held.value.worker == "host-a:1"
    assert 55 < held.value.retry_in <= 60
    with database.uow() as session:  # the worker stopped renewing: the lease ran out
        session.execute(
            update(FulfilmentJob)
            .where(FulfilmentJob.id == job.id)
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )
    done = _run(database, cipher, ErasureHandlers(stores), job.id)
    assert done.state is JobState.DONE
    started = [e for e in chain_of(database, job.id) if e.action == "fulfilment.job_started"]
    assert started[0].details["taken_over_from"] == "host-a:1"


def test_a_task_left_running_is_run_again_as_a_new_attempt(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    handlers = ErasureHandlers(stores)
    job = erasure_job(database, cipher, request_id)
    _run(database, cipher, {"locate": handlers.locate}, job.id)  # fails at the first erase
    with database.uow() as session:
        retry_job(session=session, job_id=job.id, actor="staff:a")
    with database.uow() as session:  # as a killed worker leaves it: crm erased, not recorded
        session.execute(
            update(FulfilmentTask)
            .where(FulfilmentTask.job_id == job.id, FulfilmentTask.seq == 2)
            .values(state="running", attempts=1)
        )
        session.execute(
            update(FulfilmentJob)
            .where(FulfilmentJob.id == job.id)
            .values(state="running", lease_owner="gone:9#1", lease_until=utcnow())
        )
    handlers.erase(job=_context(job.id, database, cipher), task=_task("crm.customers"))
    assert len(writes(stores, "crm")) == PERSON_ROWS["crm"]
    done = _run(database, cipher, handlers, job.id)
    assert done.state is JobState.DONE
    assert done.tasks[1].attempts == 2
    assert done.tasks[1].rows_written == 0
    assert len(writes(stores, "crm")) == PERSON_ROWS["crm"]  # the guarded update wrote nothing
    attempts = [
        e.details["attempt"]
        for e in chain_of(database, job.id)
        if e.action == "fulfilment.task_started" and e.details["task"] == "crm.customers"
    ]
    assert attempts == [2]


def test_a_task_that_keeps_killing_its_worker_fails_the_job(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    job = erasure_job(database, cipher, request_id)
    with database.uow() as session:
        session.execute(
            update(FulfilmentTask)
            .where(FulfilmentTask.job_id == job.id)
            .values(state="running", attempts=MAX_TASK_ATTEMPTS)
        )
    failed = _run(database, cipher, ErasureHandlers(stores), job.id)
    assert failed.state is JobState.FAILED
    assert failed.error == f"the worker stopped {MAX_TASK_ATTEMPTS} times during this task"


def _context(job_id: str, database: Database, cipher: FieldCipher) -> JobContext:
    from kojin.fulfilment.job_schemas import JobKind

    with database.read() as session:
        payload = read_payload(session=session, cipher=cipher, job_id=job_id)
    return JobContext(
        job_id=job_id,
        request_id="",
        kind=JobKind.ERASURE,
        payload=payload,
        approved_by=None,
        worker="gone:9",
    )


def _task(name: str) -> TaskContext:
    return TaskContext(task_id="t", seq=2, stage="erase", name=name, attempt=1)


def test_read_job_sees_a_running_job_with_its_worker(
    database: Database, cipher: FieldCipher, request_id: str, stores: Path
) -> None:
    job = erasure_job(database, cipher, request_id)
    seen: list[JobOut] = []

    def locate(*, job: JobContext, task: TaskContext) -> TaskResult:
        seen.append(read_job(database, job.job_id))  # what the admin page shows meanwhile
        return TaskResult(rows_planned=0)

    _run(database, cipher, {"locate": locate}, job.id)
    assert seen[0].state is JobState.RUNNING
    assert seen[0].worker == "test-worker"
    assert seen[0].tasks[0].state is TaskState.RUNNING
    assert seen[0].tasks[0].attempts == 1


def test_a_long_task_keeps_its_lease_renewed(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    others: list[str] = []

    def locate(*, job: JobContext, task: TaskContext) -> TaskResult:
        time.sleep(1.2)  # four lease lengths: only the renewals keep the job
        try:
            _run(database, cipher, {}, job.job_id)
        except JobLeaseHeldError as held:
            others.append(held.worker)
        return TaskResult()

    done = _run(database, cipher, {"locate": locate}, job.id, lease_seconds=0.3)
    assert done.state is JobState.DONE
    assert others == ["test-worker"]


def test_a_run_that_lost_its_lease_records_nothing_more(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)

    def locate(*, job: JobContext, task: TaskContext) -> TaskResult:
        with database.uow() as session:  # another worker took the job over meanwhile
            session.execute(
                update(FulfilmentJob)
                .where(FulfilmentJob.id == job.job_id)
                .values(lease_owner="thief:1#1", lease_until=utcnow() + timedelta(seconds=60))
            )
        return TaskResult(rows_written=5)

    left = _run(database, cipher, {"locate": locate}, job.id)
    assert left.state is JobState.RUNNING
    assert left.worker == "thief:1"
    assert left.tasks[0].state is TaskState.RUNNING
    assert left.rows_written == 0
    assert actions(chain_of(database, job.id)) == ["job_created", "job_started", "task_started"]
