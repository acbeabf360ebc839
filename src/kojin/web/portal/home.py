"""``GET /portal/``: what a person can ask, who answers, what it costs, where to follow it."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kojin.web.portal.common import (
    OTHER_KINDS,
    RIGHTS_KINDS,
    app_state,
    contact_shown,
    fee_shown,
    lang_of,
    target_days,
)
from kojin.web.templating import render

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    policy = app_state(request).policy
    return render(
        request,
        "portal/home.html",
        {
            "nav_current": "home",
            "rights": [{"kind": kind, "fee": fee_shown(kind, policy)} for kind in RIGHTS_KINDS],
            "others": [{"kind": kind, "fee": None} for kind in OTHER_KINDS],
            "contact": contact_shown(policy, lang_of(request)),
            "target_days": target_days(policy),
        },
    )
