"""The request queue (``/admin/requests``): filters in a GET form, a clock per request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from kojin.auth.web_sessions import StaffSession
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


def queue_filter(request: Request) -> QueueFilter:
    """The filters of the query string; values that name nothing are ignored."""
    query = request.query_params
    return QueueFilter(
        state=_choice(query.get("state"), RequestState),
        kind=_choice(query.get("kind"), RequestKind),
        open_only=query.get("closed") != "1",
        overdue_only=query.get("overdue") == "1",
    )


def options(request: Request, prefix: str, choices: Any) -> list[tuple[str, str]]:
    """(value, label) of every member of the enum `choices`, labelled from the catalogue."""
    return [(str(c.value), translate(request, prefix + str(c.value))) for c in choices]


@router.get("/requests")
def queue(
    request: Request, staff: Annotated[StaffSession, Depends(require_roles(roles.QUEUE_READ))]
) -> Response:
    filters = queue_filter(request)
    context = web_context(request)
    state = context.state
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
            "state_options": options(request, "common.state.", RequestState),
            "kind_options": options(request, "common.kind.", RequestKind),
            "may_open": staff.user.role in roles.REQUESTS_READ,
        },
    )
