"""What the incident pages share: the frame (the links between the incident pages), today's
date in Tokyo, the names of the law's words in the page's language, the ledger's rows to choose
from, and the incident form's page.

The pages are thin: every read and write goes through :mod:`kojin.incidents.service`, which
assesses the facts (:func:`kojin.law.breach.assess_breach`), keeps the clocks and writes the
audit chain; the pages parse, call and render. Every answer is sent with
``Cache-Control: no-store`` (:mod:`kojin.web.headers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from kojin.auth.web_sessions import StaffSession
from kojin.incidents.schemas import IncidentView
from kojin.law.breach_vocabulary import BreachRole, Certainty, IncidentKind
from kojin.registry.ledger.service import list_entries
from kojin.web.admin import roles
from kojin.web.admin.incidents_form import FACT_FIELDS, Posted
from kojin.web.admin.nav import INCIDENTS_NAV
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.templating import render, translate


def today_of(request: Request) -> date:
    """The day it is in Tokyo (the day the incident clocks count to)."""
    return tokyo_today(web_context(request).site.now())


def root_of(request: Request) -> str:
    """The application's own prefix (``/admin``, behind any proxy prefix)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def may_act(staff: StaffSession) -> bool:
    return staff.user.role in roles.INCIDENTS_ACT


def incidents_page(
    request: Request,
    staff: StaffSession,
    template: str,
    current: str,
    values: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """An incident page: the staff frame, and the links between the incident pages the role
    may open (`current` among them)."""
    role = staff.user.role
    page: dict[str, Any] = {
        "nav_current": "incidents",
        "inc_current": current,
        "incidents_nav": [(key, path) for key, path, allowed in INCIDENTS_NAV if role in allowed],
        "may_act": may_act(staff),
    }
    page.update(values or {})
    return render(request, template, page, status_code=status_code)


def options(request: Request, prefix: str, choices: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) of every member of `choices`, labelled from ``incidents.<prefix>.*``."""
    return [(c.value, translate(request, f"incidents.{prefix}.{c.value}")) for c in choices]


def error_messages(
    request: Request, errors: Mapping[str, str], area: str = "form"
) -> dict[str, str]:
    """Form key -> the message of its error key (``incidents.<area>.error.<key>``), in the
    page's language."""
    return {
        key: translate(request, f"incidents.{area}.error.{value}") for key, value in errors.items()
    }


def ledger_options(request: Request) -> list[tuple[str, str]]:
    """The registry's ledger rows to choose from: (id, "item (category)")."""
    state = web_context(request).state
    with state.read() as session:
        entries = list_entries(session=session)
    return [(entry.id, f"{entry.item} ({entry.category})") for entry in entries]


def form_page(
    request: Request,
    staff: StaffSession,
    *,
    posted: Posted,
    incident: IncidentView | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The incident form: a new incident (`incident` None) or the edit of one, filled with
    `posted`, with `errors` (form key -> message) tied to their fields."""
    shown = dict(errors or {})
    page_error = shown.get("_form")
    action = "/incidents" if incident is None else f"/incidents/{incident.id}/edit"
    return incidents_page(
        request,
        staff,
        "admin/incidents_form.html",
        "new" if incident is None else "",
        {
            "incident": incident,
            "posted": posted,
            "errors": shown,
            "page_error": page_error,
            "action": action,
            "kind_options": options(request, "kind", IncidentKind),
            "certainty_options": options(request, "certainty", Certainty),
            "role_options": options(request, "role", BreachRole),
            "ledger_options": ledger_options(request),
            "fact_fields": FACT_FIELDS,
            "switch_path": root_of(request)
            + ("/incidents/new" if incident is None else f"/incidents/{incident.id}/edit"),
            "switch_query": "",
        },
        status_code=status_code,
    )
