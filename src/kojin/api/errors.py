"""The one HTTP error shape and the one place that maps errors to status codes.

Every error response has the body ``{"error": {"code": ..., "message": ..., "fields": [...]}}``.
Bodies never carry tracebacks, request values or personal data: a 422 names the field (its
location in the request) and what is wrong with it, never the value that was sent. An exception
kojin did not raise on purpose becomes a generic 500 whose body says nothing about the cause
(R-SEC-2: leak prevention by secure design).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kojin import errors

logger = logging.getLogger("kojin.api.errors")

#: kojin's exception classes and the status each one maps to; the first match wins.
STATUS_BY_ERROR: tuple[tuple[type[errors.KojinError], int], ...] = (
    (errors.InputError, 422),
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.PermissionDeniedError, 403),
    (errors.AuthenticationError, 401),
    (errors.IntegrityError, 500),
    (errors.ConfigurationError, 500),
    (errors.KojinError, 400),
)

#: error codes for HTTP statuses raised by the framework itself (unknown route, wrong method).
CODE_BY_STATUS: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}

GENERIC_500_MESSAGE = "internal error; the failure was logged without request data"

#: a location segment is shown only if it looks like a field name; any other dictionary key
#: a client sent (which could be an e-mail address or a number) is replaced by a placeholder.
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}")
#: an unknown key (``extra_forbidden``) is client text by definition: it is shown only when it
#: reads like one of kojin's field names (lower-case words joined by underscores)
_UNKNOWN_KEY_SHOWN = re.compile(r"[a-z][a-z0-9_]{0,39}")
_HIDDEN_KEY = "<key>"


class ErrorField(BaseModel):
    """One problem with one field of the request: where it is and what is wrong, never its value."""

    field: str
    message: str
    type: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[ErrorField] = []


class ErrorBody(BaseModel):
    """The body of every error response kojin's API sends."""

    error: ErrorDetail


def error_response(
    status: int,
    *,
    code: str,
    message: str,
    fields: Sequence[ErrorField] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = ErrorBody(error=ErrorDetail(code=code, message=message, fields=list(fields)))
    return Response(
        content=body.model_dump_json(),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def status_for(exc: errors.KojinError) -> int:
    for error_class, status in STATUS_BY_ERROR:
        if isinstance(exc, error_class):
            return status
    return 400  # pragma: no cover - KojinError itself is in the table


def field_location(loc: Sequence[int | str], *, unknown_key: bool = False) -> str:
    """``("body", "recipient", "country")`` -> ``"body.recipient.country"``; odd keys hidden.

    With `unknown_key`, the last segment is a key the caller sent that kojin does not know; it
    is shown only when it reads like a field name.
    """
    parts: list[str] = []
    last = len(loc) - 1
    for index, segment in enumerate(loc):
        pattern = _UNKNOWN_KEY_SHOWN if unknown_key and index == last else _FIELD_NAME
        if isinstance(segment, int):
            parts.append(str(segment))
        elif pattern.fullmatch(segment):
            parts.append(segment)
        else:
            parts.append(_HIDDEN_KEY)
    return ".".join(parts)


def validation_fields(raw_errors: Sequence[Any]) -> list[ErrorField]:
    """Validation errors without their ``input`` and ``ctx`` (which may hold the values)."""
    fields: list[ErrorField] = []
    for raw in raw_errors:
        item = raw if isinstance(raw, dict) else {}
        loc = item.get("loc", ())
        kind = str(item.get("type", "value_error"))
        fields.append(
            ErrorField(
                field=field_location(
                    loc if isinstance(loc, (list, tuple)) else (),
                    unknown_key=kind == "extra_forbidden",
                ),
                message=str(item.get("msg", "invalid value")),
                type=kind,
            )
        )
    return fields


def body_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """A body model's validation errors as FastAPI reports them (``loc`` starting with body)."""
    return [
        {"loc": ("body", *error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


def kojin_error_response(exc: errors.KojinError) -> Response:
    status = status_for(exc)
    fields: list[ErrorField] = []
    if isinstance(exc, errors.InputError) and exc.field:
        fields.append(ErrorField(field=exc.field, message=exc.message, type=exc.code))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status >= 500:
        logger.error(
            "service error",
            extra={"error_class": type(exc).__name__, "error_code": exc.code},
        )
    return error_response(
        status, code=exc.code, message=exc.message, fields=fields, headers=headers
    )


def validation_error_response(exc: RequestValidationError) -> Response:
    fields = validation_fields(exc.errors())
    if fields:
        first = fields[0]
        message = f"{first.field}: {first.message}"
        if len(fields) > 1:
            message += f" (and {len(fields) - 1} more)"
    else:  # pragma: no cover - FastAPI always reports at least one error
        message = "the request does not validate"
    return error_response(422, code="invalid_input", message=message, fields=fields)


def http_error_response(exc: StarletteHTTPException) -> Response:
    code = CODE_BY_STATUS.get(exc.status_code, "error" if exc.status_code < 500 else "internal")
    detail = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code=code, message=detail, headers=exc.headers)


def internal_error_response() -> Response:
    return error_response(500, code="internal", message=GENERIC_500_MESSAGE)


async def _on_kojin_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.KojinError)
    return kojin_error_response(exc)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return validation_error_response(exc)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return http_error_response(exc)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; unexpected exceptions are answered by the access-log middleware."""
    app.add_exception_handler(errors.KojinError, _on_kojin_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
