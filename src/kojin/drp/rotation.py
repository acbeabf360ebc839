"""Key rotation for the protocol's one encrypted column: the status callback URLs.

:data:`DRP_STORE` is an :class:`~kojin.registry.keys.EncryptedStore` for
:func:`kojin.registry.keys.rotate_keys`: a rotation that does not include it leaves the URLs
under the older key, which must then stay in the keyring.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.drp.callbacks import url_context
from kojin.drp.models import DrpRequest
from kojin.registry.keys import EncryptedStore


def count_stale_drp_requests(*, session: Session, cipher: FieldCipher) -> int:
    """How many protocol requests are still under an older key."""
    query = (
        select(func.count())
        .select_from(DrpRequest)
        .where(DrpRequest.key_id != cipher.current_key_id)
    )
    return int(session.execute(query).scalar_one())


def reencrypt_drp_requests(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` callback URLs not yet under the current key; how many rows.
    Call repeatedly (one transaction each) until it returns 0."""
    current = cipher.current_key_id
    rows = (
        session.execute(
            select(DrpRequest)
            .where(DrpRequest.key_id != current)
            .order_by(DrpRequest.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        if row.status_callback_enc is not None:
            where = url_context(row.id)
            url = cipher.decrypt(row.status_callback_enc, context=where)
            row.status_callback_enc = cipher.encrypt(url, context=where, key_id=current)
        row.key_id = current
    session.flush()
    return len(rows)


DRP_STORE: Final = EncryptedStore("drp_requests", count_stale_drp_requests, reencrypt_drp_requests)
