"""One incident (``/admin/incidents/{id}``): its facts, the law's assessment, the clocks, the
steps taken, the affected people, the drafts, the requests it caused and its history; editing
it (``.../edit``) and recording a dated step (``POST .../steps``).

The assessment is the service's, on the facts as they are now: editing a fact (the count passing
1,000, a wrongful purpose found) re-assesses the incident, and the page shows the new result and
clocks. An edit sends the service only the fields whose value changed, so the history names
exactly those. A step the incident's status does not allow (reporting a closed incident) is
said at the top of the page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.incidents.schemas import IncidentStatus, IncidentStep, IncidentView, ReportStage
from kojin.incidents.service import get_incident, list_people, record_step, update_incident
from kojin.law.breach_vocabulary import BreachRole
from kojin.web.admin import roles
from kojin.web.admin.incidents_form import (
    Posted,
    checked,
    parse,
    posted_from,
    read_posted,
    refused,
)
from kojin.web.admin.incidents_pages import (
    error_messages,
    form_page,
    incidents_page,
    ledger_options,
    options,
    root_of,
    today_of,
)
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.INCIDENTS_READ))]
Actor = Annotated[StaffSession, Depends(require_roles(roles.INCIDENTS_ACT))]

#: what a redirect after a change may say (``?done=...``)
DONE = frozenset({"recorded", "updated", "unchanged", "step", "person", "imported", "notices"})
#: the counts a done message may carry (``?sent=3``)
DONE_COUNTS = ("count", "sent", "by_post", "unreachable", "already")
#: the most people the page lists (the counts are always whole)
PEOPLE_SHOWN = 200


def _load(request: Request, incident_id: str) -> IncidentView:
    state = web_context(request).state
    with state.read() as session:
        return get_incident(
            session=session, cipher=state.cipher(), incident_id=incident_id, today=today_of(request)
        )


def step_options(request: Request, view: IncidentView) -> list[tuple[str, str]]:
    """The steps the incident's status allows: reopening a closed one; any other step on an
    open one (telling the entruster only when the company is the entrustee)."""
    labelled = options(request, "step", IncidentStep)
    if view.status is IncidentStatus.CLOSED:
        return [(v, label) for v, label in labelled if v == IncidentStep.REOPENED.value]
    entrustee = view.fields.role is BreachRole.ENTRUSTEE
    return [
        (v, label)
        for v, label in labelled
        if v != IncidentStep.REOPENED.value
        and (entrustee or v != IncidentStep.ENTRUSTER_NOTIFIED.value)
    ]


def _done(request: Request) -> tuple[str | None, dict[str, int]]:
    done = request.query_params.get("done")
    counts = {}
    for name in DONE_COUNTS:
        value = request.query_params.get(name, "")
        if value.isdigit() and len(value) < 10:
            counts[name] = int(value)
    return (done if done in DONE else None), counts


def incident_page(
    request: Request,
    staff: StaffSession,
    incident_id: str,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    submitted: dict[str, dict[str, str]] | None = None,
    page_error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The incident's page (NotFoundError, shown as 404, for an unknown id); `errors` and
    `submitted` by form (``step``, ``person``, ``import``, ``notices``)."""
    view = _load(request, incident_id)
    state = web_context(request).state
    with state.read() as session:
        people = list_people(session=session, cipher=state.cipher(), incident_id=view.id)
    ledger = dict(ledger_options(request))
    done, counts = _done(request)
    every_error = errors or {}
    return incidents_page(
        request,
        staff,
        "admin/incidents_incident.html",
        "",
        {
            "incident": view,
            "fields": view.fields,
            "assessment": view.assessment,
            "people": people[:PEOPLE_SHOWN],
            "people_listed": len(people),
            "people_by_post": sum(1 for person in people if person.method == "post"),
            "ledger_labels": [ledger.get(row, row) for row in view.fields.ledger_rows or []],
            "step_options": step_options(request, view),
            "stages": [stage.value for stage in ReportStage],
            "errors": {name: every_error.get(name, {}) for name in ("step", "person", "import")},
            "submitted": {name: (submitted or {}).get(name, {}) for name in ("step", "person")},
            "page_error": page_error,
            "done": done,
            "counts": counts,
            "today": today_of(request),
            "switch_path": f"{root_of(request)}/incidents/{view.id}",
            "switch_query": "",
        },
        status_code=status_code,
    )


@router.get("/incidents/{incident_id}")
def incident_view(request: Request, incident_id: str, staff: Reader) -> Response:
    return incident_page(request, staff, incident_id)


# --- editing ---------------------------------------------------------------------------------


@router.get("/incidents/{incident_id}/edit")
def edit_form(request: Request, incident_id: str, staff: Actor) -> Response:
    view = _load(request, incident_id)
    return form_page(request, staff, posted=posted_from(view.fields), incident=view)


@router.post("/incidents/{incident_id}/edit")
async def edit(request: Request, incident_id: str, staff: Actor) -> Response:
    posted = read_posted(await request.form())
    return await run_in_threadpool(_edit, request, staff, incident_id, posted)


def _edit(request: Request, staff: StaffSession, incident_id: str, posted: Posted) -> Response:
    view = _load(request, incident_id)

    def again(errors: dict[str, str], status_code: int = 422) -> Response:
        return form_page(
            request,
            staff,
            posted=posted,
            incident=view,
            errors=error_messages(request, errors),
            status_code=status_code,
        )

    parsed = parse(posted)
    fields, errors = checked(parsed, view.fields)
    if fields is None:
        return again(errors)
    if not fields.model_fields_set:
        return _back(request, view.id, "unchanged")
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            update_incident(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                incident_id=view.id,
                fields=fields,
                today=today_of(request),
            )
    except InputError as exc:
        return again(refused(exc.field, parsed.knowledge_rows))
    except NotFoundError:
        return again({"ledger_rows": "ledger_rows"})
    except ConflictError:
        return again({"_form": "conflict"}, 409)
    return _back(request, view.id, "updated")


def _back(request: Request, incident_id: str, done: str, **counts: int) -> Response:
    query = "".join(f"&{name}={value}" for name, value in counts.items())
    return RedirectResponse(
        f"{root_of(request)}/incidents/{incident_id}?done={done}{query}", status_code=303
    )


# --- steps -----------------------------------------------------------------------------------


@router.post("/incidents/{incident_id}/steps")
async def step(request: Request, incident_id: str, staff: Actor) -> Response:
    form = await request.form()
    submitted = {
        name: value.strip() if isinstance(value := form.get(name), str) else ""
        for name in ("step", "on")
    }
    return await run_in_threadpool(_step, request, staff, incident_id, submitted)


def _step(
    request: Request, staff: StaffSession, incident_id: str, submitted: dict[str, str]
) -> Response:
    def again(field: str, key: str, status_code: int = 422) -> Response:
        message = error_messages(request, {field: key}, "steps")
        if field == "_form":
            return incident_page(
                request,
                staff,
                incident_id,
                submitted={"step": submitted},
                page_error=message["_form"],
                status_code=status_code,
            )
        return incident_page(
            request,
            staff,
            incident_id,
            errors={"step": message},
            submitted={"step": submitted},
            status_code=status_code,
        )

    try:
        chosen = IncidentStep(submitted["step"])
    except ValueError:
        return again("step", "step")
    try:
        on = date.fromisoformat(submitted["on"])
    except ValueError:
        return again("on", "on")
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            record_step(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                incident_id=incident_id,
                step=chosen,
                on=on,
                today=today_of(request),
            )
    except InputError as exc:
        field = "step" if exc.field == "step" else "on"
        return again(field, field)
    except ConflictError:
        return again("_form", "conflict", 409)
    return _back(request, incident_id, "step")
