"""Consents, withdrawals and stop flags written by their services, then changed, deleted or
slipped in behind kojin's back: :func:`kojin.registry.integrity.check_rows` names the row.

These rely on the services chaining the digests of what they store: ``consent.recorded`` and
``consent.withdrawn`` with ``row_sha256`` (the consent row, the withdrawal row), and
``subject.created`` / ``subject.flags_set`` with ``flags_sha256`` (the subject's id, stop_use,
stop_provision and flags_updated_at).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

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
from kojin.registry.integrity import RowCheckResult, RowProblem, check_rows
from kojin.registry.subjects import FlagsUpdate, SubjectCreate, create_subject, set_flags

POLICY: PolicyFacts = to_facts(load_policy(None))


def _check(database: Database) -> RowCheckResult:
    with database.read() as session:
        return check_rows(session=session)


def _tamper(database: Database, sql: str, **params: Any) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(sql), params)


def _registry(database: Database, cipher: FieldCipher) -> dict[str, str]:
    """A subject whose provision is stopped, a consent abroad and a withdrawn consent."""
    with database.uow() as session:
        subject_id = create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category="customer", email="taro@example.jp"),
            actor="t",
            policy=POLICY,
        ).id
        set_flags(
            session=session,
            subject_id=subject_id,
            flags=FlagsUpdate(stop_provision=True),
            actor="t",
        )
        kept = record_consent(
            session=session,
            consent_in=ConsentCreate(
                subject_id=subject_id,
                category="customer",
                country="US",
                notice_version="2026-01",
                foreign_information=ForeignInformation(
                    country="US", country_system="doc:1", recipient_measures="m:1"
                ),
                method=ConsentMethod.CHECKBOX,
            ),
            actor="t",
            policy=POLICY,
        )
        withdrawn = record_consent(
            session=session,
            consent_in=ConsentCreate(
                subject_id=subject_id,
                category="customer",
                notice_version="2026-01",
                method=ConsentMethod.WRITTEN,
            ),
            actor="t",
            policy=POLICY,
        )
        out = withdraw_consent(
            session=session,
            consent_id=withdrawn.id,
            withdrawal_in=WithdrawalCreate(method=ConsentMethod.EMAIL),
            actor="t",
        )
    withdrawal_id = _withdrawal_id(database, out.id)
    return {
        "subject": subject_id,
        "consent": kept.id,
        "withdrawn": withdrawn.id,
        "withdrawal": withdrawal_id,
    }


def _withdrawal_id(database: Database, consent_id: str) -> str:
    with database.read() as session:
        found = session.execute(
            text("SELECT id FROM consent_withdrawals WHERE consent_id = :c"), {"c": consent_id}
        ).scalar_one()
    return str(found)


def test_rows_written_by_the_services_match_their_digests(
    database: Database, cipher: FieldCipher
) -> None:
    _registry(database, cipher)
    result = _check(database)
    assert result.ok, result.reason
    # one subject's flags, two consents, one withdrawal: every one checked against a digest
    assert (result.checked, result.unchecked) == (4, 0)


@pytest.mark.parametrize(
    ("sql", "table", "row", "problem"),
    [
        (
            "UPDATE consents SET country = 'CN' WHERE id = :consent",
            "consents",
            "consent",
            RowProblem.CHANGED,
        ),
        (
            "UPDATE consents SET notice_version = '2020-01' WHERE id = :withdrawn",
            "consents",
            "withdrawn",
            RowProblem.CHANGED,
        ),
        (
            "DELETE FROM consent_withdrawals WHERE id = :withdrawal",
            "consent_withdrawals",
            "withdrawal",
            RowProblem.MISSING,
        ),
        (
            "UPDATE consent_withdrawals SET method = 'written' WHERE id = :withdrawal",
            "consent_withdrawals",
            "withdrawal",
            RowProblem.CHANGED,
        ),
        (
            "UPDATE subjects SET stop_provision = NOT stop_provision WHERE id = :subject",
            "subjects",
            "subject",
            RowProblem.CHANGED,
        ),
        (
            "UPDATE subjects SET stop_use = NOT stop_use WHERE id = :subject",
            "subjects",
            "subject",
            RowProblem.CHANGED,
        ),
    ],
    ids=[
        "consent-country",
        "consent-notice",
        "withdrawal-deleted",
        "withdrawal-method",
        "stop-provision-cleared",
        "stop-use-set",
    ],
)
def test_a_tampered_row_is_named(
    database: Database,
    cipher: FieldCipher,
    sql: str,
    table: str,
    row: str,
    problem: RowProblem,
) -> None:
    ids = _registry(database, cipher)
    _tamper(database, sql, **ids)
    mismatch = _check(database).first_mismatch
    assert mismatch is not None
    assert (mismatch.table, mismatch.row_id, mismatch.problem) == (table, ids[row], problem)


def test_a_withdrawal_slipped_in_is_named(database: Database, cipher: FieldCipher) -> None:
    ids = _registry(database, cipher)
    forged = uuid.uuid4().hex
    _tamper(
        database,
        "INSERT INTO consent_withdrawals (id, consent_id, method, withdrawn_at, recorded_at, "
        "recorded_by) SELECT :new, id, 'email', given_at, recorded_at, recorded_by FROM consents "
        "WHERE id = :consent",
        new=forged,
        consent=ids["consent"],
    )
    mismatch = _check(database).first_mismatch
    assert mismatch is not None
    assert (mismatch.table, mismatch.row_id, mismatch.problem) == (
        "consent_withdrawals",
        forged,
        RowProblem.UNRECORDED,
    )


def test_an_identifier_change_or_erasure_leaves_the_flags_matching(
    database: Database, cipher: FieldCipher
) -> None:
    """Only the flags are chained for a subject: re-encryption and erasure change other
    columns, which the check does not read."""
    ids = _registry(database, cipher)
    _tamper(database, "UPDATE subjects SET email_enc = NULL WHERE id = :subject", **ids)
    assert _check(database).ok
