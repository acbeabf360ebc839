"""Key rotation: a new current data key, then every subject re-encrypted under it.

The keyring is saved with the new key first (older keys kept), so a rotation interrupted at
any point leaves every row readable; running it again finishes the work under a fresh key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.crypto.keys_folder import adopt_legacy_keys
from kojin.db.uow import Database
from kojin.errors import ConfigurationError
from kojin.registry.subjects.service import count_stale_subjects, reencrypt_subjects
from kojin.settings import Settings


@dataclass(frozen=True, slots=True)
class RotationResult:
    """What a rotation did."""

    previous_key_id: str
    key_id: str
    reencrypted: int


def rotate_keys(
    *,
    settings: Settings,
    database: Database,
    actor: str,
    batch_size: int = 500,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> RotationResult:
    """Add a new data key, make it current and re-encrypt every subject under it in batches."""
    if settings.master_key is not None:
        raise ConfigurationError(
            "keys come from KOJIN_MASTER_KEY: rotate by re-encrypting with a keyring file instead"
        )
    adopt_legacy_keys(settings)
    old = Keyring.read(keyring_path(settings))
    new = old.with_new_key()
    new.save()
    cipher = FieldCipher(new)
    with database.read() as session:
        total = count_stale_subjects(session=session, cipher=cipher)
    if on_total is not None:
        on_total(total)
    done = 0
    while True:
        with database.uow() as session:
            count = reencrypt_subjects(session=session, cipher=cipher, limit=batch_size)
        if count == 0:
            break
        done += count
        if on_progress is not None:
            on_progress(count)
    with database.uow() as session:
        append_entry(
            session=session,
            actor=actor,
            action="keys.rotated",
            object_type="keyring",
            object_id=new.current,
            details={"previous_key_id": old.current, "reencrypted": done},
        )
    return RotationResult(previous_key_id=old.current, key_id=new.current, reencrypted=done)
