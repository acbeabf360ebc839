"""JSON bodies kojin cannot store faithfully are refused (422), on every route that reads one.

Two kinds, both checked on the raw body before any model sees it:

- a key given twice within one object: JSON parsers keep the last of two equal keys without a
  word, so ``{"given": false, "given": true}`` would pass as consent;
- a value no registry database can hold: an integer beyond 64 bits (SQLite and PostgreSQL
  overflow), a NUL character (``\\u0000``, refused by PostgreSQL in any text) or a lone
  surrogate (``\\ud800``, not a character: it cannot be encoded as UTF-8), in a value or in a
  key. The error names the field, never the value.

:class:`UniqueKeysRoute` reads the body once (Starlette keeps it for the handler) and applies
:func:`check_json_body`; the decision route's own handler calls it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from kojin.api.errors import field_location
from kojin.errors import RequestError
from kojin.law.json_keys import duplicate_key, duplicate_key_message

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

#: a body needs the full walk only if it has an escape (``\\u0000``, ``\\ud800``) or a run of
#: digits long enough to leave 64 bits; most bodies have neither and cost two scans
_ESCAPE = b"\\u"
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_NINETEEN_DIGITS = b"0" * 19

_Location = tuple[int | str, ...]


def _bad_text(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (not a character)"
    return None


def unstorable_value(value: Any, location: _Location = ()) -> tuple[_Location, str] | None:
    """Where in the parsed JSON `value` the first value a database cannot store is, and why."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            return location, "integer out of range (64 bits)"
        return None
    if isinstance(value, str):
        problem = _bad_text(value)
        return (location, problem) if problem else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_value(item, (*location, index))
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _bad_text(key)
            if problem:
                return (*location, "<key>"), f"a key {problem}"
            found = unstorable_value(item, (*location, key))
            if found:
                return found
    return None


def refuse_unstorable_values(raw: bytes) -> None:
    """Raise :class:`RequestError` (422) naming the field of the first unstorable value."""
    if _ESCAPE not in raw and _NINETEEN_DIGITS not in raw.translate(_DIGITS_AS_ZERO):
        return
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        return  # not JSON: the body model reports it
    except ValueError:  # an integer of thousands of digits, refused by int() itself
        raise RequestError("body: integer out of range (64 bits)", field="body") from None
    found = unstorable_value(parsed)
    if found is not None:
        location, problem = found
        field = field_location(("body", *location))
        raise RequestError(f"{field}: {problem}", field=field)


async def check_json_body(raw: bytes) -> None:
    """Raise :class:`RequestError` (422) for a repeated key or a value kojin cannot store."""
    if not raw:
        return
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError("body: not UTF-8 text (JSON is UTF-8)", field="body") from None
    try:
        key = duplicate_key(raw)
    except RecursionError:
        raise RequestError("body: nested too deeply", field="body") from None
    if key is not None:
        raise RequestError(duplicate_key_message(key), field="body")
    refuse_unstorable_values(raw)


#: the name the decision route's handler calls; it checks everything :func:`check_json_body` does
refuse_duplicate_keys = check_json_body


class UniqueKeysRoute(APIRoute):
    """An API route whose JSON body may not repeat a key or hold a value kojin cannot store.

    A route that reads its body itself (no body model, such as the CSV import) is left to read
    it after its token is checked.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def handle(request: Request) -> Response:
            if request.method in _WITH_BODY:
                await check_json_body(await request.body())
            return await handler(request)

        return handle
