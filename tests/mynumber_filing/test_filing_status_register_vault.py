"""The status register over the vault: records per affair (held, disposed of, overdue),
identity documents (held, purged, past their holding period), each export, departments and
access holders from the designations; never a number, a name or a person's id."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from filing_support import (
    HANDLER,
    NUMBERS,
    OFFICER,
    OTHER_HANDLER,
    REMUNERATION,
    USAGE,
    designate,
    end_affairs_on,
    make_payee,
    register,
)
from sqlalchemy import update

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.mynumber_vocabulary import IdentityDocument
from kojin.mynumber.disposal import dispose_and_shred
from kojin.mynumber.documents import add_document
from kojin.mynumber.filing.models import FilingExport
from kojin.mynumber.filing.retention import STATUTORY
from kojin.mynumber.filing.status_register import FileType, StatusRow, status_register
from kojin.mynumber.handlers import revoke_handler
from kojin.mynumber.vault import Vault
from kojin.policy import load_policy

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _register(vault: Vault) -> list[StatusRow]:
    with vault.read() as sessions:
        return status_register(
            sessions=sessions,
            policy=load_policy(),
            facts=vault.policy,
            rules=STATUTORY,
            today=NOW.date(),
            now=NOW,
        )


def test_the_register(vault: Vault, database: Database, cipher: FieldCipher) -> None:
    designate(vault, HANDLER, affairs=[REMUNERATION, USAGE], department="経理部")
    other = designate(vault, OTHER_HANDLER, affairs=[USAGE], department="総務部")
    people = [make_payee(database, cipher) for _ in range(4)]
    both = register(vault, people[0], NUMBERS[0], affairs=[REMUNERATION, USAGE])
    overdue = register(vault, people[1], NUMBERS[1])
    gone = register(vault, people[2], NUMBERS[2])
    register(vault, people[3], NUMBERS[3], affairs=[USAGE])
    end_affairs_on(vault, overdue, date(2025, 3, 31))
    dispose_and_shred(vault=vault, actor=OFFICER, record_ids=[gone], reason="test")
    with vault.transaction() as sessions:
        for moment in (NOW.replace(year=2025), NOW):
            add_document(
                vault=vault,
                sessions=sessions,
                actor=HANDLER,
                record_id=both,
                document_type=IdentityDocument.MY_NUMBER_CARD,
                content_type="image/png",
                content=b"\x89PNG image",
                scope=None,
                now=moment,
            )
        revoke_handler(sessions=sessions, actor=OFFICER, handler_id=other.id)
    with database.uow() as session:
        session.add(
            FilingExport(
                id="e" * 32,
                year=2017,
                affair=USAGE,
                kind="real_estate_usage",
                rows=3,
                payees=3,
                below_threshold=0,
                file_name="rent-2017.csv",
                sha256="0" * 64,
                exported_by=HANDLER,
                exported_at=datetime(2018, 1, 20, tzinfo=UTC),
            )
        )
    rows = {row.file_id: row for row in _register(vault)}
    remuneration = rows[f"records:{REMUNERATION}"]
    assert (remuneration.active, remuneration.disposed, remuneration.overdue) == (2, 1, 1)
    assert remuneration.responsible_department == "経理部"
    assert remuneration.access_holders == [HANDLER]
    usage = rows[f"records:{USAGE}"]
    assert (usage.active, usage.disposed, usage.overdue) == (2, 0, 0)
    assert usage.access_holders == [HANDLER]  # the other designation was revoked
    documents = rows["identity_documents"]
    assert documents.file_type is FileType.IDENTITY_DOCUMENTS
    assert (documents.active, documents.disposed, documents.overdue) == (2, 0, 1)
    export = rows["export:" + "e" * 32]
    # the filer's copy of 2017 is kept until 31 January 2025 (7 years from the deadline)
    assert export.deletion_status == "held past its retention (until 2025-01-31)"
    assert export.overdue == 1
    assert rows[f"records:{REMUNERATION}"].purpose == "報酬、料金、契約金及び賞金の支払調書作成事務"
    # the two other affairs of the policy are listed too, with nothing in them
    assert len([r for r in rows.values() if r.file_type is FileType.VAULT_RECORDS]) == 4
    text = json.dumps([r.model_dump(mode="json") for r in rows.values()], ensure_ascii=False)
    for secret in (*NUMBERS, *people, "山田"):
        assert secret not in text
    with database.uow() as session:
        session.execute(update(FilingExport).values(deleted_at=NOW, deleted_by=HANDLER))
    again = {row.file_id: row for row in _register(vault)}
    assert again["export:" + "e" * 32].deletion_status == "deleted 2026-12-01"
