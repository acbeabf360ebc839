"""Key rotation: a new current data key, then every subject re-encrypted under it, then each
further store the caller names (the layers above the registry hold encrypted tables of their own:
requests, the mail outbox; the registry does not import them, they are passed in).

The keyring is saved with the new key first (older keys kept), so a rotation interrupted at
any point leaves every row readable; running it again finishes the work under a fresh key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.crypto.keys_folder import adopt_legacy_keys
from kojin.db.uow import Database
from kojin.errors import ConfigurationError
from kojin.registry.subjects.service import count_stale_subjects, reencrypt_subjects
from kojin.settings import Settings


class CountStale(Protocol):
    """How many rows of a store are still under an older key."""

    def __call__(self, *, session: Session, cipher: FieldCipher) -> int: ...


class Reencrypt(Protocol):
    """Re-encrypt up to `limit` rows of a store under the current key; how many it did."""

    def __call__(self, *, session: Session, cipher: FieldCipher, limit: int) -> int: ...


@dataclass(frozen=True, slots=True)
class EncryptedStore:
    """Tables holding values under the field cipher, re-encrypted in batches by a rotation."""

    name: str
    count_stale: CountStale
    reencrypt: Reencrypt


SUBJECTS = EncryptedStore("subjects", count_stale_subjects, reencrypt_subjects)


@dataclass(frozen=True, slots=True)
class RotationResult:
    """What a rotation did: `reencrypted` subjects, and the rows of each further store."""

    previous_key_id: str
    key_id: str
    reencrypted: int
    stores: dict[str, int] = field(default_factory=dict)


def rotate_keys(
    *,
    settings: Settings,
    database: Database,
    actor: str,
    batch_size: int = 500,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    stores: Sequence[EncryptedStore] = (),
) -> RotationResult:
    """Add a new data key, make it current and re-encrypt every subject under it in batches,
    then the rows of each of `stores` (one transaction per batch)."""
    if settings.master_key is not None:
        raise ConfigurationError(
            "keys come from KOJIN_MASTER_KEY: rotate by re-encrypting with a keyring file instead"
        )
    adopt_legacy_keys(settings)
    old = Keyring.read(keyring_path(settings))
    new = old.with_new_key()
    new.save()
    cipher = FieldCipher(new)
    every = (SUBJECTS, *stores)
    with database.read() as session:
        total = sum(store.count_stale(session=session, cipher=cipher) for store in every)
    if on_total is not None:
        on_total(total)
    done: dict[str, int] = {}
    for store in every:
        done[store.name] = 0
        while True:
            with database.uow() as session:
                count = store.reencrypt(session=session, cipher=cipher, limit=batch_size)
            if count == 0:
                break
            done[store.name] += count
            if on_progress is not None:
                on_progress(count)
    subjects = done.pop(SUBJECTS.name)
    with database.uow() as session:
        append_entry(
            session=session,
            actor=actor,
            action="keys.rotated",
            object_type="keyring",
            object_id=new.current,
            details={"previous_key_id": old.current, "reencrypted": subjects, "stores": done},
        )
    return RotationResult(
        previous_key_id=old.current, key_id=new.current, reencrypted=subjects, stores=done
    )
