"""The digests the audit chain holds for subject flags, consents and withdrawals, recomputed from
the rows read back from the database (the contract ``kojin audit verify`` checks):

- ``subject.created`` / ``subject.flags_set``: ``flags_sha256 = row_digest(subject row,
  ("id", "stop_use", "stop_provision", "flags_updated_at"))``
- ``consent.recorded``: ``row_sha256 = row_digest(consent row, table_columns(Consent.__table__))``
- ``consent.withdrawn``: ``row_sha256 = row_digest(withdrawal row,
  table_columns(ConsentWithdrawal.__table__))``
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, cast

from sqlalchemy import Table, select, update

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.policy_facts import PolicyFacts
from kojin.policy import load_policy, to_facts
from kojin.registry.consents import (
    ConsentCreate,
    ConsentMethod,
    ForeignInformation,
    WithdrawalCreate,
    record_consent,
    withdraw_consent,
)
from kojin.registry.consents.models import Consent, ConsentWithdrawal
from kojin.registry.row_digest import row_digest, table_columns
from kojin.registry.subjects import FlagsUpdate, SubjectCreate, create_subject, set_flags
from kojin.registry.subjects.models import Subject, SubjectChange

POLICY: PolicyFacts = to_facts(load_policy(None))
FLAGS = ("id", "stop_use", "stop_provision", "flags_updated_at")
JST = timezone(timedelta(hours=9))
SUBJECTS = cast(Table, Subject.__table__)
CONSENTS = cast(Table, Consent.__table__)
WITHDRAWALS = cast(Table, ConsentWithdrawal.__table__)
CHANGES = cast(Table, SubjectChange.__table__)


def _stored(database: Database, table: Table, row_id: str) -> dict[str, Any]:
    """The row as the database holds it, read on a connection of its own."""
    with database.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == row_id)).mappings().one()
    return dict(row)


def _chained(database: Database, action: str) -> list[dict[str, Any]]:
    with database.read() as session:
        query = select(AuditEntry.details).where(AuditEntry.action == action)
        return [dict(d) for d in session.execute(query.order_by(AuditEntry.seq)).scalars()]


def _setup(database: Database, cipher: FieldCipher) -> tuple[str, str]:
    with database.uow() as session:
        subject = create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category="customer", email="d@example.jp"),
            policy=POLICY,
            actor="t",
        )
        consent = record_consent(
            session=session,
            consent_in=ConsentCreate(
                subject_id=subject.id,
                category="customer",
                purpose="provide_services",
                recipient="Acme Inc.",
                country="US",
                notice_version="2026-04",
                foreign_information=ForeignInformation(
                    country="US", country_system="doc:us", recipient_measures="m:1"
                ),
                method=ConsentMethod.ELECTRONIC_RECORD,
                by_representative=True,
                given_at=datetime(2026, 4, 1, 9, 30, 15, 123456, tzinfo=JST),
            ),
            policy=POLICY,
            actor="t",
        )
    return subject.id, consent.id


def test_flags_digests_match_the_stored_subject_row(
    database: Database, cipher: FieldCipher
) -> None:
    subject_id, _ = _setup(database, cipher)
    created = _chained(database, "subject.created")[0]
    assert created["flags_sha256"] == row_digest(_stored(database, SUBJECTS, subject_id), FLAGS)
    for flags in (FlagsUpdate(stop_use=True), FlagsUpdate(stop_provision=True, stop_use=False)):
        with database.uow() as session:
            set_flags(session=session, subject_id=subject_id, flags=flags, actor="t")
        last = _chained(database, "subject.flags_set")[-1]
        stored = _stored(database, SUBJECTS, subject_id)
        assert stored["flags_updated_at"] is not None
        assert last["flags_sha256"] == row_digest(stored, FLAGS)
    # the digest notices a flag changed behind kojin's back
    with database.engine.begin() as conn:
        conn.execute(update(SUBJECTS).where(SUBJECTS.c.id == subject_id).values(stop_use=True))
    assert last["flags_sha256"] != row_digest(_stored(database, SUBJECTS, subject_id), FLAGS)


def test_consent_and_withdrawal_digests_match_the_stored_rows(
    database: Database, cipher: FieldCipher
) -> None:
    _, consent_id = _setup(database, cipher)
    recorded = _chained(database, "consent.recorded")[0]
    stored = _stored(database, CONSENTS, consent_id)
    assert recorded["row_sha256"] == row_digest(stored, table_columns(CONSENTS))
    with database.uow() as session:
        withdraw_consent(
            session=session,
            consent_id=consent_id,
            withdrawal_in=WithdrawalCreate(
                method=ConsentMethod.EMAIL,
                withdrawn_at=datetime(2026, 5, 1, 0, 0, 0, 1, tzinfo=JST),
            ),
            actor="t",
        )
    withdrawn = _chained(database, "consent.withdrawn")[0]
    withdrawal = _stored(database, WITHDRAWALS, withdrawn["withdrawal_id"])
    assert withdrawal["consent_id"] == consent_id
    assert withdrawn["row_sha256"] == row_digest(withdrawal, table_columns(WITHDRAWALS))
    # a consent row rewritten in the database no longer matches its digest
    with database.engine.begin() as conn:
        conn.execute(
            update(CONSENTS).where(CONSENTS.c.id == consent_id).values(purpose="develop_services")
        )
    changed = _stored(database, CONSENTS, consent_id)
    assert recorded["row_sha256"] != row_digest(changed, table_columns(CONSENTS))


def test_text_digests_match_the_rows_that_keep_the_text(
    database: Database, cipher: FieldCipher
) -> None:
    subject_id, consent_id = _setup(database, cipher)
    with database.uow() as session:
        set_flags(
            session=session,
            subject_id=subject_id,
            flags=FlagsUpdate(stop_use=True, reference="REQ-2026-0042"),
            actor="t",
        )
    chained = _chained(database, "subject.flags_set")[0]
    change = _stored(database, CHANGES, chained["change_id"])
    assert change["reference"] == "REQ-2026-0042"
    assert chained["reference_sha256"] == row_digest(change, ("id", "reference"))
    recorded = _chained(database, "consent.recorded")[0]
    consent = _stored(database, CONSENTS, consent_id)
    assert recorded["notice_version_sha256"] == row_digest(consent, ("id", "notice_version"))
