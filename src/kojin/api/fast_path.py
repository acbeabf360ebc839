"""``POST /api/v1/decisions`` served straight from the application's entry point.

The decision route is the one called thousands of times a second. Going through the framework's
stack costs a request about as much server time as recording it: the telemetry check, the
error, telemetry and body-limit middleware, the exception middleware with its exit stack,
routing over every route and the request/response wrapper. :class:`DecisionFastPath` hands
exactly ``POST /api/v1/decisions`` to the route's own handler (the same authentication, role
check, body model and rendering as :class:`kojin.api.routers.decisions.DecideRoute`), wrapped in
the same access log and body limits (size, media type) and with the same exception-to-response
mapping as the installed handlers.
Every other request, including a decision path with a trailing slash or under a root path, goes
through the full stack unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from kojin import errors
from kojin.api.access_log import AccessLogMiddleware
from kojin.api.body_limits import BodyLimitMiddleware
from kojin.api.errors import (
    http_error_response,
    kojin_error_response,
    validation_error_response,
)

RouteHandler = Callable[[Request], Coroutine[Any, Any, Response]]


class _RouteEndpoint:
    """One route's handler as a plain ASGI app, errors answered as the installed handlers do."""

    def __init__(self, route: APIRoute, handler: RouteHandler) -> None:
        self.route = route
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self.route  # the access log names the path template
        try:
            response = await self.handler(Request(scope, receive, send))
        except errors.KojinError as exc:
            response = kojin_error_response(exc)
        except RequestValidationError as exc:
            response = validation_error_response(exc)
        except StarletteHTTPException as exc:
            response = http_error_response(exc)
        await response(scope, receive, send)


class DecisionFastPath:
    """One exact ``(method, path)`` answered by `route`'s handler behind the access log and the
    body limits."""

    def __init__(
        self,
        route: APIRoute,
        *,
        max_body_bytes: int,
        max_import_bytes: int,
        method: str = "POST",
    ) -> None:
        self.method = method
        self.path = route.path
        self.endpoint = AccessLogMiddleware(
            BodyLimitMiddleware(
                _RouteEndpoint(route, route.get_route_handler()),
                max_body_bytes=max_body_bytes,
                max_import_bytes=max_import_bytes,
            )
        )

    def matches(self, scope: Scope) -> bool:
        """Only the exact path, with no root path for the routing to strip."""
        return (
            scope["type"] == "http"
            and scope["path"] == self.path
            and scope["method"] == self.method
            and not scope.get("root_path")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.endpoint(scope, receive, send)
