"""The request queue (``/admin/requests``): filters in a GET form, a clock per request.

``?incident=INC-2026-0001`` lists the requests that name that incident (R-BR-8): the link from
an incident to the requests it caused (add ``&closed=1`` for the closed ones too). A value that
is not an incident reference lists nothing and says so. Each stop request shows its ground of
Art. 35 and the incident it names.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import InputError
from kojin.requests.grounds import normalise_incident_reference
from kojin.requests.kinds import RequestKind
from kojin.requests.schemas import QueueFilter
from kojin.requests.service import list_queue
from kojin.requests.states import RequestState
from kojin.web.admin import roles
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.staff_auth import require_roles
from kojin.web.templating import render, translate

router = APIRouter()


def _choice(value: str | None, choices: Any) -> Any:
    """The enum member `value` names, or None (an unknown value is no filter at all)."""
    try:
        return choices(value) if value else None
    except ValueError:
        return None


def incident_filter(value: str | None) -> tuple[str | None, bool]:
    """(the incident reference of the query string, normalised, or None; whether the value
    given is not an incident reference)."""
    try:
        return normalise_incident_reference(value), False
    except InputError:
        return None, True


def queue_filter(request: Request) -> QueueFilter:
    """The filters of the query string; values that name nothing are ignored (but an incident
    reference that is not one: see :func:`incident_filter`)."""
    query = request.query_params
    incident, _ = incident_filter(query.get("incident"))
    return QueueFilter(
        state=_choice(query.get("state"), RequestState),
        kind=_choice(query.get("kind"), RequestKind),
        open_only=query.get("closed") != "1",
        overdue_only=query.get("overdue") == "1",
        incident_reference=incident,
    )


def options(request: Request, prefix: str, choices: Any) -> list[tuple[str, str]]:
    """(value, label) of every member of the enum `choices`, labelled from the catalogue."""
    return [(str(c.value), translate(request, prefix + str(c.value))) for c in choices]


@router.get("/requests")
def queue(
    request: Request, staff: Annotated[StaffSession, Depends(require_roles(roles.QUEUE_READ))]
) -> Response:
    filters = queue_filter(request)
    _, wrong_incident = incident_filter(request.query_params.get("incident"))
    context = web_context(request)
    state = context.state
    rows = []
    if not wrong_incident:
        with state.read() as session:
            rows = list_queue(
                session=session,
                filters=filters,
                policy=state.policy,
                today=tokyo_today(context.site.now()),
            )
    return render(
        request,
        "admin/queue.html",
        {
            "nav_current": "requests",
            "filters": filters,
            "rows": rows,
            "incident_errors": (
                {"incident": translate(request, "admin.queue.incident_invalid")}
                if wrong_incident
                else {}
            ),
            "state_options": options(request, "common.state.", RequestState),
            "kind_options": options(request, "common.kind.", RequestKind),
            "may_open": staff.user.role in roles.REQUESTS_READ,
        },
    )
