"""Key rotation across every encrypted table: the registry's subjects
(:func:`kojin.registry.keys.rotate_keys`), then the requests with their documents and notes, and
the mail outbox. The registry sits below the requests and the mail, so the stores above it are
named here and handed to it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from kojin.db.uow import Database
from kojin.mail.service import count_stale_outbox, reencrypt_outbox
from kojin.registry.keys import EncryptedStore, RotationResult, rotate_keys
from kojin.requests.records import count_stale_requests, reencrypt_requests
from kojin.settings import Settings

#: the encrypted stores above the registry, in the order they are re-encrypted
STORES: Final = (
    EncryptedStore("requests", count_stale_requests, reencrypt_requests),
    EncryptedStore("mail_outbox", count_stale_outbox, reencrypt_outbox),
)


def rotate_all_keys(
    *,
    settings: Settings,
    database: Database,
    actor: str,
    batch_size: int = 500,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    more_stores: Sequence[EncryptedStore] = (),
) -> RotationResult:
    """Make a new data key current and re-encrypt the subjects, the requests (values, notes,
    documents) and the mail outbox under it, in batches; `stores` of the result counts the
    rows of the requests and the outbox."""
    return rotate_keys(
        settings=settings,
        database=database,
        actor=actor,
        batch_size=batch_size,
        on_total=on_total,
        on_progress=on_progress,
        stores=(*STORES, *more_stores),
    )
