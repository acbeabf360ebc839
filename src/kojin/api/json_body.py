"""JSON bodies with a key given twice are refused (422), on every route that reads a body.

JSON parsers keep the last of two equal keys without a word, so ``{"given": false,
"given": true}`` would pass as consent. :class:`UniqueKeysRoute` reads the body once (Starlette
keeps it for the handler) and refuses it when a key repeats within one object.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from kojin.errors import RequestError
from kojin.law.json_keys import duplicate_key, duplicate_key_message

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


async def refuse_duplicate_keys(raw: bytes) -> None:
    """Raise :class:`RequestError` (422) when a key repeats within one object of `raw`."""
    key = duplicate_key(raw) if raw else None
    if key is not None:
        raise RequestError(duplicate_key_message(key), field="body")


class UniqueKeysRoute(APIRoute):
    """An API route whose JSON body may not repeat a key within one object."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            if request.method in _WITH_BODY:
                await refuse_duplicate_keys(await request.body())
            return await handler(request)

        return handle
