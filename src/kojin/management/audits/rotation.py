"""Key rotation of internal audits: :data:`AUDITS_STORE` is an
:class:`~kojin.registry.keys.EncryptedStore` for :func:`kojin.registry.keys.rotate_keys`
(``kojin keys rotate`` names it), so that a rotation leaves no auditor's text and no person's
name of an audit, its checklist, findings or actions under an older key."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.management.audits.models import Audit, AuditAction, AuditFinding, AuditItem
from kojin.management.audits.records import seal, unseal
from kojin.registry.keys import EncryptedStore

Row = Audit | AuditItem | AuditFinding | AuditAction

#: each table's model and its encrypted columns (attribute ``<column>_enc``)
_TABLES: Final[tuple[tuple[type[Row], tuple[str, ...]], ...]] = (
    (Audit, ("lead_auditor", "summary")),
    (AuditItem, ("notes",)),
    (AuditFinding, ("description", "root_cause")),
    (AuditAction, ("action", "owner_person", "effectiveness")),
)


def count_stale_audits(*, session: Session, cipher: FieldCipher) -> int:
    """How many rows of the audit tables are still under an older key."""
    current = cipher.current_key_id
    return sum(
        int(
            session.execute(
                select(func.count()).select_from(model).where(model.key_id != current)
            ).scalar_one()
        )
        for model, _ in _TABLES
    )


def reencrypt_audits(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` rows not yet under the current key; how many. Call repeatedly
    (one transaction each) until it returns 0."""
    current = cipher.current_key_id
    done = 0
    for model, columns in _TABLES:
        if done >= limit:
            break
        rows = (
            session.execute(
                select(model)
                .where(model.key_id != current)
                .order_by(model.id)
                .limit(limit - done)
                .with_for_update()
            )
            .scalars()
            .all()
        )
        table = model.__tablename__
        for row in rows:
            row_id: str = getattr(row, "id")  # noqa: B009 - every audit table has these columns
            for column in columns:
                stored: str | None = getattr(row, f"{column}_enc")
                if stored is not None:
                    text = unseal(cipher, table, column, row_id, stored)
                    setattr(
                        row, f"{column}_enc", seal(cipher, table, column, row_id, current, text)
                    )
            setattr(row, "key_id", current)  # noqa: B010
        done += len(rows)
    session.flush()
    return done


AUDITS_STORE: Final = EncryptedStore("audits", count_stale_audits, reencrypt_audits)
