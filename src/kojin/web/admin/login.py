"""Signing in and out of the staff pages.

Sign-in attempts are limited per client address and per user name (429 page past either); the
refused form says the same thing whichever of the two was wrong. A good sign-in ends any session
the browser already had and opens a new one (a new cookie token and a new CSRF token), so a
token planted before sign-in is worth nothing after it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.auth.web_sessions import sign_in, sign_out
from kojin.errors import AuthenticationError
from kojin.ratelimit import LimitRule
from kojin.web.context import web_context
from kojin.web.rate_limits import TooManyRequests, allowed, clear, client_address
from kojin.web.staff_auth import (
    SESSION_COOKIE,
    clear_session_cookie,
    lifetimes,
    optional_staff,
    safe_next,
    set_session_cookie,
)
from kojin.web.templating import render, translate

router = APIRouter()

#: longest user name and password the form passes on (longer ones are refused alike)
MAX_USERNAME = 64
MAX_PASSWORD = 1024


def _home(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/") + "/"


def _form(
    request: Request,
    *,
    next_path: str | None,
    username: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    shown = {name: translate(request, key) for name, key in (errors or {}).items()}
    return render(
        request,
        "admin/login.html",
        {
            "next": next_path or "",
            "username": username,
            "errors": shown,
            "signed_out": request.query_params.get("signed_out") == "1",
        },
        status_code=status_code,
    )


@router.get("/login")
def login_page(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    next_path = safe_next(request, next)
    if optional_staff(request) is not None:
        return RedirectResponse(next_path or _home(request), status_code=303)
    return _form(request, next_path=next_path)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    t_key = "admin.login.error"
    next_path = safe_next(request, next)
    username = username.strip()
    shown_username = username[:MAX_USERNAME]
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = f"{t_key}.username_missing"
    if not password:
        errors["password"] = f"{t_key}.password_missing"
    if errors:
        return _form(
            request, next_path=next_path, username=shown_username, errors=errors, status_code=422
        )
    account = username.lower()
    if not allowed(request, LimitRule.SIGN_IN_ADDRESS, client_address(request)):
        raise TooManyRequests
    if not allowed(request, LimitRule.SIGN_IN_ACCOUNT, account):
        raise TooManyRequests
    context = web_context(request)
    idle, max_age = lifetimes(context.state.settings)
    refused = len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD
    token = ""
    if not refused:
        with context.state.unit_of_work() as session:
            previous = request.cookies.get(SESSION_COOKIE)
            if previous:
                sign_out(session=session, token=previous)
            try:
                token, _staff = sign_in(
                    session=session,
                    username=username,
                    password=password,
                    idle=idle,
                    max_age=max_age,
                    now=context.site.now(),
                )
            except AuthenticationError:  # caught inside: the refusal's audit entry commits
                refused = True
    if refused:
        return _form(
            request,
            next_path=next_path,
            username=shown_username,
            errors={"_form": f"{t_key}.refused"},
            status_code=401,
        )
    clear(request, LimitRule.SIGN_IN_ACCOUNT, account)
    response = RedirectResponse(next_path or _home(request), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with web_context(request).state.unit_of_work() as session:
            sign_out(session=session, token=token)
    root = str(request.scope.get("root_path", "")).rstrip("/")
    response = RedirectResponse(f"{root}/login?signed_out=1", status_code=303)
    clear_session_cookie(request, response)
    return response
