"""The e-mail code: ``/portal/requests/verify`` (enter it), ``/portal/requests/resend`` (a new
one) and ``/portal/requests/received`` (the request has arrived).

The code page shows the reference of the request this browser just submitted while the
reference cookie lives, and asks the person to write it down. Codes entered are limited per
client address; a wrong, expired or spent code, or a reference that opens nothing, all get one
message. A request for a new code is limited per client address and per e-mail address, and
answers the same whether or not the reference and the e-mail address matched a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Final

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.api.state import AppState
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.ratelimit import LimitRule
from kojin.requests.service import VerificationFailed, resend_code, verify_email
from kojin.web.context import web_context
from kojin.web.portal.common import app_state, blocking, root
from kojin.web.portal.field_errors import OTHER_FIELDS, ordered, required
from kojin.web.portal.reference_cookie import forget, recall
from kojin.web.rate_limits import client_address, enforce
from kojin.web.templating import render, translate

router = APIRouter()

#: the longest reference and code the pages pass on (longer ones cannot be right)
MAX_REFERENCE: Final = 64
MAX_CODE: Final = 32
MAX_EMAIL: Final = 254


def verify_page(
    request: Request,
    *,
    reference: str = "",
    errors: Mapping[str, str] | None = None,
    resend_errors: Mapping[str, str] | None = None,
    resent: bool = False,
    status_code: int = 200,
) -> Response:
    shown = recall(request)
    return render(
        request,
        "portal/verify.html",
        {
            "nav_current": "",
            "shown": shown,
            "reference": reference or shown or "",
            "errors": ordered(errors or {}, OTHER_FIELDS),
            "resend_errors": ordered(resend_errors or {}, OTHER_FIELDS),
            "resent": resent,
            "switch_path": f"{root(request)}/requests/verify",
            "switch_query": "",
        },
        status_code=status_code,
    )


def _missing(request: Request, **typed: str) -> dict[str, str]:
    return {name: required(request, name) for name, value in typed.items() if not value}


@router.get("/requests/verify")
def verify_form(request: Request) -> Response:
    return verify_page(request)


def _verify(state: AppState, reference: str, code: str, now: datetime) -> bool:
    with state.unit_of_work() as session:
        try:
            verify_email(
                session=session,
                cipher=state.cipher(),
                policy=state.policy,
                reference=reference,
                code=code,
                now=now,
            )
        except VerificationFailed:
            return False  # leaves the block normally: the counted attempt is committed
    return True


@router.post("/requests/verify")
async def verify(
    request: Request,
    reference: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    enforce(request, LimitRule.CODE_ATTEMPT_ADDRESS, client_address(request))
    reference = reference.strip()[:MAX_REFERENCE]
    code = code.strip()[:MAX_CODE]
    errors = _missing(request, reference=reference, code=code)
    if errors:
        return verify_page(request, reference=reference, errors=errors, status_code=422)
    now = web_context(request).site.now()
    if not await blocking(_verify, app_state(request), reference, code, now):
        failed = {"code": translate(request, "portal.error.code")}
        return verify_page(request, reference=reference, errors=failed, status_code=422)
    response = RedirectResponse(f"{root(request)}/requests/received", status_code=303)
    forget(request, response)
    return response


@router.get("/requests/received")
def received(request: Request) -> Response:
    return render(request, "portal/received.html", {"nav_current": ""})


def _resend(state: AppState, reference: str, email: str, now: datetime) -> None:
    try:
        with state.unit_of_work() as session:
            resend_code(
                session=session,
                cipher=state.cipher(),
                settings=state.settings,
                reference=reference,
                email=email,
                now=now,
            )
    except (NotFoundError, ConflictError, InputError):
        pass  # the page answers the same whether or not the details matched


@router.post("/requests/resend")
async def resend(
    request: Request,
    reference: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
) -> Response:
    enforce(request, LimitRule.CODE_REQUEST_ADDRESS, client_address(request))
    reference = reference.strip()[:MAX_REFERENCE]
    email = email.strip()[:MAX_EMAIL]
    errors = _missing(request, reference=reference, email=email)
    if errors:
        return verify_page(request, reference=reference, resend_errors=errors, status_code=422)
    enforce(request, LimitRule.CODE_REQUEST_EMAIL, email)
    await blocking(_resend, app_state(request), reference, email, web_context(request).site.now())
    return verify_page(request, reference=reference, resent=True)
