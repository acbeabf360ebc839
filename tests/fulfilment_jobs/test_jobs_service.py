"""The job services: creation, approval, cancellation, retry, added tasks, the encrypted working
data and the audit chain, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from jobs_support import (
    PERSON,
    actions,
    chain_of,
    details_text,
    erasure_job,
    new_request,
    read_job,
)
from sqlalchemy import select, update

from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, IntegrityError, NotFoundError
from kojin.fulfilment.job_schemas import JobKind, JobState, TaskSpec, TaskState
from kojin.fulfilment.jobs import (
    ENCRYPTED_STORE,
    add_tasks,
    approve_job,
    cancel_job,
    clear_payloads,
    count_stale_jobs,
    create_job,
    get_job,
    job_for_request,
    read_payload,
    reencrypt_jobs,
    retry_job,
    write_payload,
)
from kojin.fulfilment.models import FulfilmentJob, FulfilmentTask
from kojin.registry.keys import rotate_keys
from kojin.settings import Settings


def test_a_created_job_is_queued_with_its_tasks_and_chained(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    assert (job.state, job.kind, job.stage) == (JobState.QUEUED, JobKind.ERASURE, "locate")
    assert [(t.seq, t.stage, t.name, t.state) for t in job.tasks] == [
        (1, "locate", "all stores", TaskState.PENDING)
    ]
    assert (job.tasks_done, job.tasks_total, job.rows_written) == (0, 1, 0)
    entries = chain_of(database, job.id)
    assert actions(entries) == ["job_created"]
    assert entries[0].details["reference"] == request_id
    assert entries[0].details["tasks"] == 1
    assert PERSON not in details_text(entries)
    with database.read() as session:
        assert job_for_request(session=session, request_id=request_id) == job
        assert job_for_request(session=session, request_id="0" * 32) is None


def test_one_unfinished_job_per_request(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    first = erasure_job(database, cipher, request_id)
    with pytest.raises(ConflictError, match="has not ended"):
        erasure_job(database, cipher, request_id)
    with database.uow() as session:
        cancel_job(session=session, job_id=first.id, actor="staff:a")
    second = erasure_job(database, cipher, request_id)
    with database.read() as session:
        latest = job_for_request(session=session, request_id=request_id)
    assert latest is not None
    assert latest.id == second.id


def test_creation_refuses_unknown_requests_and_empty_jobs(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    with pytest.raises(NotFoundError), database.uow() as session:
        create_job(
            session=session,
            cipher=cipher,
            request_id="f" * 32,
            kind=JobKind.ACCESS,
            actor="staff:a",
            tasks=[TaskSpec(stage="locate", name="x")],
        )
    with pytest.raises(InputError), database.uow() as session:
        create_job(
            session=session,
            cipher=cipher,
            request_id=request_id,
            kind=JobKind.ACCESS,
            actor="staff:a",
            tasks=[],
        )
    with pytest.raises(NotFoundError), database.read() as session:
        get_job(session=session, job_id="not-an-id")


def test_working_data_is_encrypted_and_bound_to_its_job(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    with database.read() as session:
        stored = session.execute(
            select(FulfilmentJob.payload_enc).where(FulfilmentJob.id == job.id)
        ).scalar_one()
        assert stored is not None
        assert PERSON.encode() not in stored
        assert json.loads(read_payload(session=session, cipher=cipher, job_id=job.id) or b"") == {
            "email": PERSON
        }
    other = erasure_job(database, cipher, new_request(database, cipher))
    with database.uow() as session:  # a blob copied to another job does not decrypt
        session.execute(
            update(FulfilmentJob).where(FulfilmentJob.id == other.id).values(payload_enc=stored)
        )
    with pytest.raises(IntegrityError), database.read() as session:
        read_payload(session=session, cipher=cipher, job_id=other.id)
    with database.uow() as session:
        write_payload(session=session, cipher=cipher, job_id=job.id, data=b'{"n": 1}')
    with database.read() as session:
        assert read_payload(session=session, cipher=cipher, job_id=job.id) == b'{"n": 1}'


def test_approval_moves_only_a_waiting_job(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    with pytest.raises(ConflictError, match="not awaiting approval"), database.uow() as session:
        approve_job(session=session, job_id=job.id, actor="staff:boss")
    with database.uow() as session:
        session.execute(
            update(FulfilmentJob)
            .where(FulfilmentJob.id == job.id)
            .values(state="awaiting_approval", approval_stage="erase")
        )
    with database.uow() as session:
        approved = approve_job(session=session, job_id=job.id, actor="staff:boss")
    assert approved.state is JobState.QUEUED
    assert approved.approved_by == "staff:boss"
    assert approved.approved_at is not None
    assert actions(chain_of(database, job.id))[-1] == "job_approved"


def test_cancel_ends_the_job_and_empties_its_working_data(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    with database.uow() as session:
        cancelled = cancel_job(session=session, job_id=job.id, actor="staff:a")
    assert cancelled.state is JobState.CANCELLED
    assert cancelled.finished_at is not None
    with database.read() as session:
        assert read_payload(session=session, cipher=cipher, job_id=job.id) is None
    for change in (cancel_job, approve_job, retry_job):
        with pytest.raises(ConflictError), database.uow() as session:
            change(session=session, job_id=job.id, actor="staff:a")
    with pytest.raises(ConflictError), database.uow() as session:
        add_tasks(
            session=session,
            job_id=job.id,
            tasks=[TaskSpec(stage="erase", name="x")],
            actor="staff:a",
        )
    with pytest.raises(ConflictError), database.uow() as session:
        write_payload(session=session, cipher=cipher, job_id=job.id, data=b"x")
    entry = chain_of(database, job.id)[-1]
    assert entry.action == "fulfilment.job_cancelled"
    assert entry.details["from_state"] == "queued"


def test_added_tasks_run_after_the_current_ones(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    with database.uow() as session:
        grown = add_tasks(
            session=session,
            job_id=job.id,
            tasks=[
                TaskSpec(stage="erase", name="crm.customers"),
                TaskSpec(stage="erase", name="b"),
            ],
            actor="staff:a",
        )
    assert [(t.seq, t.name) for t in grown.tasks] == [
        (1, "all stores"),
        (2, "crm.customers"),
        (3, "b"),
    ]
    assert actions(chain_of(database, job.id)) == ["job_created", "tasks_added"]


def test_a_failed_job_is_retried_from_its_failed_task(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    with database.uow() as session:
        session.execute(
            update(FulfilmentJob)
            .where(FulfilmentJob.id == job.id)
            .values(state="failed", error="OSError")
        )
        session.execute(
            update(FulfilmentTask).where(FulfilmentTask.job_id == job.id).values(state="failed")
        )
    with database.uow() as session:
        again = retry_job(session=session, job_id=job.id, actor="staff:a")
    assert again.state is JobState.QUEUED
    assert again.error is None
    assert [t.state for t in again.tasks] == [TaskState.PENDING]
    assert chain_of(database, job.id)[-1].details["task_ids"] == [job.tasks[0].id]


def test_a_key_rotation_reencrypts_the_working_data(
    settings: Settings, database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    result = rotate_keys(
        settings=settings, database=database, actor="cli:test", stores=(ENCRYPTED_STORE,)
    )
    assert result.stores["fulfilment_jobs"] == 1
    rotated = FieldCipher(Keyring.read(keyring_path(settings)))
    assert rotated.current_key_id != cipher.current_key_id
    with database.read() as session:
        assert count_stale_jobs(session=session, cipher=rotated) == 0
    current = rotated.current_key_id
    only_new = FieldCipher(  # the older key is no longer needed for the job
        Keyring(
            current=current,
            keys={current: rotated.keyring.key(current)},
            index_key=rotated.keyring.index_key,
        )
    )
    with database.read() as session:
        data = read_payload(session=session, cipher=only_new, job_id=job.id)
    assert json.loads(data or b"") == {"email": PERSON}
    stale = FieldCipher(rotated.keyring.with_new_key())  # and a batch call re-encrypts too
    with database.read() as session:
        assert count_stale_jobs(session=session, cipher=stale) == 1
    with database.uow() as session:
        assert reencrypt_jobs(session=session, cipher=stale, limit=10) == 1
    assert read_job(database, job.id).state is JobState.QUEUED


def test_the_chain_holds_after_every_change(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    with database.uow() as session:
        cancel_job(session=session, job_id=job.id, actor="staff:a")
    with database.read() as session:
        assert verify_chain(session=session).ok


def test_clearing_a_requests_working_data(
    database: Database, cipher: FieldCipher, request_id: str
) -> None:
    job = erasure_job(database, cipher, request_id)
    with database.uow() as session:
        assert clear_payloads(session=session, request_id=request_id, actor="system") == 1
    with database.uow() as session:
        assert clear_payloads(session=session, request_id=request_id, actor="system") == 0
    with database.read() as session:
        assert read_payload(session=session, cipher=cipher, job_id=job.id) is None
    assert actions(chain_of(database, job.id)) == ["job_created", "payload_cleared"]
