"""Request bodies: how large (413) and of which media type (415), refused before they are read.

:class:`BodyLimitMiddleware` is a pure ASGI middleware in front of every route, the decision fast
path included. It looks at ``POST``, ``PUT`` and ``PATCH`` only (no route reads the body of
another method), and answers before the token is checked, from the headers alone:

- a body whose ``Content-Length`` is above the limit is answered 413 at once, nothing read;
- a body sent without a length (``Transfer-Encoding: chunked``) is counted as it streams in and
  answered 413 as soon as it passes the limit, so no more than the limit is ever held;
- a request that carries a body must say ``Content-Type: application/json`` (a ``charset``
  parameter, if any, must be ``utf-8``; ``+json`` types are not read), else 415.

The web pages (:data:`WEB_PREFIXES`, mounted by :func:`kojin.web.site.create_site`) post forms,
not JSON: this middleware leaves them to the web applications' own limits
(:mod:`kojin.web.body_limits`).

The CSV imports (:func:`is_csv_import`: the ledger's, :data:`CSV_IMPORT_PATH`, and an
incident's affected people, :data:`INCIDENT_PEOPLE_IMPORT`; the training roster and records,
:data:`TRAINING_IMPORTS`) read CSV: their limit is
``max_import_bytes`` instead of ``max_body_bytes``, and their body must be ``text/csv`` (any
``charset``, which the route reads). Its media type is checked when the route reads the body,
that is after the token is checked, so a caller without the right role learns nothing from it.

A limit passed while the route is reading raises :class:`BodyRefused`, an HTTP exception that
the installed error handler renders in kojin's error shape; the middleware answers it itself if
it reaches it.
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kojin.api.errors import http_error_response

#: the ledger import, whose body is CSV, not JSON
CSV_IMPORT_PATH = "/api/v1/ledger/import"
#: an incident's affected people, imported from CSV (any one path segment names the incident)
INCIDENT_PEOPLE_IMPORT = re.compile(r"/api/v1/incidents/[^/]+/people/import")
#: the training roster and training records, imported from CSV
TRAINING_IMPORTS = frozenset({"/api/v1/training/workers/import", "/api/v1/training/records/import"})

#: path prefixes of the web pages, which read forms and have limits of their own, and of the
#: Data Rights Protocol (signed ``text/plain`` bodies; :mod:`kojin.api.routers.drp` limits them)
WEB_PREFIXES = ("/admin", "/portal", "/static", "/drp")

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
_JSON = b"application/json"
_CSV = b"text/csv"


class BodyRefused(StarletteHTTPException):
    """413 or 415 for a request body; the message names the limit or the media type expected."""


def too_large(limit: int) -> BodyRefused:
    return BodyRefused(413, f"the request body is larger than {limit} bytes")


def wrong_media_type(expected: str) -> BodyRefused:
    return BodyRefused(415, f"the request body must be {expected}")


JSON_EXPECTED = "application/json (charset utf-8, if given)"
CSV_EXPECTED = "text/csv"


def media_type_is(value: bytes | None, expected: bytes, *, any_charset: bool = False) -> bool:
    """True when the Content-Type `value` is `expected`, with parameters allowed; the
    ``charset`` must be ``utf-8`` unless `any_charset`."""
    if value is None:
        return False
    if value == expected:
        return True
    media, _, params = value.partition(b";")
    if media.strip().lower() != expected:
        return False
    if any_charset:
        return True
    for param in params.split(b";"):
        name, _, param_value = param.partition(b"=")
        charset = param_value.strip().strip(b'"').lower()
        if name.strip().lower() == b"charset" and charset not in (b"utf-8", b"utf8"):
            return False
    return True


def is_web_path(path: str) -> bool:
    """True for a path of the web pages (a prefix of :data:`WEB_PREFIXES` or below it)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in WEB_PREFIXES)


def is_csv_import(path: str) -> bool:
    """True for a route whose body is CSV (the ledger import, an incident's people import)."""
    return (
        path == CSV_IMPORT_PATH
        or path in TRAINING_IMPORTS
        or INCIDENT_PEOPLE_IMPORT.fullmatch(path) is not None
    )


def body_headers(scope: Scope) -> tuple[int | None, bool, bytes | None]:
    """What a request says about its body: declared length, chunked or not, Content-Type."""
    headers = dict(scope["headers"])  # names are lower-case in ASGI; servers refuse repeats
    declared = headers.get(b"content-length")
    length: int | None = None
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            length = None
    return length, b"transfer-encoding" in headers, headers.get(b"content-type")


class _CountingReceive:
    """`receive` that refuses a body past `limit` bytes and, optionally, of the wrong type."""

    __slots__ = ("limit", "receive", "received", "refusal_on_read")

    def __init__(self, receive: Receive, limit: int, refusal_on_read: BodyRefused | None) -> None:
        self.receive = receive
        self.limit = limit
        self.received = 0
        self.refusal_on_read = refusal_on_read

    async def __call__(self) -> Message:
        if self.refusal_on_read is not None:
            raise self.refusal_on_read
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                raise too_large(self.limit)
        return message


class BodyLimitMiddleware:
    """Body size and media type for every HTTP request (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_import_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_import_bytes = max_import_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in _WITH_BODY or is_web_path(scope["path"]):
            # no API route reads a body on other methods; the web pages check their own
            await self.app(scope, receive, send)
            return
        is_import = is_csv_import(scope["path"])
        limit = self.max_import_bytes if is_import else self.max_body_bytes
        length, chunked, content_type = body_headers(scope)
        carries_body = chunked or (length is not None and length > 0)
        refusal: BodyRefused | None = None
        if length is not None and length > limit:
            refusal = too_large(limit)
        elif not is_import and carries_body and not media_type_is(content_type, _JSON):
            refusal = wrong_media_type(JSON_EXPECTED)
        if refusal is not None:
            await http_error_response(refusal)(scope, receive, send)
            return
        on_read: BodyRefused | None = None
        if is_import and carries_body and not media_type_is(content_type, _CSV, any_charset=True):
            on_read = wrong_media_type(CSV_EXPECTED)
        if length is not None and on_read is None:
            # the server delivers exactly Content-Length bytes, already checked above
            await self.app(scope, receive, send)
            return
        await self._guarded(scope, _CountingReceive(receive, limit, on_read), send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_with_state(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_with_state)
        except BodyRefused as refusal:
            if started:
                raise
            await http_error_response(refusal)(scope, receive, send)
