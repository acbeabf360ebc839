"""Collecting an audit's evidence in a transaction of its own, with the My Number vault when
the company's policy has specific personal information (R-MN-7's evidence reads the vault's
records): the registry and the vault commit together (:meth:`Vault.transaction`)."""

from __future__ import annotations

from datetime import date, datetime

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.management.audits.schemas import AuditView
from kojin.management.audits.service import collect_evidence
from kojin.mynumber.filing.retention import RetentionRules
from kojin.mynumber.vault import Vault


def collect(
    *,
    database: Database,
    vault: Vault | None,
    retention: RetentionRules,
    cipher: FieldCipher,
    audit_id: str,
    actor: str,
    today: date | None = None,
    now: datetime | None = None,
) -> AuditView:
    """:func:`~kojin.management.audits.service.collect_evidence`, committed; through the
    `vault`'s transaction when one is given."""
    if vault is None:
        with database.uow() as session:
            return collect_evidence(
                session=session, cipher=cipher, audit_id=audit_id, actor=actor, today=today, now=now
            )
    with vault.transaction() as sessions:
        return collect_evidence(
            session=sessions.registry,
            cipher=cipher,
            audit_id=audit_id,
            actor=actor,
            vault=sessions.vault,
            retention=retention,
            today=today,
            now=now,
        )
