"""Key rotation of the management reviews: :data:`REVIEWS_STORE` is an
:class:`~kojin.registry.keys.EncryptedStore` for :func:`kojin.registry.keys.rotate_keys`
(``kojin keys rotate`` names it), so that a rotation leaves no review's text (the top
manager's name, the decisions, the office's notes) under an older key."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.management.review.models import ManagementReview
from kojin.management.review.service import seal_details, unseal_details
from kojin.registry.keys import EncryptedStore


def count_stale_reviews(*, session: Session, cipher: FieldCipher) -> int:
    """How many reviews' texts are still under an older key."""
    query = select(func.count()).select_from(ManagementReview)
    return int(
        session.execute(query.where(ManagementReview.key_id != cipher.current_key_id)).scalar_one()
    )


def reencrypt_reviews(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` reviews not yet under the current key; how many."""
    rows = (
        session.execute(
            select(ManagementReview)
            .where(ManagementReview.key_id != cipher.current_key_id)
            .order_by(ManagementReview.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    current = cipher.current_key_id
    for row in rows:
        details = unseal_details(cipher, row.id, row.details_enc)
        row.details_enc = seal_details(cipher, row.id, current, details)
        row.key_id = current
    session.flush()
    return len(rows)


REVIEWS_STORE: Final = EncryptedStore("management_reviews", count_stale_reviews, reencrypt_reviews)
