"""The training page (``/admin/training``; R-PM-4): who is overdue for the yearly round, the
roster, the courses, and for the privacy office the forms that add a course, record a
completion and import the roster or records from CSV (all or nothing; an error names the line
and column, never a value).
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.management.training.csvio import (
    TrainingImportError,
    import_records,
    import_workers,
    read_csv_bytes,
)
from kojin.management.training.schemas import CourseInput, RecordInput
from kojin.management.training.service import (
    add_course,
    list_courses,
    list_workers,
    save_records,
)
from kojin.web.admin import roles
from kojin.web.admin.incidents_form import scrub
from kojin.web.admin.management_pages import (
    form_text,
    management_page,
    redirect,
    today_of,
    where_of,
)
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.MANAGEMENT_READ))]
Actor = Annotated[StaffSession, Depends(require_roles(roles.MANAGEMENT_ACT))]

#: the largest CSV the page takes
MAX_CSV_BYTES: Final = 8 * 1024 * 1024
_DONE: Final = frozenset({"course", "record", "workers", "records"})


def training_page(
    request: Request,
    staff: StaffSession,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    posted: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    state = web_context(request).state
    today = today_of(request)
    with state.read() as session:
        workers = list_workers(session=session, cipher=state.cipher(), today=today)
        courses = list_courses(session=session)
    done = request.query_params.get("done")
    return management_page(
        request,
        staff,
        "admin/training.html",
        "training",
        {
            "workers": workers,
            "overdue": sorted(
                (w for w in workers if w.overdue), key=lambda w: (w.due_on, w.employee_number)
            ),
            "courses": courses,
            "course_options": [(c.code, f"{c.title} ({c.code})") for c in courses],
            "errors": errors or {},
            "posted": posted or {},
            "done": done if done in _DONE else None,
            "count": request.query_params.get("count", ""),
        },
        status_code=status_code,
    )


@router.get("/training")
def page(request: Request, staff: Reader) -> Response:
    return training_page(request, staff)


def _again(
    request: Request, staff: StaffSession, form: str, field: str, key: str, posted: dict[str, str]
) -> Response:
    message = translate(request, f"management.training.error.{key}")
    scrub(posted)  # a refused individual number is never sent back
    return training_page(
        request, staff, errors={form: {field: message}}, posted=posted, status_code=422
    )


@router.post("/training/courses")
async def course(request: Request, staff: Actor) -> Response:
    form = await request.form()
    posted = {
        "code": form_text(form, "code"),
        "title": form_text(form, "title"),
        "yearly": "1" if form_text(form, "yearly") else "",
    }
    return await run_in_threadpool(_course, request, staff, posted)


def _course(request: Request, staff: StaffSession, posted: dict[str, str]) -> Response:
    try:
        course_in = CourseInput(
            code=posted["code"], title=posted["title"], yearly=bool(posted["yearly"])
        )
    except ValidationError as exc:
        field = str(exc.errors(include_url=False, include_input=False)[0]["loc"][0])
        return _again(request, staff, "course", field, field, posted)
    try:
        with web_context(request).state.unit_of_work() as session:
            add_course(session=session, course_in=course_in, actor=actor_of(staff))
    except ConflictError:
        return _again(request, staff, "course", "code", "code_taken", posted)
    return redirect(request, "/training", "course")


@router.post("/training/records")
async def record(request: Request, staff: Actor) -> Response:
    form = await request.form()
    posted = {
        "employee_number": form_text(form, "employee_number"),
        "course": form_text(form, "course"),
        "completed_on": form_text(form, "completed_on"),
    }
    return await run_in_threadpool(_record, request, staff, posted)


def _record(request: Request, staff: StaffSession, posted: dict[str, str]) -> Response:
    today = today_of(request)
    try:
        record_in = RecordInput(
            employee_number=posted["employee_number"],
            course=posted["course"],
            completed_on=posted["completed_on"] or today,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        field = str(exc.errors(include_url=False, include_input=False)[0]["loc"][0])
        return _again(request, staff, "record", field, field, posted)
    try:
        with web_context(request).state.unit_of_work() as session:
            save_records(session=session, records=[record_in], actor=actor_of(staff), today=today)
    except NotFoundError as exc:
        field = "course" if "course" in exc.message else "employee_number"
        return _again(request, staff, "record", field, f"unknown_{field}", posted)
    except InputError:
        return _again(request, staff, "record", "completed_on", "future", posted)
    return redirect(request, "/training", "record")


async def _upload(request: Request, name: str) -> bytes:
    form = await request.form()
    upload = form.get(name)
    return await upload.read(MAX_CSV_BYTES + 1) if isinstance(upload, UploadFile) else b""


@router.post("/training/workers/import")
async def workers_import(request: Request, staff: Actor) -> Response:
    data = await _upload(request, "roster_csv")
    return await run_in_threadpool(_import, request, staff, data, "roster_csv")


@router.post("/training/records/import")
async def records_import(request: Request, staff: Actor) -> Response:
    data = await _upload(request, "records_csv")
    return await run_in_threadpool(_import, request, staff, data, "records_csv")


def _import(request: Request, staff: StaffSession, data: bytes, field: str) -> Response:
    def again(message: str) -> Response:
        return training_page(request, staff, errors={field: {field: message}}, status_code=422)

    if not data:
        return again(translate(request, "management.import.empty"))
    if len(data) > MAX_CSV_BYTES:
        return again(translate(request, "management.import.size"))
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            source = read_csv_bytes(data, source="file")
            if field == "roster_csv":
                result = import_workers(
                    session=session, cipher=state.cipher(), source=source, actor=actor_of(staff)
                )
            else:
                result = import_records(
                    session=session, source=source, actor=actor_of(staff), today=today_of(request)
                )
    except TrainingImportError as exc:
        wheres = [where_of(request, problem) for problem in exc.problems[:20]]
        return again(translate(request, "management.import.rejected", where="; ".join(wheres)))
    except InputError:
        return again(translate(request, "management.import.encoding"))
    done = "workers" if field == "roster_csv" else "records"
    response = redirect(request, "/training", done)
    response.headers["location"] += f"&count={result.added + result.updated}"
    return response
