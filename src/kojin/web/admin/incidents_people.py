"""The people an incident affects, on its page: adding one (``POST .../people``), importing a
CSV (``POST .../people/import``) and sending the notices (``POST .../notices``).

The CSV has the columns ``name,email,postal_address,lang``; the service takes it all or nothing
and names the line and column of the first problem, which the page says in its own language
(never the value). Sending the notices mails each person who has an address and has not been
told yet, in their language, lists those to be told by post, and counts those who cannot be
reached: for them the page prompts the alternative measures (publication, R-BR-7).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError
from kojin.incidents.schemas import PersonInput
from kojin.incidents.service import add_person, import_people, send_notices
from kojin.web.admin import roles
from kojin.web.admin.incidents_form import scrub
from kojin.web.admin.incidents_pages import error_messages, root_of, today_of
from kojin.web.admin.incidents_view import incident_page
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

Actor = Annotated[StaffSession, Depends(require_roles(roles.INCIDENTS_ACT))]

#: the fields of the form adding one person
PERSON_FIELDS = ("name", "email", "postal_address", "lang", "subject_id")
#: the largest CSV the import reads (a few hundred thousand people)
MAX_CSV_BYTES = 8 * 1024 * 1024
_WHERE = re.compile(r"line (\d+)(?:, column ([A-Za-z_]+))?")


def _redirect(request: Request, incident_id: str, done: str, **counts: int) -> Response:
    query = "".join(f"&{name}={value}" for name, value in counts.items())
    return RedirectResponse(
        f"{root_of(request)}/incidents/{incident_id}?done={done}{query}#people", status_code=303
    )


@router.post("/incidents/{incident_id}/people")
async def add_one(request: Request, incident_id: str, staff: Actor) -> Response:
    form = await request.form()
    submitted = {
        name: value.strip() if isinstance(value := form.get(name), str) else ""
        for name in PERSON_FIELDS
    }
    return await run_in_threadpool(_add_one, request, staff, incident_id, submitted)


def _add_one(
    request: Request, staff: StaffSession, incident_id: str, submitted: dict[str, str]
) -> Response:
    def again(field: str, key: str | None = None, status_code: int = 422) -> Response:
        key = key or (field if field in PERSON_FIELDS else "generic")
        return incident_page(
            request,
            staff,
            incident_id,
            errors={"person": error_messages(request, {field: key}, "person")},
            submitted={"person": submitted},
            status_code=status_code,
        )

    emptied = scrub(submitted)  # never written back into the form
    if emptied:
        return again(min(emptied, key=PERSON_FIELDS.index), "my_number")
    if not submitted["name"]:
        return again("name")
    if submitted["lang"] not in ("ja", "en"):
        return again("lang")
    try:
        person = PersonInput.model_validate(
            {name: value for name, value in submitted.items() if value}
        )
    except ValidationError as exc:
        names = [str(e["loc"][0]) for e in exc.errors() if e["loc"]]
        return again(next((n for n in names if n in PERSON_FIELDS), "_form"))
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            add_person(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                incident_id=incident_id,
                person=person,
            )
    except InputError as exc:
        field = exc.field or "_form"
        return again(field if field in PERSON_FIELDS else "_form")
    except ConflictError:
        return again("_form", status_code=409)
    return _redirect(request, incident_id, "person")


@router.post("/incidents/{incident_id}/people/import")
async def import_csv(request: Request, incident_id: str, staff: Actor) -> Response:
    form = await request.form()
    upload = form.get("people_csv")
    data = await upload.read(MAX_CSV_BYTES + 1) if isinstance(upload, UploadFile) else b""
    return await run_in_threadpool(_import, request, staff, incident_id, data)


def where_of(request: Request, message: str) -> str:
    """The line (and column) an import error names, said in the page's language."""
    found = _WHERE.search(message)
    if found is None:
        return translate(request, "incidents.import.error.somewhere")
    line, column = found.group(1), found.group(2)
    if column is None:
        return translate(request, "incidents.import.error.line", line=line)
    return translate(request, "incidents.import.error.cell", line=line, column=column)


def _import(request: Request, staff: StaffSession, incident_id: str, data: bytes) -> Response:
    def again(message: str, status_code: int = 422) -> Response:
        return incident_page(
            request,
            staff,
            incident_id,
            errors={"import": {"people_csv": message}},
            status_code=status_code,
        )

    if not data:
        return again(translate(request, "incidents.import.error.empty"))
    if len(data) > MAX_CSV_BYTES:
        return again(translate(request, "incidents.import.error.size"))
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            count = import_people(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                incident_id=incident_id,
                data=data,
            )
    except InputError as exc:
        where = where_of(request, str(exc))
        return again(translate(request, "incidents.import.error.csv", where=where))
    except ConflictError:
        return again(translate(request, "incidents.import.error.closed"), 409)
    return _redirect(request, incident_id, "imported", count=count)


@router.post("/incidents/{incident_id}/notices")
async def notices(request: Request, incident_id: str, staff: Actor) -> Response:
    await request.form()  # the CSRF check has read it; nothing else is posted
    return await run_in_threadpool(_notices, request, staff, incident_id)


def _notices(request: Request, staff: StaffSession, incident_id: str) -> Response:
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            report = send_notices(
                session=session,
                cipher=state.cipher(),
                settings=state.settings,
                policy=state.policy,
                actor=actor_of(staff),
                incident_id=incident_id,
                today=today_of(request),
            )
    except (ConflictError, InputError):
        return incident_page(
            request,
            staff,
            incident_id,
            page_error=translate(request, "incidents.notices.error"),
            status_code=409,
        )
    return _redirect(
        request,
        incident_id,
        "notices",
        sent=report.sent,
        by_post=report.by_post,
        unreachable=report.unreachable,
        already=report.already,
    )
