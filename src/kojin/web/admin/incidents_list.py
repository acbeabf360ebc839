"""The incident register (``/admin/incidents``) and recording a new incident
(``/admin/incidents/new``, ``POST /admin/incidents``).

The register lists the open incidents (or the closed ones): each one's reference, title, kind,
certainty, whether it is reportable under APPI and under the My Number Act, the preliminary
report's guide date and the final report's due date with the days left (an overdue date is
marked in words, not by colour alone), the people affected and the requests it caused (linked
to the request queue filtered by the incident's reference).

The new incident's form is checked here for what the form itself can tell (dates, counts, a
department without its day), then by the service, which names the field of anything it refuses;
either way the form comes back with what was typed and each error tied to its field. No error
message repeats a value.

The dashboard's incident card is built here too (:func:`incidents_card`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.incidents.schemas import IncidentFigures, IncidentStatus, IncidentSummary
from kojin.incidents.service import incident_figures, list_incidents, record_incident
from kojin.web.admin import roles
from kojin.web.admin.incidents_form import (
    Posted,
    blank,
    checked,
    parse,
    read_posted,
    refused,
)
from kojin.web.admin.incidents_pages import (
    error_messages,
    form_page,
    incidents_page,
    root_of,
    today_of,
)
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.INCIDENTS_READ))]
Actor = Annotated[StaffSession, Depends(require_roles(roles.INCIDENTS_ACT))]


@dataclass(frozen=True, slots=True)
class IncidentsCard:
    """The dashboard's incident figures, and the open incidents that must be reported: those
    overdue first, then those due within 7 days, then the others."""

    figures: IncidentFigures
    rows: list[IncidentSummary]
    overdue: frozenset[str]
    due_soon: frozenset[str]


def incidents_card(request: Request, staff: StaffSession) -> IncidentsCard | None:
    """The dashboard's card for the roles of the incident pages (None for the others)."""
    if staff.user.role not in roles.INCIDENTS_READ:
        return None
    state = web_context(request).state
    with state.read() as session:
        figures = incident_figures(session=session, cipher=state.cipher(), today=today_of(request))
    overdue = frozenset(s.id for s in figures.overdue)
    due_soon = frozenset(s.id for s in figures.due_soon)
    others = [
        s for s in figures.open if s.must_report and s.id not in overdue and s.id not in due_soon
    ]
    return IncidentsCard(
        figures=figures,
        rows=[*figures.overdue, *figures.due_soon, *others],
        overdue=overdue,
        due_soon=due_soon,
    )


@router.get("/incidents")
def register_page(request: Request, staff: Reader) -> Response:
    closed = request.query_params.get("status") == IncidentStatus.CLOSED.value
    status = IncidentStatus.CLOSED if closed else IncidentStatus.OPEN
    state = web_context(request).state
    with state.read() as session:
        incidents = list_incidents(
            session=session, cipher=state.cipher(), today=today_of(request), status=status
        )
    return incidents_page(
        request,
        staff,
        "admin/incidents_list.html",
        "closed" if closed else "open",
        {"incidents": incidents, "status": status.value},
    )


@router.get("/incidents/new")
def new_form(request: Request, staff: Actor) -> Response:
    return form_page(request, staff, posted=blank())


@router.post("/incidents")
async def record(request: Request, staff: Actor) -> Response:
    posted = read_posted(await request.form())
    return await run_in_threadpool(_record, request, staff, posted)


def _record(request: Request, staff: StaffSession, posted: Posted) -> Response:
    def again(errors: dict[str, str], status_code: int = 422) -> Response:
        return form_page(
            request,
            staff,
            posted=posted,
            errors=error_messages(request, errors),
            status_code=status_code,
        )

    parsed = parse(posted)
    fields, errors = checked(parsed)
    if fields is None:
        return again(errors)
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            view = record_incident(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                fields=fields,
                today=today_of(request),
            )
    except InputError as exc:
        return again(refused(exc.field, parsed.knowledge_rows))
    except NotFoundError:
        return again({"ledger_rows": "ledger_rows"})
    except ConflictError:
        return again({"_form": "generic"}, 409)
    return RedirectResponse(
        f"{root_of(request)}/incidents/{view.id}?done=recorded", status_code=303
    )
