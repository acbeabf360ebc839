"""``/api/v1/training``: training records (R-PM-4) — courses, the roster, completions, who is
overdue for the yearly round.

The privacy office (``admin``, ``privacy_officer``) records; auditors read. Workers' names are
personal data: each answer is ``Cache-Control: no-store``. CSV imports are all or nothing and
their errors name lines and columns, never values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from kojin.api import roles
from kojin.api.routers.incidents import NoStoreRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import InputError
from kojin.management.training.csvio import import_records, import_workers, read_csv_bytes
from kojin.management.training.schemas import (
    JOINER_GRACE_DAYS,
    CourseInput,
    CourseOut,
    ImportResult,
    RecordInput,
    RecordOut,
    TrainingFigures,
    WorkerInput,
    WorkerOut,
)
from kojin.management.training.service import (
    add_course,
    list_courses,
    list_workers,
    overdue_workers,
    save_records,
    save_workers,
    training_figures,
    worker_records,
)
from kojin.registry.dates import add_years

TOKYO: Final = ZoneInfo("Asia/Tokyo")
#: the most workers or records one JSON request carries (larger sets: the CSV import)
MAX_BATCH: Final = 1000
CSV_BODY: Final = {
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
}

router = APIRouter(prefix="/api/v1/training", tags=["training"], route_class=NoStoreRoute)

Reader = Annotated[ApiTokenOut, allow(roles.MANAGEMENT_READ, name="read training records")]
Writer = Annotated[ApiTokenOut, allow(roles.MANAGEMENT_WRITE, name="record training")]
Grace = Annotated[int, Query(ge=0, le=3650)]
Number = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


def today_in_japan() -> date:
    return datetime.now(TOKYO).date()


@router.get("/courses")
def courses(request: Request, actor: Reader) -> list[CourseOut]:
    """The courses, yearly-round ones first."""
    with app_state(request).read() as session:
        return list_courses(session=session)


@router.post("/courses", status_code=201)
def create_course(body: CourseInput, request: Request, actor: Writer) -> CourseOut:
    """Add a course (409 when its code is taken)."""
    with app_state(request).unit_of_work() as session:
        return add_course(session=session, course_in=body, actor=actor_label(actor))


@router.get("/workers")
def workers(
    request: Request,
    actor: Reader,
    all: bool = False,
    department: str | None = None,
    grace_days: Grace = JOINER_GRACE_DAYS,
) -> list[WorkerOut]:
    """The roster (active workers unless ``all=true``) with each one's yearly-round state."""
    state = app_state(request)
    with state.read() as session:
        return list_workers(
            session=session,
            cipher=state.cipher(),
            today=today_in_japan(),
            active_only=not all,
            department=department,
            grace_days=grace_days,
        )


@router.put("/workers")
def put_workers(
    body: Annotated[list[WorkerInput], Field(min_length=1, max_length=MAX_BATCH)],
    request: Request,
    actor: Writer,
) -> ImportResult:
    """Add the workers whose employee number is new and update the others."""
    state = app_state(request)
    with state.unit_of_work() as session:
        added, updated, unchanged = save_workers(
            session=session, cipher=state.cipher(), workers=body, actor=actor_label(actor)
        )
    return ImportResult(added=added, updated=updated, unchanged=unchanged)


async def _csv_import(request: Request, actor: ApiTokenOut, *, roster: bool) -> ImportResult:
    state = app_state(request)
    raw = await request.body()
    limit = state.settings.max_import_bytes
    if len(raw) > limit:
        raise HTTPException(413, f"the CSV is larger than {limit} bytes (KOJIN_MAX_IMPORT_BYTES)")

    def _import() -> ImportResult:
        with state.unit_of_work() as session:
            try:
                source = read_csv_bytes(raw, source="body")
                if roster:
                    return import_workers(
                        session=session,
                        cipher=state.cipher(),
                        source=source,
                        actor=actor_label(actor),
                    )
                return import_records(
                    session=session,
                    source=source,
                    actor=actor_label(actor),
                    today=today_in_japan(),
                )
            except InputError as error:  # the CSV is the request's body
                raise InputError(error.message, field="body") from None

    return await run_in_threadpool(_import)


@router.post("/workers/import", openapi_extra=CSV_BODY)
async def import_roster(request: Request, actor: Writer) -> ImportResult:
    """Add or update workers from CSV (body ``text/csv``; columns ``employee_number,name,
    department,joined_on[,kind,active]``), all or nothing. At most ``KOJIN_MAX_IMPORT_BYTES``."""
    return await _csv_import(request, actor, roster=True)


@router.get("/workers/{employee_number}/records")
def records_of(employee_number: Number, request: Request, actor: Reader) -> list[RecordOut]:
    """A worker's completions, newest first."""
    with app_state(request).read() as session:
        return worker_records(session=session, employee_number=employee_number)


@router.post("/records")
def post_records(
    body: Annotated[list[RecordInput], Field(min_length=1, max_length=MAX_BATCH)],
    request: Request,
    actor: Writer,
) -> list[RecordOut]:
    """Record completions (all or nothing); one recorded before comes back with ``new: false``."""
    with app_state(request).unit_of_work() as session:
        return save_records(
            session=session, records=body, actor=actor_label(actor), today=today_in_japan()
        )


@router.post("/records/import", openapi_extra=CSV_BODY)
async def import_completions(request: Request, actor: Writer) -> ImportResult:
    """Record completions from CSV (body ``text/csv``; columns ``employee_number,course,
    completed_on``), all or nothing."""
    return await _csv_import(request, actor, roster=False)


@router.get("/overdue")
def overdue(
    request: Request, actor: Reader, grace_days: Grace = JOINER_GRACE_DAYS
) -> list[WorkerOut]:
    """Active workers overdue for the yearly round, longest overdue first."""
    state = app_state(request)
    with state.read() as session:
        return overdue_workers(
            session=session, cipher=state.cipher(), today=today_in_japan(), grace_days=grace_days
        )


@router.get("/figures")
def figures(
    request: Request, actor: Reader, since: date | None = None, until: date | None = None
) -> TrainingFigures:
    """The figures for `since`..`until` (default: the twelve months to today)."""
    today = today_in_japan()
    end = until or today
    start = since or add_years(end, -1)
    with app_state(request).read() as session:
        return training_figures(session, since=start, until=end, today=today)
