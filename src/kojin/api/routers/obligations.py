"""``/api/v1/obligations``: the obligation tasks recorded decisions create, for other systems.

The privacy office (``admin``, ``privacy_officer``) assigns, closes and reopens tasks; auditors
and system tokens read them (a scheduler polls ``?overdue=true``). Each answer is
``Cache-Control: no-store`` (a task may name its owner, a person), errors included.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request

from kojin.api import roles
from kojin.api.routers.incidents import NoStoreRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.law.vocabulary import ObligationCode
from kojin.management.task_evidence import close_task_with_evidence
from kojin.registry.obligations.schemas import (
    AssignTask,
    CloseTask,
    ReopenTask,
    TaskDetail,
    TaskPage,
    TaskStatus,
)
from kojin.registry.obligations.service import (
    MAX_LIMIT,
    assign_task,
    get_task,
    list_tasks,
    reopen_task,
)

TOKYO: Final = ZoneInfo("Asia/Tokyo")

router = APIRouter(prefix="/api/v1/obligations", tags=["obligations"], route_class=NoStoreRoute)

Reader = Annotated[ApiTokenOut, allow(roles.OBLIGATIONS_READ, name="read obligation tasks")]
Writer = Annotated[
    ApiTokenOut, allow(roles.OBLIGATIONS_WRITE, name="assign, close or reopen obligation tasks")
]
TaskId = Annotated[
    str, Path(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$", description="The task's id.")
]


def today_in_japan() -> date:
    return datetime.now(TOKYO).date()


@router.get("")
def list_all(
    request: Request,
    actor: Reader,
    overdue: Annotated[bool, Query(description="Only open tasks past their due date.")] = False,
    upcoming: Annotated[
        int | None,
        Query(ge=0, le=3660, description="Only open tasks due within this many days."),
    ] = None,
    status: TaskStatus | None = None,
    code: ObligationCode | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TaskPage:
    """Tasks, open first and overdue at the top; ``overdue`` and ``upcoming`` together give the
    open tasks overdue or due within the days."""
    state = app_state(request)
    with state.read() as session:
        return list_tasks(
            session,
            cipher=state.cipher(),
            status=status,
            overdue=overdue,
            due_within_days=upcoming,
            code=code,
            today=today_in_japan(),
            limit=limit,
            offset=offset,
        )


@router.get("/{task_id}")
def get_one(task_id: TaskId, request: Request, actor: Reader) -> TaskDetail:
    """One task: the duty, what it is about, its decisions, owner, due date, evidence and
    history."""
    state = app_state(request)
    with state.read() as session:
        return get_task(session, cipher=state.cipher(), task_id=task_id, today=today_in_japan())


@router.patch("/{task_id}")
def assign(task_id: TaskId, body: AssignTask, request: Request, actor: Writer) -> TaskDetail:
    """Give the task an owner (a department or a person) and/or a new due date (with a
    ``reason``)."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return assign_task(
            session,
            cipher=state.cipher(),
            task_id=task_id,
            change=body,
            actor=actor_label(actor),
        )


@router.post("/{task_id}/close")
def close(task_id: TaskId, body: CloseTask, request: Request, actor: Writer) -> TaskDetail:
    """Close the task with its evidence: a document (``description``, ``reference``) or a kojin
    record (``record_kind``, ``record_id``) that exists. A periodic task's next round opens."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return close_task_with_evidence(
            session,
            cipher=state.cipher(),
            task_id=task_id,
            evidence=body.evidence,
            actor=actor_label(actor),
        )


@router.post("/{task_id}/reopen")
def reopen(task_id: TaskId, body: ReopenTask, request: Request, actor: Writer) -> TaskDetail:
    """Open a closed task again."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return reopen_task(
            session,
            cipher=state.cipher(),
            task_id=task_id,
            actor=actor_label(actor),
            reason=body.reason,
        )
