"""Shared pieces of the request services: encrypted columns, look-ups, history and audit, and
re-encryption under a new key after a rotation.

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
from kojin.requests.models import DataRequest, RequestDocument, RequestEvent
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
#: every encrypted column of a request, each ``<name>_enc``
ENCRYPTED_COLUMNS: Final = (
    "reference",
    *PERSONAL_COLUMNS,
    "fee_reference",
    "refusal_explanation",
    "outcome",
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


def count_stale_requests(*, session: Session, cipher: FieldCipher) -> int:
    """How many requests and documents are still encrypted under an older key."""
    current = cipher.current_key_id
    requests = select(func.count()).select_from(DataRequest).where(DataRequest.key_id != current)
    documents = (
        select(func.count()).select_from(RequestDocument).where(RequestDocument.key_id != current)
    )
    return int(session.execute(requests).scalar_one()) + int(
        session.execute(documents).scalar_one()
    )


def _reencrypt_request(session: Session, cipher: FieldCipher, row: DataRequest) -> None:
    """The request's columns and its history's notes under the current key."""
    values = {column: get(cipher, row, column) for column in ENCRYPTED_COLUMNS}
    row.key_id = cipher.current_key_id
    for column, value in values.items():
        put(cipher, row, column, value)
    events = session.execute(
        select(RequestEvent).where(
            RequestEvent.request_id == row.id, RequestEvent.note_enc.is_not(None)
        )
    ).scalars()
    for event in events:
        where = context("request_events", "note", event.id)
        note = cipher.decrypt(event.note_enc or "", context=where)
        event.note_enc = cipher.encrypt(note, context=where, key_id=row.key_id)


def reencrypt_requests(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` requests (with their history's notes) and documents not yet
    under the current key; returns how many. Call repeatedly (one transaction each) until it
    returns 0; the older keys must stay in the keyring until then. The blind indexes do not
    change (the index key is not rotated)."""
    current = cipher.current_key_id
    rows = (
        session.execute(
            select(DataRequest)
            .where(DataRequest.key_id != current)
            .order_by(DataRequest.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        _reencrypt_request(session, cipher, row)
    documents = (
        session.execute(
            select(RequestDocument)
            .where(RequestDocument.key_id != current)
            .order_by(RequestDocument.id)
            .limit(limit - len(rows))
        )
        .scalars()
        .all()
        if len(rows) < limit
        else []
    )
    for doc in documents:
        if doc.content_enc:  # emptied after the holding period: nothing to re-encrypt
            where = context("request_documents", "content", doc.id)
            content = open_bytes(cipher, doc.content_enc, where=where)
            doc.content_enc = seal_bytes(cipher, content, where=where, key_id=current)
        doc.key_id = current
    session.flush()
    return len(rows) + len(documents)
