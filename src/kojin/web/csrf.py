"""Cross-site request forgery: every form carries a token, checked on every unsafe method.

Two kinds of token, both in the hidden field ``csrf_token``:

- **Bound to a staff session** (``/admin`` once signed in): the token kept server-side with the
  session (``StaffSession.csrf_token``); :func:`bind_token` makes the templates use it.
- **Signed double submit** (the portal, and the staff sign-in form): a random ``kojin_csrf``
  cookie (HttpOnly, SameSite=Strict, ``Secure`` on https, Path=/) and, in the form, an HMAC of
  that cookie under a key derived from the keyring (:meth:`kojin.web.context.WebSite.csrf_key`).
  A forger can neither read the cookie nor compute the HMAC without the key.

Before either, the ``Origin`` header, when the browser names an origin, must be kojin's public
origin (``KOJIN_PUBLIC_URL``) or the request's own host, and ``Sec-Fetch-Site`` must not say
``cross-site`` or ``same-site``. Under the pages' ``Referrer-Policy: no-referrer`` browsers send
``Origin: null`` with kojin's own forms, so a null origin is left to the token.

A refusal is a 403 page asking to reload the form; nothing is stored, since the check runs
before the route. The form is read with ``await request.form()``: Starlette keeps it on the
request, so the route (or FastAPI's ``Form`` parameters) reads the same parsed form, uploads
included.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from kojin.web.context import web_context

CSRF_COOKIE = "kojin_csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_BOUND_KEY = "kojin_csrf_bound"
_NEW_COOKIE_KEY = "kojin_csrf_new"
_COOKIE_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32)
_DEFAULT_PORTS = {"http": "80", "https": "443"}
#: ``Sec-Fetch-Site`` values of a request started by another site's page
_OTHER_SITES = frozenset({"cross-site", "same-site"})


class CsrfRefused(HTTPException):
    """403: the form's token or the request's origin is not right (the page asks to reload)."""

    def __init__(self) -> None:
        super().__init__(status_code=403, detail="csrf")


def sign(key: bytes, cookie: str) -> str:
    """The form token for the double-submit `cookie`."""
    mac = hmac.new(key, b"kojin-csrf:" + cookie.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def _state(request: Request) -> dict[str, Any]:
    state: dict[str, Any] = request.scope.setdefault("state", {})
    return state


def _cookie(request: Request) -> str | None:
    value = request.cookies.get(CSRF_COOKIE)
    return value if value is not None and _COOKIE_SHAPE.fullmatch(value) else None


def bind_token(request: Request, token: str) -> None:
    """Make the forms of this request carry the staff session's token."""
    _state(request)[_BOUND_KEY] = token


def form_token(request: Request) -> str:
    """The token the forms of this page carry (a new double-submit cookie is issued when the
    browser has none; :func:`attach_cookie` sends it)."""
    state = _state(request)
    bound = state.get(_BOUND_KEY)
    if isinstance(bound, str):
        return bound
    cookie = _cookie(request) or state.get(_NEW_COOKIE_KEY)
    if not isinstance(cookie, str):
        cookie = secrets.token_urlsafe(32)
        state[_NEW_COOKIE_KEY] = cookie
    return sign(web_context(request).site.csrf_key(), cookie)


def attach_cookie(request: Request, response: Response) -> None:
    """Send the double-submit cookie issued while this page was rendered, if any."""
    cookie = _state(request).get(_NEW_COOKIE_KEY)
    if isinstance(cookie, str):
        response.set_cookie(
            CSRF_COOKIE,
            cookie,
            path="/",
            httponly=True,
            samesite="strict",
            secure=web_context(request).site.secure_cookies,
        )


def _authority(scheme: str, netloc: str) -> str | None:
    """``host[:port]`` lower-cased, the scheme's default port left out; None when unreadable."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    shown = f"[{host}]" if ":" in host else host
    if port is None or str(port) == _DEFAULT_PORTS.get(scheme):
        return shown
    return f"{shown}:{port}"


def origin_allowed(request: Request) -> bool:
    """The browser's ``Origin`` (when it names one) is kojin's public origin or this request's
    host, and the browser does not mark the request as coming from another site."""
    if request.headers.get("sec-fetch-site", "").lower() in _OTHER_SITES:
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # Under kojin's own Referrer-Policy (no-referrer) browsers send "Origin: null" with a
        # form posted from kojin's page: it says nothing, and the token decides.
        return True
    parts = urlsplit(origin)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return False
    sent = _authority(scheme, parts.netloc)
    if sent is None:
        return False
    public = urlsplit(web_context(request).state.settings.public_url)
    if scheme == public.scheme.lower() and sent == _authority(scheme, public.netloc):
        return True
    host = request.headers.get("host")
    own_scheme = request.url.scheme.lower()
    return host is not None and scheme == own_scheme and sent == _authority(scheme, host)


async def submitted_token(request: Request) -> str | None:
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def _equal(first: str | None, second: str | None) -> bool:
    if not first or not second:
        return False
    return hmac.compare_digest(first.encode("utf-8"), second.encode("utf-8"))


async def check_double_submit(request: Request) -> None:
    """Refuse (403) unless the origin is right and the form's token signs the cookie."""
    if not origin_allowed(request):
        raise CsrfRefused
    cookie = _cookie(request)
    expected = sign(web_context(request).site.csrf_key(), cookie) if cookie else None
    if not _equal(await submitted_token(request), expected):
        raise CsrfRefused


async def check_bound(request: Request, bound: str) -> None:
    """Refuse (403) unless the origin is right and the form's token is the session's."""
    if not origin_allowed(request):
        raise CsrfRefused
    if not _equal(await submitted_token(request), bound):
        raise CsrfRefused


async def csrf_protect(request: Request) -> None:
    """Dependency of every route of a double-submit application (the portal): unsafe methods
    must carry a valid token."""
    if request.method in SAFE_METHODS:
        return
    await check_double_submit(request)
