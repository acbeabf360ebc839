"""ORM models of fulfilment jobs: one job per run of a request's fulfilment, made of ordered
tasks (one per collection and stage).

The job's working data (the rows located, the plan) belongs to the task handlers; it is kept
encrypted in ``payload_enc`` (context ``fulfilment_jobs.payload:<job id>``) and emptied when the
job ends. The lease columns say which worker holds a running job and until when: a worker that
stops heart-beating loses the job to the next one when the lease runs out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class FulfilmentJob(Base):
    """The fulfilment of one request in the company's stores, run task by task by workers."""

    __tablename__ = "fulfilment_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("data_requests.id"), index=True)
    #: a :class:`kojin.fulfilment.job_schemas.JobKind`
    kind: Mapped[str] = mapped_column(String(30))
    #: a :class:`kojin.fulfilment.job_schemas.JobState`
    state: Mapped[str] = mapped_column(String(30), index=True)
    #: the stage of the task running or next to run
    stage: Mapped[str] = mapped_column(String(30))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the stage whose tasks wait for a person's approval before they run (None: no gate)
    approval_stage: Mapped[str | None] = mapped_column(String(30), default=None)
    approved_by: Mapped[str | None] = mapped_column(String(200), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the handlers' working data, encrypted (None once the job has ended)
    payload_enc: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    #: what the job produced for the request (the rows to disclose, what was kept and why, the
    #: systems and recipients to notify), encrypted; kept after the job ends, until the
    #: request's personal data is purged
    result_enc: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    #: the key id `payload_enc` and `result_enc` are encrypted under
    key_id: Mapped[str] = mapped_column(String(32))
    #: why the job failed: an error class and kojin's message, never a personal value
    error: Mapped[str | None] = mapped_column(Text, default=None)
    #: the worker run holding the job, and until when (renewed while it runs)
    lease_owner: Mapped[str | None] = mapped_column(String(100), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class FulfilmentTask(Base):
    """One step of a job: a stage's handler working on one collection (or one whole step)."""

    __tablename__ = "fulfilment_tasks"
    __table_args__ = (UniqueConstraint("job_id", "seq"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("fulfilment_jobs.id"), index=True)
    #: the order in which the job's tasks run (1, 2, ...)
    seq: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(30))
    #: what the task works on, e.g. ``shop_db.orders`` (never a personal value)
    name: Mapped[str] = mapped_column(String(200))
    #: a :class:`kojin.fulfilment.job_schemas.TaskState`
    state: Mapped[str] = mapped_column(String(20))
    #: how many times a worker started the task (a second attempt follows a stopped worker)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    rows_planned: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
