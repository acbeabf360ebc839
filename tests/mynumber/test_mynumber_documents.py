"""Identity-document images: sealed under the record's data key, kept for the holding period,
purged by housekeeping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mynumber_support import HANDLER, chain, numbers, register
from sqlalchemy import select

from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError
from kojin.law.mynumber_vocabulary import IdentityDocument
from kojin.mynumber.envelope import Sealed, document_aad, unseal
from kojin.mynumber.models import IdentityDocumentImage
from kojin.mynumber.schemas import DocumentOut, HandlerOut, RecordOut
from kojin.mynumber.sealing import record_key
from kojin.mynumber.service import (
    add_document,
    housekeeping_step,
    list_documents,
    purge_expired_documents,
)
from kojin.mynumber.vault import Vault
from kojin.policy import load_policy
from kojin.requests.housekeeping import run_housekeeping

IMAGE = b"%PDF-1.7 a resident record copy"


@pytest.fixture
def record(vault: Vault, person: str, handler: HandlerOut) -> RecordOut:
    return register(vault, person, next(numbers(1, seed=3)))


def _add(vault: Vault, record_id: str, content: bytes = IMAGE) -> DocumentOut:
    with vault.transaction() as sessions:
        return add_document(
            vault=vault,
            sessions=sessions,
            actor=HANDLER,
            record_id=record_id,
            document_type=IdentityDocument.RESIDENT_RECORD_WITH_NUMBER,
            content_type="application/pdf",
            content=content,
            scope=None,
        )


def test_an_image_is_sealed_under_the_records_data_key(
    vault: Vault, database: Database, record: RecordOut
) -> None:
    out = _add(vault, record.id)
    assert out.size == len(IMAGE)
    days = vault.settings.mynumber_document_holding_days
    assert out.purge_after - out.added_at == timedelta(days=days)
    with vault.transaction() as sessions:
        row = sessions.vault.get(IdentityDocumentImage, out.id)
        assert row is not None
        assert row.content_ct is not None
        assert row.nonce is not None
        assert IMAGE not in row.content_ct
        key = record_key(vault, sessions.vault, record.id)
    sealed = Sealed(nonce=row.nonce, ciphertext=row.content_ct)
    assert unseal(key, sealed, aad=document_aad(record.id, out.id), what="x") == IMAGE
    entry = chain(database)[-1]
    assert entry.action == "mynumber.document_added"
    assert entry.details["size"] == len(IMAGE)
    with vault.read() as sessions:
        listed = list_documents(vault_session=sessions.vault, record_id=record.id, scope=None)
    assert listed == [out]


def test_images_past_their_holding_period_are_purged(
    vault: Vault, database: Database, record: RecordOut
) -> None:
    out = _add(vault, record.id)
    assert purge_expired_documents(vault=vault, now=out.purge_after - timedelta(seconds=1)) == 0
    assert purge_expired_documents(vault=vault, now=out.purge_after) == 1
    with database.read() as session:
        row = session.execute(select(IdentityDocumentImage)).scalars().one()
    assert (row.content_ct, row.nonce) == (None, None)
    assert row.purged_at == out.purge_after
    assert chain(database)[-1].details == {"document_ids": [out.id]}
    assert purge_expired_documents(vault=vault, now=out.purge_after + timedelta(days=1)) == 0


def test_housekeeping_purges_the_vaults_images(
    vault: Vault, database: Database, record: RecordOut
) -> None:
    out = _add(vault, record.id)
    step = housekeeping_step(lambda: vault)
    with database.uow() as session:
        report = run_housekeeping(
            session=session,
            policy=load_policy(),
            now=out.purge_after + timedelta(hours=1),
            more=(step,),
        )
    assert report.jobs_purged == 1
    actions = [e.action for e in chain(database)]
    assert actions[-2:] == ["mynumber.documents_purged", "housekeeping.purged"]


def test_no_image_is_kept_when_the_holding_period_is_zero(vault: Vault, record: RecordOut) -> None:
    vault.settings = vault.settings.model_copy(update={"mynumber_document_holding_days": 0})
    with pytest.raises(ConflictError, match="not kept"):
        _add(vault, record.id)


def test_an_empty_image_is_refused(vault: Vault, record: RecordOut) -> None:
    with pytest.raises(InputError, match="bytes"):
        _add(vault, record.id, b"")


def test_purge_runs_on_its_own_when_nothing_is_due(vault: Vault) -> None:
    assert purge_expired_documents(vault=vault, now=utcnow()) == 0
