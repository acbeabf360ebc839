"""Shared pieces of the request services: encrypted columns, look-ups, history and audit.

Each encrypted value's context names the table, the column and the row
(``data_requests.name:<id>``), so a value copied to another row or column does not decrypt.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.errors import NotFoundError
from kojin.policy.model import Inquiries, Policy
from kojin.policy.model_base import CategoryScope, Lang
from kojin.registry.row_digest import row_digest
from kojin.requests.codes import email_index, normalize_reference, reference_index
from kojin.requests.kinds import RIGHTS_KINDS, RequestKind
from kojin.requests.models import DataRequest, RequestEvent
from kojin.requests.states import RequestState

#: the one answer to a reference, an e-mail or an id that does not open a request
REQUEST_NOT_FOUND: Final = "request not found"
#: the actor the audit chain names for the person (never their name or e-mail)
REQUESTER: Final = "requester"
#: the columns holding what the person typed, each ``<name>_enc``
PERSONAL_COLUMNS: Final = (
    "email",
    "name",
    "furigana",
    "phone",
    "postal_code",
    "address",
    "details",
    "agent_name",
)


def context(table: str, column: str, row_id: str) -> str:
    return f"{table}.{column}:{row_id}"


def put(cipher: FieldCipher, row: DataRequest, column: str, value: str | None) -> None:
    """Encrypt `value` into ``row.<column>_enc`` under the row's key id (None clears it)."""
    stored = (
        None
        if value is None
        else cipher.encrypt(
            value, context=context("data_requests", column, row.id), key_id=row.key_id
        )
    )
    setattr(row, f"{column}_enc", stored)


def get(cipher: FieldCipher, row: DataRequest, column: str) -> str | None:
    """Decrypt ``row.<column>_enc`` (None when empty)."""
    stored: str | None = getattr(row, f"{column}_enc")
    if stored is None:
        return None
    return cipher.decrypt(stored, context=context("data_requests", column, row.id))


def seal_bytes(cipher: FieldCipher, data: bytes, *, where: str, key_id: str) -> bytes:
    """Encrypt a document for the row and column `where` names."""
    return cipher.encrypt_bytes(data, context=where, key_id=key_id)


def open_bytes(cipher: FieldCipher, stored: bytes, *, where: str) -> bytes:
    """Decrypt what :func:`seal_bytes` wrote."""
    return cipher.decrypt_bytes(stored, context=where)


def new_id() -> str:
    return uuid.uuid4().hex


def short_id(request_id: str) -> str:
    """The id staff read out: ``R-`` and its first eight hex digits, upper-case."""
    return f"R-{request_id[:8].upper()}"


def text_digest(row_id: str, value: str) -> str:
    """The digest the chain holds for a text typed about a row (bound to the row's id, so the
    same short text on two requests gives two digests)."""
    return row_digest({"id": row_id, "value": value}, ("id", "value"))


def lang_of(row: DataRequest) -> Lang:
    return "ja" if row.lang == "ja" else "en"


def inquiries_for(policy: Policy, row: DataRequest) -> Inquiries:
    """The policy's inquiry section a request falls under: the specific personal data one for
    a category of that scope (My Number), the general one otherwise."""
    category = None if row.category is None else policy.category(row.category)
    special = policy.specific_personal
    if (
        special is not None
        and category is not None
        and category.scope is CategoryScope.SPECIFIC_PERSONAL
    ):
        return special.inquiries
    return policy.general.inquiries


def needs(row: DataRequest) -> tuple[bool, bool]:
    """(needs_identity, needs_fee) of a request: identity documents for the rights requests,
    a fee when one was due at submission."""
    return RequestKind(row.kind) in RIGHTS_KINDS, bool(row.fee_yen)


def load(session: Session, request_id: str, *, for_update: bool = False) -> DataRequest:
    """The request `request_id` (row-locked with `for_update`, so that two people cannot move
    it from the same state at once); NotFoundError for an unknown or malformed id."""
    valid = len(request_id) == 32 and all(c in "0123456789abcdef" for c in request_id)
    row = session.get(DataRequest, request_id, with_for_update=for_update) if valid else None
    if row is None:
        raise NotFoundError(REQUEST_NOT_FOUND)
    return row


def by_reference(session: Session, cipher: FieldCipher, reference: str) -> DataRequest | None:
    """The request a typed reference opens, or None."""
    canonical = normalize_reference(reference)
    if canonical is None:
        return None
    query = select(DataRequest).where(
        DataRequest.reference_bidx == reference_index(cipher, canonical)
    )
    return session.execute(query).scalars().first()


def for_requester(
    session: Session, cipher: FieldCipher, *, reference: str, email: str
) -> DataRequest:
    """The request opened by its reference and the e-mail it was made with; the same
    NotFoundError when either is wrong (or the personal data was purged)."""
    row = by_reference(session, cipher, reference)
    typed = email_index(cipher, email.strip())
    stored = row.email_bidx if row is not None else None
    if row is None or stored is None or not hmac.compare_digest(stored, typed):
        raise NotFoundError(REQUEST_NOT_FOUND)
    return row


def record_step(
    *,
    session: Session,
    cipher: FieldCipher,
    row: DataRequest,
    actor: str,
    action: str,
    from_state: RequestState | None,
    to_state: RequestState | None,
    now: datetime,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> RequestEvent:
    """Keep a step in the request's history and chain it as ``request.<action>``: ids, the
    kind, the states and digests, never a value the person or staff typed."""
    steps = session.execute(
        select(func.count()).select_from(RequestEvent).where(RequestEvent.request_id == row.id)
    ).scalar_one()
    event = RequestEvent(
        id=new_id(),
        request_id=row.id,
        seq=int(steps) + 1,
        at=now,
        actor=actor,
        action=action,
        from_state=None if from_state is None else from_state.value,
        to_state=None if to_state is None else to_state.value,
    )
    if note is not None:
        event.note_enc = cipher.encrypt(
            note, context=context("request_events", "note", event.id), key_id=row.key_id
        )
    session.add(event)
    chained: dict[str, Any] = {
        "kind": row.kind,
        "event_id": event.id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        **(details or {}),
    }
    if note is not None:
        chained["note_sha256"] = text_digest(event.id, note)
    append_entry(
        session=session,
        actor=actor,
        action=f"request.{action}",
        object_type="data_request",
        object_id=row.id,
        details=chained,
    )
    return event
