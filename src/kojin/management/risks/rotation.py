"""Key rotation of the risk assessments: :data:`RISKS_STORE` is an
:class:`~kojin.registry.keys.EncryptedStore` for :func:`kojin.registry.keys.rotate_keys`
(``kojin keys rotate`` names it), so that a rotation leaves no risk text under an older key."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.management.risks.models import RiskAssessment
from kojin.management.risks.service import seal_details, unseal_details
from kojin.registry.keys import EncryptedStore


def count_stale_risks(*, session: Session, cipher: FieldCipher) -> int:
    """How many assessments' texts are still under an older key."""
    query = select(func.count()).select_from(RiskAssessment)
    return int(
        session.execute(query.where(RiskAssessment.key_id != cipher.current_key_id)).scalar_one()
    )


def reencrypt_risks(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` assessments not yet under the current key; how many. Call
    repeatedly (one transaction each) until it returns 0."""
    current = cipher.current_key_id
    rows = (
        session.execute(
            select(RiskAssessment)
            .where(RiskAssessment.key_id != current)
            .order_by(RiskAssessment.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        details = unseal_details(cipher, row.id, row.details_enc)
        row.details_enc = seal_details(cipher, row.id, current, details)
        row.key_id = current
    session.flush()
    return len(rows)


RISKS_STORE: Final = EncryptedStore("risk_assessments", count_stale_risks, reencrypt_risks)
