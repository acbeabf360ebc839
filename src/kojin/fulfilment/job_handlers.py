"""What a task handler is given and returns: the contract between the job runner and the
fulfilment handlers (locate rows, plan, apply a plan to a store), which are passed in by stage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kojin.fulfilment.job_schemas import JobKind, TaskSpec


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler knows of the job it works for."""

    job_id: str
    request_id: str
    kind: JobKind
    #: the handlers' working data as the earlier tasks left it (decrypted)
    payload: bytes | None
    #: who approved the gated stage (None before, or without a gate)
    approved_by: str | None
    #: the worker running the job
    worker: str
    #: whether the worker is asked to stop: a long handler may end early and be run again
    stopping: Callable[[], bool] = field(default=lambda: False)


@dataclass(frozen=True, slots=True)
class TaskContext:
    """The task a handler runs."""

    task_id: str
    seq: int
    stage: str
    #: what the task works on, e.g. ``shop_db.orders``
    name: str
    #: 1 on the first run; more when an earlier worker stopped during the task
    attempt: int


@dataclass(frozen=True, slots=True)
class TaskResult:
    """What a handler did and what comes next."""

    rows_planned: int = 0
    rows_written: int = 0
    #: the job's new working data (None: unchanged)
    payload: bytes | None = None
    #: what the job produced for the request, kept after it ends (None: unchanged)
    result: bytes | None = None
    #: tasks to run after the job's current ones (e.g. one apply task per collection found)
    new_tasks: Sequence[TaskSpec] = ()
    #: a stage whose tasks wait for a person's approval before they run (e.g. ``apply``
    #: after a preview); the tasks before it go on
    approval_stage: str | None = None


class TaskHandler(Protocol):
    """Runs one task of a stage; raises to fail it (kojin's messages name no personal value)."""

    def __call__(self, *, job: JobContext, task: TaskContext) -> TaskResult: ...
