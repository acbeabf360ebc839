"""Shared pieces of the register's services: the name's matching key, encrypted columns, look-ups
and the audit chain.

Each encrypted value's context names the table, the column and the row
(``recipients.details:<id>``), so a value copied elsewhere does not decrypt. The audit chain
names fields, kinds, results, counts and dates: never a name or a note.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.errors import NotFoundError
from kojin.registry.recipients.models import Recipient
from kojin.registry.subjects.text import is_row_id

#: the one answer to an id that names no recipient
RECIPIENT_NOT_FOUND: Final = "recipient not found"
#: the audit chain's object type
OBJECT_TYPE: Final = "recipient"

#: legal-form words that do not tell two companies apart (株式会社 ABC = ABC Co., Ltd.)
_LEGAL_FORMS: Final = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|\(株\)|\(有\)|㈱|㈲"
    r"|\b(?:co|corp|corporation|inc|incorporated|ltd|limited|llc|llp|plc|gmbh|ag|sa|sas|bv|kk"
    r"|pte|pty|company)\b"
)
#: what is left out of the key: spaces, punctuation, symbols
_NOISE: Final = re.compile(r"[\s\W_]+")


def normalized_name(name: str) -> str:
    """`name` as the register matches it: NFKC, case-folded, without legal-form words, spaces
    or punctuation (``株式会社 Example`` and ``Example Co., Ltd.`` match)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _LEGAL_FORMS.sub(" ", text)
    stripped = _NOISE.sub("", text)
    return stripped or _NOISE.sub("", unicodedata.normalize("NFKC", name).casefold())


def match_key(name: str) -> str:
    """The SHA-256 (hex) of :func:`normalized_name`: how decisions find a recipient."""
    return hashlib.sha256(normalized_name(name).encode("utf-8")).hexdigest()


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


def load(session: Session, recipient_id: str, *, for_update: bool = False) -> Recipient:
    """The recipient `recipient_id`; NotFoundError for an unknown or malformed id."""
    row = (
        session.get(Recipient, recipient_id, with_for_update=for_update)
        if is_row_id(recipient_id)
        else None
    )
    if row is None:
        raise NotFoundError(RECIPIENT_NOT_FOUND)
    return row


def chain(
    *,
    session: Session,
    row: Recipient,
    actor: str,
    action: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Append `action` (``recipient.…``) for `row` to the audit chain with `details` (field
    names, kinds, results, dates, booleans; never a name or a note)."""
    append_entry(
        session=session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details=details or {},
        now=now,
    )
