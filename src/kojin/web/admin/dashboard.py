"""The staff home (``/admin/``): the dashboard of open requests, the ledger and the chain.

Roles without request pages (``mynumber_handler``, ``system``) get a page saying so instead.
The roles of the My Number pages also see the vault's card: records past their disposal date
and due soon (:func:`kojin.web.admin.mynumber_schedule.vault_card`); those of the incident
pages the incidents' card: open incidents that must be reported, overdue and due within 7 days
(:func:`kojin.web.admin.incidents_list.incidents_card`); those of the obligation pages the
tasks' card: overdue, due within 14 days, open
(:func:`kojin.web.admin.obligations.obligations_card`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from kojin.audit.checkpoints import default_checkpoints_path
from kojin.audit.signing import trusted_public_key
from kojin.auth.web_sessions import StaffSession
from kojin.requests.service import dashboard as figures_of
from kojin.requests.states import RequestState
from kojin.web.admin import roles
from kojin.web.admin.chart import days_left_chart
from kojin.web.admin.incidents_list import incidents_card
from kojin.web.admin.mynumber_schedule import vault_card
from kojin.web.admin.obligations import obligations_card
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.staff_auth import signed_in
from kojin.web.templating import render

router = APIRouter()


@router.get("/")
def dashboard(request: Request, staff: Annotated[StaffSession, Depends(signed_in)]) -> Response:
    card = vault_card(request, staff)
    if staff.user.role not in roles.DASHBOARD:
        return render(
            request, "admin/no_pages.html", {"nav_current": "dashboard", "vault_card": card}
        )
    context = web_context(request)
    state = context.state
    settings = state.settings
    with state.read() as session:
        figures = figures_of(
            session=session,
            policy=state.policy,
            today=tokyo_today(context.site.now()),
            checkpoints_path=default_checkpoints_path(settings),
            trusted_key=trusted_public_key(settings.resolved_keys_dir()),
        )
    by_state = [(s, figures.by_state.get(s, 0)) for s in RequestState]
    return render(
        request,
        "admin/dashboard.html",
        {
            "nav_current": "dashboard",
            "figures": figures,
            "by_state": by_state,
            "chart": days_left_chart(figures.by_days_left),
            "vault_card": card,
            "incidents_card": incidents_card(request, staff),
            "obligations_card": obligations_card(request, staff),
        },
    )
