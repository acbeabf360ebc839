"""A NUL character in a request's path or query is refused (422) before any route sees it.

PostgreSQL refuses a NUL in any text it is given, so an id or filter holding ``%00`` would
otherwise fail inside the database as a 500; no kojin value contains one. The error names the
query parameter (when its name reads like one) or the path, never the value.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from kojin.api.errors import ErrorField, error_response, field_location

_NUL_MESSAGE = "contains a NUL character (\\u0000)"


def nul_location(scope: Scope) -> str | None:
    """``path`` or ``query.<name>`` of the first NUL in the request's URL, or None."""
    if "\x00" in scope["path"]:
        return "path"
    query: bytes = scope.get("query_string", b"")
    if b"%00" not in query and b"\x00" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name:
            return "query.<key>"
        if "\x00" in value:
            return field_location(("query", name), unknown_key=True)
    return "query"  # pragma: no cover - parse_qsl decodes every %00 it was given


class NulInUrlMiddleware:
    """Answers 422 for a NUL in the path or the query (pure ASGI, two substring checks)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            where = nul_location(scope)
            if where is not None:
                field = ErrorField(field=where, message=_NUL_MESSAGE, type="value_error")
                response = error_response(
                    422,
                    code="invalid_input",
                    message=f"{where}: {_NUL_MESSAGE}",
                    fields=[field],
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
