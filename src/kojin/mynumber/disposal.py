"""Disposal by crypto-shredding, and vault-key rotation (R-MN-7).

Disposing of a record deletes its data key's row, nulls the number's ciphertext and purges its
identity-document images, in a vault transaction that runs with SQLite's ``secure_delete`` (the
bytes are overwritten, not left in free pages). The record row stays as the disposal record:
who, when, why and how, and no number. Each disposal is chained (``mynumber.disposed``).

A backup of the database taken before the disposal still holds the wrapped data key, so after
the commit :func:`rotate_vault_key` makes a new vault key current, re-wraps every remaining data
key under it and destroys every older key: the wrapped key in the backup can no longer be
unwrapped by any key that exists. :func:`dispose_and_shred` does both in that order.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Final

from sqlalchemy import delete, func, select, update

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.mynumber.handlers import HandlerScope, require_scope, text_sha256
from kojin.mynumber.models import (
    CRYPTO_SHREDDING,
    DISPOSED,
    DataKey,
    IdentityDocumentImage,
)
from kojin.mynumber.records import load_record, record_out, require_active, require_all_affairs
from kojin.mynumber.schemas import RecordOut, RotationOut
from kojin.mynumber.sealing import lock_for_rewrapping
from kojin.mynumber.vault import Vault, VaultSessions

#: the actor of rotations kojin runs by itself
VAULT_ACTOR: Final = "kojin:vault"
#: data keys re-wrapped per round trip
_BATCH: Final = 1_000


def dispose_records(
    *,
    vault: Vault,
    sessions: VaultSessions,
    actor: str,
    record_ids: Collection[str],
    reason: str,
    scope: HandlerScope | None = None,
    now: datetime | None = None,
) -> list[RecordOut]:
    """Crypto-shred `record_ids` in the caller's transaction; returns the disposal records.

    Every record must exist (and, with a handler's `scope`, be wholly within the designation)
    and be active (ConflictError), or none is disposed of. After the commit, call
    :func:`rotate_vault_key` (or use :func:`dispose_and_shred`, which does).
    """
    moment = now or utcnow()
    ids = list(dict.fromkeys(record_ids))
    rows = [load_record(sessions.vault, rid, scope, for_update=True) for rid in ids]
    for row in rows:
        require_active(row)
        require_all_affairs(scope, row)
    keys = select(DataKey.record_id, DataKey.vault_key_id).where(DataKey.record_id.in_(ids))
    wrapped_under = dict(sessions.vault.execute(keys).all())
    sessions.vault.execute(delete(DataKey).where(DataKey.record_id.in_(ids)))
    unpurged = (
        select(IdentityDocumentImage.record_id, func.count())
        .where(IdentityDocumentImage.record_id.in_(ids), IdentityDocumentImage.purged_at.is_(None))
        .group_by(IdentityDocumentImage.record_id)
    )
    purged = {rid: int(count) for rid, count in sessions.vault.execute(unpurged)}
    sessions.vault.execute(
        update(IdentityDocumentImage)
        .where(IdentityDocumentImage.record_id.in_(ids), IdentityDocumentImage.purged_at.is_(None))
        .values(content_ct=None, nonce=None, purged_at=moment)
    )
    for row in rows:
        row.number_ct = None
        row.nonce = None
        row.status = DISPOSED
        row.active_subject = None
        row.disposed_at = moment
        row.disposed_by = actor
        row.disposal_reason = reason
        row.disposal_method = CRYPTO_SHREDDING
    sessions.vault.flush()
    for row in rows:
        append_entry(
            session=sessions.registry,
            actor=actor,
            action="mynumber.disposed",
            object_type="mynumber_record",
            object_id=row.id,
            details={
                "subject_id": row.subject_id,
                "affairs": row.affairs,
                "method": CRYPTO_SHREDDING,
                "vault_key_id": wrapped_under.get(row.id),
                "documents_purged": purged.get(row.id, 0),
                "reason_sha256": text_sha256(reason),
            },
            now=moment,
        )
    return [record_out(row) for row in rows]


def _rewrap_all(vault: Vault, current: str) -> int:
    """Re-wrap every data key not under `current`, in one vault transaction; returns how many."""
    done = 0
    after = ""
    with vault.store_transaction() as session:
        lock_for_rewrapping(session)
        while True:
            batch = (
                session.execute(
                    select(DataKey)
                    .where(DataKey.vault_key_id != current, DataKey.record_id > after)
                    .order_by(DataKey.record_id)
                    .limit(_BATCH)
                )
                .scalars()
                .all()
            )
            if not batch:
                return done
            for row in batch:
                data_key = vault.keys.unwrap(row.vault_key_id, row.wrapped)
                row.vault_key_id, row.wrapped = vault.keys.wrap(data_key)
            session.flush()
            done += len(batch)
            after = batch[-1].record_id


def rotate_vault_key(
    vault: Vault, *, actor: str = VAULT_ACTOR, now: datetime | None = None
) -> RotationOut:
    """Make a new vault key current, re-wrap every data key under it, destroy every older key
    that no data key uses any more, and chain ``mynumber.keys_rotated``.

    An older key some data key still names (one stored by a transaction that raced this one)
    is kept for the next rotation rather than destroyed.
    """
    current = vault.keys.rotate()
    rewrapped = _rewrap_all(vault, current)
    with vault.store.read() as session:
        in_use = set(session.execute(select(DataKey.vault_key_id).distinct()).scalars())
    destroyed = []
    for key_id in vault.keys.ids():
        if key_id != current and key_id not in in_use:
            vault.keys.destroy(key_id)
            destroyed.append(key_id)
    vault.checkpoint()
    with vault.transaction() as sessions:
        append_entry(
            session=sessions.registry,
            actor=actor,
            action="mynumber.keys_rotated",
            object_type="mynumber_vault",
            object_id=current,
            details={"rewrapped": rewrapped, "destroyed": destroyed},
            now=now or utcnow(),
        )
    return RotationOut(key_id=current, rewrapped=rewrapped, destroyed=destroyed)


def dispose_and_shred(
    *,
    vault: Vault,
    actor: str,
    record_ids: Collection[str],
    reason: str,
    handler: bool = False,
    now: datetime | None = None,
) -> list[RecordOut]:
    """Dispose of `record_ids` in a transaction of its own, then rotate the vault key (see the
    module docstring). With `handler`, `actor` must be a designated handler and the records
    wholly within the designation; without, the caller has checked the actor's role."""
    with vault.transaction() as sessions:
        scope = require_scope(vault=sessions.vault, actor=actor) if handler else None
        disposed = dispose_records(
            vault=vault,
            sessions=sessions,
            actor=actor,
            record_ids=record_ids,
            reason=reason,
            scope=scope,
            now=now,
        )
    rotate_vault_key(vault, actor=actor)
    return disposed
