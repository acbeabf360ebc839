"""Duplicate keys in a JSON request are an error, not "the last one wins".

JSON parsers (orjson, pydantic's) keep the last value of a repeated key silently, so
``{"consent": {"given": false, "given": true}}`` would read as consent. Callers check the raw text
here before they trust what a validator made of it.
"""

from __future__ import annotations

import json
import re
from typing import Any


class _DuplicateError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateError(key)
        found[key] = value
    return found


def duplicate_key(raw: str | bytes) -> str | None:
    """The first key repeated within one object of the JSON text `raw`, or None (also when `raw`
    is not JSON at all: the validator that follows reports that)."""
    try:
        json.loads(raw, object_pairs_hook=_unique_pairs)
    except _DuplicateError as error:
        return error.key
    except ValueError:
        return None
    return None


def may_repeat_keys(raw: str, distinct: int) -> bool:
    """False only when the JSON text `raw` certainly has no more than `distinct` keys, so a
    validator that found `distinct` different keys in it saw every key once. Cheap: it counts
    the quotes that close a key, and gives up (True) when whitespace stands before a colon."""
    if " :" in raw or "\t:" in raw or "\n:" in raw or "\r:" in raw:
        return True
    return raw.count('":') > distinct


def duplicate_key_message(key: str) -> str:
    """The error for a repeated key. The key is named only when it looks like a field name: a
    key is caller text and could hold anything."""
    named = f"the key '{key}'" if _FIELD_NAME.fullmatch(key) else "a key"
    return f"{named} appears twice in one object; give each key once"


_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
