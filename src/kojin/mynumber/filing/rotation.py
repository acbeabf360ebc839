"""Key rotation of payments' fields: :data:`FILING_STORE` is an
:class:`~kojin.registry.keys.EncryptedStore` for :func:`kojin.registry.keys.rotate_keys`
(``kojin keys rotate`` names it), so that a rotation leaves no payment under an older key."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.mynumber.filing.models import FilingPayment
from kojin.mynumber.filing.payments import fields_context
from kojin.registry.keys import EncryptedStore


def count_stale_payments(*, session: Session, cipher: FieldCipher) -> int:
    """How many payments' fields are still under an older key."""
    query = (
        select(func.count())
        .select_from(FilingPayment)
        .where(FilingPayment.key_id != cipher.current_key_id)
    )
    return int(session.execute(query).scalar_one())


def reencrypt_payments(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` payments' fields not yet under the current key; how many.
    Call repeatedly (one transaction each) until it returns 0."""
    current = cipher.current_key_id
    rows = (
        session.execute(
            select(FilingPayment)
            .where(FilingPayment.key_id != current)
            .order_by(FilingPayment.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        where = fields_context(row.id)
        text = cipher.decrypt(row.fields_enc, context=where)
        row.fields_enc = cipher.encrypt(text, context=where, key_id=current)
        row.key_id = current
    session.flush()
    return len(rows)


FILING_STORE: Final = EncryptedStore("filing_payments", count_stale_payments, reencrypt_payments)
