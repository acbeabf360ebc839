"""Shared pieces of the audit services: encrypted columns, look-ups and the audit chain.

Each encrypted value's context names the table, the column and the row
(``audits.lead_auditor:<id>``), so a value copied to another row or column does not decrypt.
The audit chain names control ids, results, counts and dates: never a value an auditor typed
or a person's name.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Any, Final, TypeVar

from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import Base
from kojin.errors import NotFoundError
from kojin.management.audits.models import Audit
from kojin.registry.subjects.text import is_row_id
from kojin.requests.clock import TOKYO

#: the audit chain's object types
OBJECT_AUDIT: Final = "internal_audit"
OBJECT_ACTION: Final = "audit_action"

T = TypeVar("T", bound=Base)


def new_id() -> str:
    return uuid.uuid4().hex


def context(table: str, column: str, row_id: str) -> str:
    return f"{table}.{column}:{row_id}"


def seal(cipher: FieldCipher, table: str, column: str, row_id: str, key_id: str, value: str) -> str:
    """`value` encrypted for ``<table>.<column>:<row_id>`` under `key_id`."""
    return cipher.encrypt(value, context=context(table, column, row_id), key_id=key_id)


def unseal(cipher: FieldCipher, table: str, column: str, row_id: str, stored: str) -> str:
    """What :func:`seal` encrypted."""
    return cipher.decrypt(stored, context=context(table, column, row_id))


def unseal_opt(
    cipher: FieldCipher, table: str, column: str, row_id: str, stored: str | None
) -> str | None:
    return None if stored is None else unseal(cipher, table, column, row_id, stored)


def text_sha256(value: str) -> str:
    """The digest the chain keeps of a text (never the text)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def load(
    session: Session, model: type[T], row_id: str, what: str, *, for_update: bool = False
) -> T:
    """The row `row_id` of `model`; NotFoundError (``<what> not found``) for an unknown or
    malformed id."""
    row = session.get(model, row_id, with_for_update=for_update) if is_row_id(row_id) else None
    if row is None:
        raise NotFoundError(f"{what} not found")
    return row


def tokyo_today(now: datetime) -> date:
    return now.astimezone(TOKYO).date() if now.tzinfo else now.replace(tzinfo=UTC).date()


def chain(
    *,
    session: Session,
    audit: Audit,
    actor: str,
    action: str,
    now: datetime,
    details: dict[str, Any] | None = None,
    object_type: str = OBJECT_AUDIT,
    object_id: str | None = None,
) -> None:
    """Chain `action` (``audit.…``) on `audit` (or on `object_id`) with `details` (ids,
    control ids, results, counts, dates and digests only)."""
    append_entry(
        session=session,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id or audit.id,
        details={"audit": audit.reference, **(details or {})},
        now=now,
    )
