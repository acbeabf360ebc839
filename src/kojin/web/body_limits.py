"""Request bodies of the web pages: forms only, and bounded (HTML 413 and 415 pages).

A pure ASGI middleware in front of each web application. A body (any method) must be a form:

- ``application/x-www-form-urlencoded``, at most :data:`FORM_LIMIT` (64 KiB);
- ``multipart/form-data`` (uploads), at most ``max_upload_bytes * 2 + 64 KiB``: two documents
  (identity and authority) and the form's fields;
- anything else is answered 415.

A declared ``Content-Length`` above the limit is answered at once, nothing read; a body without
one (chunked) is counted as it streams and refused as soon as it passes the limit.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kojin.api.body_limits import body_headers
from kojin.web.errors import error_page

FORM_LIMIT = 64 * 1024
_URLENCODED = b"application/x-www-form-urlencoded"
_MULTIPART = b"multipart/form-data"


def multipart_limit(max_upload_bytes: int) -> int:
    """The largest multipart body: two uploads and the form's fields."""
    return max_upload_bytes * 2 + FORM_LIMIT


class BodyRefused(HTTPException):
    """413 (too large) or 415 (not a form)."""

    def __init__(self, status_code: int) -> None:
        super().__init__(status_code=status_code, detail="body")


def _media_type(value: bytes | None) -> bytes:
    return (value or b"").partition(b";")[0].strip().lower()


class _CountingReceive:
    __slots__ = ("limit", "receive", "received")

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.received = 0

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                raise BodyRefused(413)
        return message


class WebBodyLimitMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, max_upload_bytes: int) -> None:
        self.app = app
        self.multipart_limit = multipart_limit(max_upload_bytes)

    def limit_for(self, media_type: bytes) -> int | None:
        if media_type == _URLENCODED:
            return FORM_LIMIT
        if media_type == _MULTIPART:
            return self.multipart_limit
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked, content_type = body_headers(scope)
        if not chunked and not length:
            await self.app(scope, receive, send)  # no body (GET, or an empty POST)
            return
        limit = self.limit_for(_media_type(content_type))
        if limit is None:
            await self._refuse(scope, receive, send, 415)
            return
        if length is not None and length > limit:
            await self._refuse(scope, receive, send, 413)
            return
        started = False

        async def send_with_state(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, _CountingReceive(receive, limit), send_with_state)
        except BodyRefused as refusal:
            if started:
                raise
            await self._refuse(scope, receive, send, refusal.status_code)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int) -> None:
        await error_page(Request(scope, receive), status)(scope, receive, send)
