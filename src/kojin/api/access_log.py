"""Structured access log and the last line of defence against unexpected exceptions.

One JSON line per request on the ``kojin.access`` logger: method, path *template* (never the
raw path or its query values), status, duration and the id of the API token that made the call
(R-SEC-2, R-MN-9: login/access logs). Bodies are never logged. An exception that escapes the
application becomes a generic 500 and one ``kojin.api.errors`` line naming the exception class
and the code location: no traceback, no exception message (it may quote stored values).
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kojin.api.errors import internal_error_response

access_logger = logging.getLogger("kojin.access")
error_logger = logging.getLogger("kojin.api.errors")

#: key under ``scope["state"]`` where the authentication dependency leaves the caller's token id
ACTOR_STATE_KEY = "kojin_actor_token_id"
UNMATCHED_PATH = "<unmatched>"


def path_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_PATH


def where_raised(exc: BaseException) -> str:
    """``module.py:123`` of the innermost frame: enough to find the bug, nothing about the data."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


class AccessLogMiddleware:
    """Pure ASGI middleware (no per-request task or body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500
        response_started = False

        async def send_with_status(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = int(message["status"])
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        except Exception as exc:
            error_logger.error(
                orjson.dumps(
                    {
                        "event": "unexpected_error",
                        "error_class": type(exc).__name__,
                        "where": where_raised(exc),
                        "method": scope.get("method"),
                        "path": path_template(scope),
                    }
                ).decode()
            )
            status = 500
            if not response_started:
                await internal_error_response()(scope, receive, send)
        finally:
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    orjson.dumps(
                        {
                            "event": "access",
                            "method": scope.get("method"),
                            "path": path_template(scope),
                            "status": status,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                            "actor": state.get(ACTOR_STATE_KEY),
                        }
                    ).decode()
                )
