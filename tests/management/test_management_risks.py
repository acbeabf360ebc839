"""Risk assessment per ledger row and lifecycle stage (R-PM-1, R-PM-2): residual risk, the
yearly review, stale when the ledger row changes, and the audit chain."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from management_support import ACTOR, TODAY, add_ledger_row, chain, risk_input, valid_my_number
from pydantic import ValidationError
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.errors import InputError, NotFoundError
from kojin.management.risks.models import RiskAssessment
from kojin.management.risks.rotation import RISKS_STORE
from kojin.management.risks.schemas import Stage
from kojin.management.risks.service import (
    assess_risk,
    get_risk,
    list_risks,
    review_risk,
    risks_due,
)
from kojin.policy import load_policy, to_facts
from kojin.registry.keys import rotate_keys
from kojin.registry.ledger.schemas import LedgerEntryUpdate
from kojin.registry.ledger.service import update_entry
from kojin.settings import Settings


def test_assess_review_and_stale(sqlite_database: Database, sqlite_cipher: FieldCipher) -> None:
    database, cipher = sqlite_database, sqlite_cipher
    with database.uow() as session:
        row = add_ledger_row(session)
        other = add_ledger_row(session, "従業員名簿")
        risk = assess_risk(
            session=session,
            cipher=cipher,
            ledger_entry_id=row,
            risk_in=risk_input(),
            actor=ACTOR,
            today=TODAY,
        )
    assert risk.score == 6
    assert risk.residual_score == 3
    assert not risk.high_residual
    assert risk.next_review == date(2028, 6, 1)
    assert risk.rule_ids == ["R-PM-11", "R-SEC-4"]
    assert not risk.stale
    assert not risk.review_overdue
    with database.read() as session:
        due = risks_due(session=session, cipher=cipher, today=TODAY)
    assert [u.ledger_entry_id for u in due.unassessed] == [other]
    assert due.stale == []
    assert due.overdue == []

    # the ledger row changes: the assessment is stale until reviewed
    with database.uow() as session:
        update_entry(
            session=session,
            entry_id=row,
            entry_in=LedgerEntryUpdate(record_count=5000),
            policy=to_facts(load_policy(None)),
            actor=ACTOR,
        )
    with database.read() as session:
        assert get_risk(session=session, cipher=cipher, risk_id=risk.id, today=TODAY).stale
        assert [r.id for r in risks_due(session=session, cipher=cipher, today=TODAY).stale] == [
            risk.id
        ]
    later = TODAY + timedelta(days=10)
    with database.uow() as session:
        reviewed = review_risk(
            session=session,
            cipher=cipher,
            risk_id=risk.id,
            risk_in=risk_input(residual_likelihood=3, residual_impact=3),
            actor="manager@example.jp",
            today=later,
        )
    assert not reviewed.stale
    assert reviewed.high_residual
    assert reviewed.assessed_on == later
    assert reviewed.next_review == date(2028, 6, 11)
    # a year and a day on, the review is overdue
    with database.read() as session:
        due = risks_due(session=session, cipher=cipher, today=date(2028, 6, 12))
        assert [r.id for r in due.overdue] == [risk.id]
        high = list_risks(session=session, cipher=cipher, today=later, high_only=True)
        assert [r.id for r in high] == [risk.id]
        assert list_risks(session=session, cipher=cipher, today=later, stage=Stage.USE) == []
        entries = chain(session)
    actions = [(e.action, e.actor) for e in entries if e.object_type == "risk_assessment"]
    assert actions == [("risk.assessed", ACTOR), ("risk.reviewed", "manager@example.jp")]
    reviewed_entry = entries[-1]
    assert reviewed_entry.details["fields"] == ["residual_likelihood"]
    assert reviewed_entry.details["residual_score"] == 9
    # what staff typed stays out of the chain
    text = str([e.details for e in entries])
    assert "委託先" not in text
    assert "情報システム部" not in text


def test_refusals(sqlite_database: Database, sqlite_cipher: FieldCipher) -> None:
    database, cipher = sqlite_database, sqlite_cipher
    with database.uow() as session:
        row = add_ledger_row(session)
    with database.uow() as session:
        with pytest.raises(InputError) as caught:
            assess_risk(
                session=session,
                cipher=cipher,
                ledger_entry_id=row,
                risk_in=risk_input(rule_ids=["R-SEC-4", "R-NOPE-9"]),
                actor=ACTOR,
                today=TODAY,
            )
        assert caught.value.field == "rule_ids"
        assert "R-NOPE-9" not in str(caught.value)
        with pytest.raises(NotFoundError):
            assess_risk(
                session=session,
                cipher=cipher,
                ledger_entry_id="0" * 32,
                risk_in=risk_input(),
                actor=ACTOR,
                today=TODAY,
            )
        with pytest.raises(InputError):
            assess_risk(
                session=session,
                cipher=cipher,
                ledger_entry_id=row,
                risk_in=risk_input(),
                actor=ACTOR,
                today=TODAY,
                assessed_on=TODAY + timedelta(days=1),
            )
        with pytest.raises(NotFoundError):
            get_risk(session=session, cipher=cipher, risk_id="nope", today=TODAY)
    with pytest.raises(ValidationError):
        risk_input(likelihood=4)
    with pytest.raises(ValidationError):
        risk_input(risk=f"番号 {valid_my_number()} が漏れる")  # a valid My Number is refused


def test_texts_are_encrypted_and_rotated(
    sqlite_settings: Settings, sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    database, cipher = sqlite_database, sqlite_cipher
    with database.uow() as session:
        row = add_ledger_row(session)
        ids = [
            assess_risk(
                session=session,
                cipher=cipher,
                ledger_entry_id=row,
                risk_in=risk_input(owner="佐藤花子"),
                actor=ACTOR,
                today=TODAY,
            ).id
            for _ in range(3)
        ]
        stored = session.execute(select(RiskAssessment.details_enc)).scalars().all()
    assert all("佐藤" not in s and "委託先" not in s for s in stored)
    old = cipher.current_key_id
    result = rotate_keys(
        settings=sqlite_settings, database=database, actor="t", batch_size=2, stores=(RISKS_STORE,)
    )
    assert result.stores == {"risk_assessments": 3}
    new = FieldCipher(Keyring.read(keyring_path(sqlite_settings)))
    assert new.current_key_id != old
    with database.read() as session:
        assert set(session.execute(select(RiskAssessment.key_id)).scalars()) == {new.current_key_id}
        risks = list_risks(session=session, cipher=new, today=TODAY)
    assert sorted(r.id for r in risks) == sorted(ids)
    assert {r.owner for r in risks} == {"佐藤花子"}
    assert {r.risk for r in risks} == {"委託先からの漏えい"}
