"""Headers every web answer carries, and the access log's view of a mounted application.

:class:`SecurityHeadersMiddleware` adds, unless the answer set them itself: a Content-Security-
Policy that lets a page load only kojin's own files (no inline script or style, no framing,
forms only to kojin), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
``X-Frame-Options: DENY`` and ``Cache-Control: no-store`` (pages hold personal data, form
tokens, or both; the static files answer with their own long cache).

:class:`MountedRouteMiddleware` lets kojin's access log (:mod:`kojin.api.access_log`) name the
full path template of a page (``/admin/requests/{request_id}``) rather than the template inside
the mounted application (``/requests/{request_id}``); never the raw path.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def add_security_headers(headers: MutableHeaders) -> None:
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value


class SecurityHeadersMiddleware:
    """Adds :data:`SECURITY_HEADERS` to every answer of a web application."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass(frozen=True, slots=True)
class MountedRoute:
    """What the access log reads of a route: its full path template."""

    path: str


class MountedRouteMiddleware:
    """After a mounted application answered, names its route by the full template, or by the
    mount's prefix when no route of it matched (a 404, a static file)."""

    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        before = scope.get("route")
        try:
            await self.app(scope, receive, send)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None)
            if route is before or isinstance(route, Mount) or not isinstance(path, str):
                scope["route"] = MountedRoute(self.prefix)
            elif not isinstance(route, MountedRoute):
                scope["route"] = MountedRoute(self.prefix + path)
