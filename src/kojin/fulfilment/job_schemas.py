"""Values of the fulfilment jobs: states, what a task is, and a job's progress as pages and the
command line show it. Nothing here is personal: ids, kinds, stages, collection names, counts.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class JobKind(StrEnum):
    """What a job fulfils: the request kinds that act on the company's own stores."""

    #: Art. 33: find and export every row about the person
    ACCESS = "access"
    #: Art. 34: correct, add or delete items
    CORRECTION = "correction"
    #: Art. 35(1): erase, collection by collection, in reference order
    ERASURE = "erasure"
    #: Art. 35(1): cessation of use (stop flags and the systems to notify)
    STOP_USE = "stop_use"
    #: Art. 35(3): cessation of provision (stop flags and the recipients to notify)
    STOP_PROVISION = "stop_provision"


class JobState(StrEnum):
    """Where a job is. ``done``, ``failed`` and ``cancelled`` end it (``failed`` can be retried)."""

    QUEUED = "queued"
    RUNNING = "running"
    #: a stage waits for a person to approve what the earlier stages found (a preview)
    AWAITING_APPROVAL = "awaiting_approval"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: the states no worker picks up again
FINISHED_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


class TaskState(StrEnum):
    """Where one task is. A task found ``running`` when its job is resumed (its worker
    stopped) is run again: its handler makes the effects idempotent."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: a stage or task name: short, printable, not personal (``locate``, ``shop_db.orders``)
Name = str


class TaskSpec(BaseModel):
    """A task to add to a job: the handler of `stage` runs it; `name` says what it works on
    (a collection address such as ``shop_db.orders``), never a personal value."""

    model_config = ConfigDict(frozen=True)

    stage: Name = Field(min_length=1, max_length=30, pattern=r"^[a-z][a-z0-9_]*$")
    name: Name = Field(min_length=1, max_length=200)


class TaskOut(BaseModel):
    """One task of a job as staff see it."""

    model_config = ConfigDict(frozen=True)

    id: str
    seq: int
    stage: str
    name: str
    state: TaskState
    attempts: int
    rows_planned: int
    rows_written: int
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None


class JobOut(BaseModel):
    """A job with its progress: for the request's admin page, the API and the command line."""

    model_config = ConfigDict(frozen=True)

    id: str
    request_id: str
    kind: JobKind
    state: JobState
    #: the stage of the task running or next to run (or waiting for approval)
    stage: str
    created_by: str
    created_at: datetime
    #: the stage whose tasks wait for a person's approval before they run
    approval_stage: str | None
    approved_by: str | None
    approved_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime
    #: why the job failed: an error class and kojin's message, never a personal value
    error: str | None
    #: the worker holding the job while it runs, and until when it holds it unless it renews
    #: the lease (past that time the worker has stopped and the next one takes the job over)
    worker: str | None
    lease_until: datetime | None
    tasks: list[TaskOut]
    #: progress: tasks done of all tasks, rows the tasks planned and wrote
    tasks_done: int
    tasks_total: int
    rows_planned: int
    rows_written: int

    @property
    def finished(self) -> bool:
        """Whether no worker will pick the job up again (done, failed or cancelled)."""
        return self.state in FINISHED_STATES
