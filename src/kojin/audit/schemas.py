"""Values the audit service takes and returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What to append: who (actor), what (action), on which object, with ids/hashes in details.

    `details` must hold ids, hashes, counts, codes and flags only: never personal data.
    """

    actor: str
    action: str
    object_type: str
    object_id: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AppendedEntry:
    """Where an event landed in the chain."""

    seq: int
    hash: str


class VerifyResult(BaseModel):
    """The outcome of walking the chain: intact, or the first bad entry and why."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None
    head_seq: int = 0
    head_hash: str | None = None
    #: signed checkpoints the chain was checked against
    checkpoints: int = 0
