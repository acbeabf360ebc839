"""Staff sessions on the pages: the ``kojin_session`` cookie, sign-in redirects and roles.

The cookie holds the session token :func:`kojin.auth.web_sessions.sign_in` returned (HttpOnly,
SameSite=Strict, ``Secure`` on https, Path=/admin); the session itself is server-side, with the
settings' idle and absolute limits. :func:`optional_staff` finds it (once per request);
:func:`require_roles` sends a visitor without one to the sign-in page and answers 403 to a
role the page is not for. :func:`admin_csrf` is the admin application's CSRF check: the token
bound to the session, or the signed double submit on the sign-in form (before any session).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.api.access_log import ACTOR_STATE_KEY
from kojin.auth.roles import Role
from kojin.auth.staff import staff_actor
from kojin.auth.web_sessions import StaffSession, current_session
from kojin.settings import Settings
from kojin.web import csrf
from kojin.web.context import web_context
from kojin.web.templating import STAFF_STATE_KEY

SESSION_COOKIE = "kojin_session"
#: paths (inside /admin) whose forms are posted before a session exists
PRE_SESSION_PATHS = frozenset({"/login"})
_LOOKED_UP = "kojin_staff_looked_up"


class SignInRequiredError(Exception):
    """No valid staff session: the visitor is sent to the sign-in page."""


class RoleRefused(HTTPException):
    """403: the signed-in role may not use this page."""

    def __init__(self) -> None:
        super().__init__(status_code=403, detail="role")


def lifetimes(settings: Settings) -> tuple[timedelta, timedelta]:
    """(idle, absolute) limits of a staff session."""
    return timedelta(minutes=settings.session_idle_minutes), timedelta(
        hours=settings.session_max_hours
    )


def optional_staff(request: Request) -> StaffSession | None:
    """The signed-in staff session of this request, or None (looked up once per request)."""
    state: dict[str, Any] = request.scope.setdefault("state", {})
    if state.get(_LOOKED_UP):
        found: StaffSession | None = state.get(STAFF_STATE_KEY)
        return found
    state[_LOOKED_UP] = True
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    context = web_context(request)
    idle, max_age = lifetimes(context.state.settings)
    with context.state.unit_of_work() as session:  # refreshes the session's last use
        staff = current_session(
            session=session, token=token, idle=idle, max_age=max_age, now=context.site.now()
        )
    if staff is not None:
        state[STAFF_STATE_KEY] = staff
        state[ACTOR_STATE_KEY] = f"staff:{staff.user.id}"  # the access log's actor
        csrf.bind_token(request, staff.csrf_token)
    return staff


def require_roles(roles: Iterable[Role]) -> Callable[..., StaffSession]:
    """A dependency giving the signed-in session of one of `roles`."""
    allowed = frozenset(roles)

    def dependency(staff: Annotated[StaffSession | None, Depends(optional_staff)]) -> StaffSession:
        if staff is None:
            raise SignInRequiredError
        if staff.user.role not in allowed:
            raise RoleRefused
        return staff

    return dependency


def signed_in(staff: Annotated[StaffSession | None, Depends(optional_staff)]) -> StaffSession:
    """A dependency giving the signed-in session, whatever its role."""
    if staff is None:
        raise SignInRequiredError
    return staff


def actor_of(staff: StaffSession) -> str:
    """The audit chain's actor for `staff`: ``staff:<username>``."""
    return staff_actor(staff.user)


def _route_path(request: Request) -> str | None:
    path = getattr(request.scope.get("route"), "path", None)
    return path if isinstance(path, str) else None


async def admin_csrf(
    request: Request, staff: Annotated[StaffSession | None, Depends(optional_staff)]
) -> None:
    """Unsafe methods on /admin carry the session's token; the sign-in form the signed double
    submit. A form posted without a session sends the visitor to sign in (nothing is done)."""
    if request.method in csrf.SAFE_METHODS:
        return
    if _route_path(request) in PRE_SESSION_PATHS:
        await csrf.check_double_submit(request)
    elif staff is None:
        raise SignInRequiredError
    else:
        await csrf.check_bound(request, staff.csrf_token)


def safe_next(request: Request, value: str | None) -> str | None:
    """`value` when it is a path inside this application (an open redirect is refused)."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    if not value or not value.startswith(root + "/") or value.startswith("//"):
        return None
    if any(c in value for c in ("\\", "\r", "\n", "\t")) or "//" in value:
        return None
    return value


def sign_in_redirect(request: Request) -> Response:
    """303 to the sign-in page, coming back here afterwards (for a page read with GET)."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    target = f"{root}/login"
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if safe_next(request, here) is not None and request.url.path != target:
            target += "?" + urlencode({"next": here})
    return RedirectResponse(target, status_code=303)


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    return sign_in_redirect(request)


def session_cookie_path(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/") or "/"


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path=session_cookie_path(request),
        httponly=True,
        samesite="strict",
        secure=web_context(request).site.secure_cookies,
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path=session_cookie_path(request),
        httponly=True,
        samesite="strict",
        secure=web_context(request).site.secure_cookies,
    )


def install_sign_in_redirect(app: Any) -> None:
    app.add_exception_handler(SignInRequiredError, _sign_in_required)
