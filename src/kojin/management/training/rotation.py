"""Key rotation of the roster: :data:`WORKERS_STORE` is an
:class:`~kojin.registry.keys.EncryptedStore` for :func:`kojin.registry.keys.rotate_keys`
(``kojin keys rotate`` names it), so that a rotation leaves no worker's name under an older key."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.management.training.models import TrainingWorker
from kojin.management.training.service import seal_name, unseal_name
from kojin.registry.keys import EncryptedStore


def count_stale_workers(*, session: Session, cipher: FieldCipher) -> int:
    """How many workers' names are still under an older key."""
    query = select(func.count()).select_from(TrainingWorker)
    return int(
        session.execute(query.where(TrainingWorker.key_id != cipher.current_key_id)).scalar_one()
    )


def reencrypt_workers(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` workers' names not yet under the current key; how many. Call
    repeatedly (one transaction each) until it returns 0."""
    current = cipher.current_key_id
    rows = (
        session.execute(
            select(TrainingWorker)
            .where(TrainingWorker.key_id != current)
            .order_by(TrainingWorker.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        name = unseal_name(cipher, row.id, row.name_enc)
        row.name_enc = seal_name(cipher, row.id, current, name)
        row.key_id = current
    session.flush()
    return len(rows)


WORKERS_STORE: Final = EncryptedStore("training_workers", count_stale_workers, reencrypt_workers)
