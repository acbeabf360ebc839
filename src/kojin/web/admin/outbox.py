"""The mail outbox (``/admin/outbox``): the mail kojin kept or sent, newest first.

On the embedded default (no ``KOJIN_SMTP_HOST``) mail is not sent but kept here, so that the
privacy office can pass a verification code on by hand; with SMTP it shows what was sent and
what failed. Only ``admin`` and ``privacy_officer`` see it: it holds people's addresses.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from kojin.auth.web_sessions import StaffSession
from kojin.mail.service import list_outbox
from kojin.web.admin import roles
from kojin.web.context import web_context
from kojin.web.staff_auth import require_roles
from kojin.web.templating import render

router = APIRouter()

#: the most rows the page shows
OUTBOX_ROWS = 100


@router.get("/outbox")
def outbox(
    request: Request, staff: Annotated[StaffSession, Depends(require_roles(roles.OUTBOX_READ))]
) -> Response:
    state = web_context(request).state
    with state.read() as session:
        items = list_outbox(session=session, cipher=state.cipher(), limit=OUTBOX_ROWS)
    return render(
        request,
        "admin/outbox.html",
        {
            "nav_current": "outbox",
            "items": items,
            "smtp": state.settings.smtp_host is not None,
            "limit": OUTBOX_ROWS,
        },
    )
