"""Images of the documents shown for the identity verification (MNA Art. 16; R-MN-4), kept
sealed under the record's data key and only for ``KOJIN_MYNUMBER_DOCUMENT_HOLDING_DAYS``.

:func:`purge_expired_documents` nulls the images past their time (housekeeping runs it through
:func:`housekeeping_step`); disposing of a record purges its images at once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.errors import ConfigurationError, ConflictError, InputError
from kojin.law.mynumber_vocabulary import IdentityDocument
from kojin.mynumber.envelope import document_aad, seal
from kojin.mynumber.handlers import HandlerScope
from kojin.mynumber.models import IdentityDocumentImage
from kojin.mynumber.records import load_record, require_active
from kojin.mynumber.schemas import DocumentOut
from kojin.mynumber.sealing import record_key
from kojin.mynumber.vault import Vault, VaultSessions, secure_delete
from kojin.policy.model import Policy
from kojin.requests.housekeeping import HOUSEKEEPING_ACTOR, PurgeStep

log = logging.getLogger("kojin.mynumber")

#: the largest image kept (bytes)
MAX_DOCUMENT_BYTES: Final = 10 * 1024 * 1024


def _out(row: IdentityDocumentImage) -> DocumentOut:
    return DocumentOut(
        id=row.id,
        record_id=row.record_id,
        document_type=row.document_type,
        content_type=row.content_type,
        size=row.size,
        added_at=row.added_at,
        added_by=row.added_by,
        purge_after=row.purge_after,
        purged_at=row.purged_at,
    )


def add_document(
    *,
    vault: Vault,
    sessions: VaultSessions,
    actor: str,
    record_id: str,
    document_type: IdentityDocument,
    content_type: str,
    content: bytes,
    scope: HandlerScope | None,
    now: datetime | None = None,
) -> DocumentOut:
    """Keep an image of a document shown for the record's verification, sealed under the
    record's data key, until the holding period ends. ConflictError when the holding period is
    0 (images are not kept) or the record was disposed of. Chained as ``mynumber.document_added``
    (type, size and purge time; never the content)."""
    days = vault.settings.mynumber_document_holding_days
    if days == 0:
        raise ConflictError(
            "identity-document images are not kept (KOJIN_MYNUMBER_DOCUMENT_HOLDING_DAYS is 0)"
        )
    if not content or len(content) > MAX_DOCUMENT_BYTES:
        raise InputError(
            f"a document image must hold 1 to {MAX_DOCUMENT_BYTES} bytes", field="content"
        )
    moment = now or utcnow()
    row = load_record(sessions.vault, record_id, scope)
    require_active(row)
    document_id = uuid.uuid4().hex
    data_key = record_key(vault, sessions.vault, row.id)
    sealed = seal(data_key, content, aad=document_aad(row.id, document_id))
    image = IdentityDocumentImage(
        id=document_id,
        record_id=row.id,
        document_type=document_type.value,
        content_type=content_type,
        size=len(content),
        content_ct=sealed.ciphertext,
        nonce=sealed.nonce,
        added_at=moment,
        added_by=actor,
        purge_after=moment + timedelta(days=days),
    )
    sessions.vault.add(image)
    sessions.vault.flush()
    append_entry(
        session=sessions.registry,
        actor=actor,
        action="mynumber.document_added",
        object_type="mynumber_document",
        object_id=document_id,
        details={
            "record_id": row.id,
            "subject_id": row.subject_id,
            "document_type": image.document_type,
            "size": image.size,
            "purge_after": image.purge_after.isoformat(),
        },
        now=moment,
    )
    return _out(image)


def list_documents(
    *, vault_session: Session, record_id: str, scope: HandlerScope | None
) -> list[DocumentOut]:
    """The record's document images (descriptions only), oldest first."""
    row = load_record(vault_session, record_id, scope)
    query = (
        select(IdentityDocumentImage)
        .where(IdentityDocumentImage.record_id == row.id)
        .order_by(IdentityDocumentImage.added_at, IdentityDocumentImage.id)
    )
    return [_out(image) for image in vault_session.execute(query).scalars()]


def _purge(sessions: VaultSessions, now: datetime, actor: str) -> int:
    secure_delete(sessions.vault)
    due = (
        sessions.vault.execute(
            select(IdentityDocumentImage.id).where(
                IdentityDocumentImage.purge_after <= now, IdentityDocumentImage.purged_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    if not due:
        return 0
    sessions.vault.execute(
        update(IdentityDocumentImage)
        .where(IdentityDocumentImage.id.in_(due))
        .values(content_ct=None, nonce=None, purged_at=now)
    )
    append_entry(
        session=sessions.registry,
        actor=actor,
        action="mynumber.documents_purged",
        object_type="mynumber_vault",
        object_id=now.isoformat(),
        details={"document_ids": sorted(due)},
        now=now,
    )
    return len(due)


def purge_expired_documents(
    *,
    vault: Vault,
    now: datetime | None = None,
    sessions: VaultSessions | None = None,
    actor: str = HOUSEKEEPING_ACTOR,
) -> int:
    """Null every document image past its holding period as of `now`; returns how many.
    In `sessions` when given, else in a vault transaction of its own. Chained as
    ``mynumber.documents_purged`` (the documents' ids) when any went."""
    moment = now or utcnow()
    if sessions is not None:
        return _purge(sessions, moment, actor)
    with vault.transaction() as own:
        return _purge(own, moment, actor)


def housekeeping_step(open_vault: Callable[[], Vault]) -> PurgeStep:
    """A housekeeping step (:data:`kojin.requests.housekeeping.PurgeStep`) that purges the
    vault's expired document images beside the registry's other purges, in the housekeeping
    unit of work (the vault's own database in a transaction of its own).

    `open_vault` is called at each run (a server opens its vault on first use). A vault that
    cannot be opened (its keys folder unusable) is logged and skipped, so that the registry's
    purges still run; the next run tries again.
    """

    def step(session: Session, _policy: Policy, now: datetime, actor: str) -> int:
        try:
            vault = open_vault()
        except (ConfigurationError, OSError) as exc:
            log.warning(
                "housekeeping: the My Number vault cannot be opened (%s)", type(exc).__name__
            )
            return 0
        if vault.shared:
            return _purge(VaultSessions(registry=session, vault=session), now, actor)
        with vault.store_transaction() as store:
            return _purge(VaultSessions(registry=session, vault=store), now, actor)

    return step
