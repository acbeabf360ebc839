"""Key rotation of the recipient register: the counting and re-encrypting functions that
``kojin keys rotate`` wraps as :class:`~kojin.registry.keys.EncryptedStore`\\ s (named
``recipients`` and ``recipient_checks``; the keys module sits above the register's layer), so
that a rotation leaves no recipient's name, details or check notes under an older key."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.registry.recipients.models import Recipient, RecipientCheck
from kojin.registry.recipients.records import seal, unseal

_RECIPIENT_COLUMNS: Final = ("name", "details")
_CHECK_COLUMNS: Final = ("notes", "actions")


def count_stale_recipients(*, session: Session, cipher: FieldCipher) -> int:
    """How many recipients' names and details are still under an older key."""
    query = select(func.count()).select_from(Recipient)
    return int(session.execute(query.where(Recipient.key_id != cipher.current_key_id)).scalar_one())


def count_stale_checks(*, session: Session, cipher: FieldCipher) -> int:
    """How many checks' notes are still under an older key."""
    query = select(func.count()).select_from(RecipientCheck)
    return int(
        session.execute(query.where(RecipientCheck.key_id != cipher.current_key_id)).scalar_one()
    )


def _reseal(
    cipher: FieldCipher,
    row: Recipient | RecipientCheck,
    table: str,
    columns: tuple[str, ...],
) -> None:
    current = cipher.current_key_id
    for column in columns:
        stored: str | None = getattr(row, f"{column}_enc")
        if stored is None:
            continue
        text = unseal(cipher, table, column, row.id, stored)
        setattr(row, f"{column}_enc", seal(cipher, table, column, row.id, current, text))
    row.key_id = current


def reencrypt_recipients(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` recipients not yet under the current key; how many. Call
    repeatedly (one transaction each) until it returns 0."""
    rows = (
        session.execute(
            select(Recipient)
            .where(Recipient.key_id != cipher.current_key_id)
            .order_by(Recipient.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        _reseal(cipher, row, "recipients", _RECIPIENT_COLUMNS)
    session.flush()
    return len(rows)


def reencrypt_checks(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` checks not yet under the current key; how many."""
    rows = (
        session.execute(
            select(RecipientCheck)
            .where(RecipientCheck.key_id != cipher.current_key_id)
            .order_by(RecipientCheck.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        _reseal(cipher, row, "recipient_checks", _CHECK_COLUMNS)
    session.flush()
    return len(rows)
