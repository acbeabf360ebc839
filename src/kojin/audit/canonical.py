"""The canonical JSON encoding the chain hashes, identical to Python's

``json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")``

so that an auditor can recompute every hash with the standard library alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """Compact JSON with sorted keys, UTF-8, no ASCII escaping."""
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)


def format_ts(ts: datetime) -> str:
    """The timestamp as hashed: UTC with microseconds, e.g. ``2026-11-29T10:00:00.000000Z``."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_body(
    *,
    seq: int,
    ts: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: Mapping[str, Any],
    prev_hash: str,
) -> dict[str, Any]:
    """The hashed body of an entry as a plain dict (also the export line, without ``hash``)."""
    return {
        "seq": seq,
        "ts": format_ts(ts),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": dict(details),
        "prev_hash": prev_hash,
    }


def entry_hash(body: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical encoding of `body`."""
    return hashlib.sha256(canonical_json(body)).hexdigest()


def sha256_of(payload: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of any JSON-compatible mapping, for recording documents by hash."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()
