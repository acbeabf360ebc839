"""Error pages of the web applications: HTML, in the visitor's language, never echoing input.

Each page says what happened and what to do next in fixed words from the catalogue
(``common.error.<status>``, or ``common.error.csrf`` for a refused form); nothing the request
carried (path, query, form values) is shown. An unexpected exception becomes the 500 page; the
API's access log, outside, logs its class and code location (never its message).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kojin import errors
from kojin.api.errors import STATUS_BY_ERROR
from kojin.web.headers import add_security_headers
from kojin.web.templating import render

log = logging.getLogger("kojin.web.errors")

#: statuses with a page of their own; any other is shown as the nearest of 400 and 500
PAGE_STATUSES = frozenset({400, 403, 404, 405, 409, 413, 415, 429, 500})
#: refusals with a page of their own, by the exception's ``detail``
REASONS = frozenset({"csrf"})

_FALLBACK = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>kojin</title></head>'
    "<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>"
)


def _page_status(status: int) -> int:
    if status in PAGE_STATUSES:
        return status
    return 500 if status >= 500 else 400


def error_page(
    request: Request,
    status: int,
    *,
    reason: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error page for `status` (and `reason`, one of :data:`REASONS`)."""
    key = reason if reason in REASONS else str(_page_status(status))
    try:
        response: Response = render(
            request,
            "errors/error.html",
            {
                "status": status,
                "error_key": key,
                # the switch leads to the start page: an error page repeats nothing it was sent
                "switch_path": str(request.scope.get("root_path", "")).rstrip("/") + "/",
                "switch_query": "",
            },
            status_code=status,
            headers=headers,
        )
    except Exception as exc:  # the error page itself failed: a fixed page, the class logged
        log.error("error page failed: %s", type(exc).__name__)
        response = HTMLResponse(_FALLBACK, status_code=status, headers=dict(headers or {}))
    add_security_headers(response.headers)
    return response


def status_of(exc: errors.KojinError) -> int:
    for error_class, status in STATUS_BY_ERROR:
        if isinstance(exc, error_class):
            return 400 if status == 422 else status
    return 400  # pragma: no cover - KojinError is the last entry


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    reason = exc.detail if isinstance(exc.detail, str) else None
    return error_page(request, exc.status_code, reason=reason, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    return error_page(request, 400)


async def _kojin_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.KojinError)
    return error_page(request, status_of(exc))


async def _unexpected(request: Request, exc: Exception) -> Response:
    return error_page(request, 500)


def install_error_pages(app: FastAPI) -> None:
    """HTML error pages for every error `app` may answer."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(errors.KojinError, _kojin_error)
    app.add_exception_handler(Exception, _unexpected)
