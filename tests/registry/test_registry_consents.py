"""Consent records (R-CH-6, R-TP-FX-2): history kept, withdrawals win, scope matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, NotFoundError
from kojin.law.decision_schemas import DecisionRequest, Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action
from kojin.policy import load_policy, to_facts
from kojin.registry.consents import (
    ConsentCreate,
    ConsentMethod,
    ForeignInformation,
    WithdrawalCreate,
    consent_facts,
    list_consents,
    record_consent,
    withdraw_consent,
)
from kojin.registry.consents.matching import ConsentView, covers, facts_from_records
from kojin.registry.subjects import FlagsUpdate, SubjectCreate, create_subject, set_flags

POLICY: PolicyFacts = to_facts(load_policy(None))
T0 = datetime(2026, 1, 1, tzinfo=UTC)
US_INFO = ForeignInformation(country="US", country_system="doc:us-2026-01", recipient_measures="m1")


def _subject(database: Database, cipher: FieldCipher) -> str:
    with database.uow() as session:
        subject = create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category="customer"),
            policy=POLICY,
            actor="t",
        )
    return subject.id


def _provide(
    country: str = "JP", name: str = "Acme", subject_id: str | None = None
) -> DecisionRequest:
    return DecisionRequest(
        action=Action.PROVIDE,
        category="customer",
        purpose="provide_services",
        subject_id=subject_id,
        recipient=Recipient(name=name, country=country),
    )


def test_withdrawal_keeps_history(database: Database, cipher: FieldCipher) -> None:
    subject_id = _subject(database, cipher)
    with database.uow() as session:
        consent = record_consent(
            session=session,
            consent_in=ConsentCreate(
                subject_id=subject_id,
                category="customer",
                purpose="provide_services",
                notice_version="2026-01",
                method=ConsentMethod.CHECKBOX,
                given_at=T0,
            ),
            policy=POLICY,
            actor="t",
        )
        withdrawn = withdraw_consent(
            session=session,
            consent_id=consent.id,
            withdrawal_in=WithdrawalCreate(method=ConsentMethod.EMAIL),
            actor="t",
        )
    assert consent.active
    assert not withdrawn.active
    with database.read() as session:
        history = list_consents(session=session, subject_id=subject_id)
    assert [c.id for c in history] == [consent.id]
    assert history[0].given_at == T0
    assert history[0].withdrawal_method is ConsentMethod.EMAIL
    with database.engine.connect() as conn:
        assert conn.execute(text("select count(*) from consents")).scalar_one() == 1
        assert conn.execute(text("select count(*) from consent_withdrawals")).scalar_one() == 1
    with pytest.raises(ConflictError, match="already withdrawn"), database.uow() as session:
        withdraw_consent(
            session=session,
            consent_id=consent.id,
            withdrawal_in=WithdrawalCreate(method=ConsentMethod.EMAIL),
            actor="t",
        )


def test_unknown_subject_and_consent(database: Database) -> None:
    create = ConsentCreate(
        subject_id="missing", category="customer", notice_version="1", method=ConsentMethod.ORAL
    )
    with pytest.raises(NotFoundError), database.uow() as session:
        record_consent(session=session, consent_in=create, policy=POLICY, actor="t")
    with pytest.raises(NotFoundError), database.uow() as session:
        withdraw_consent(
            session=session,
            consent_id="missing",
            withdrawal_in=WithdrawalCreate(method=ConsentMethod.ORAL),
            actor="t",
        )


def test_foreign_information_country_must_match() -> None:
    with pytest.raises(ValidationError, match=r"foreign_information\.country"):
        ConsentCreate(
            subject_id="s",
            category="customer",
            country="SG",
            notice_version="1",
            method=ConsentMethod.WRITTEN,
            foreign_information=US_INFO,
        )


def _view(**overrides: object) -> ConsentView:
    values: dict[str, object] = {
        "category": "customer",
        "purpose": None,
        "recipient": None,
        "country": None,
        "foreign_information": None,
        "given_at": T0,
        "withdrawn_at": None,
    }
    values.update(overrides)
    return ConsentView(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("consent", "request_", "expected"),
    [
        (_view(), _provide(), True),
        (_view(category="partner_employee"), _provide(), False),
        (_view(purpose="provide_services"), _provide(), True),
        (_view(purpose="develop_services"), _provide(), False),
        (_view(recipient="ACME"), _provide(), True),
        (_view(recipient="Other Co"), _provide(), False),
        (_view(country="JP"), _provide(), True),
        (_view(), _provide("US"), False),  # Art. 28: consent must name the foreign country
        (_view(country="US"), _provide("US"), True),
        (_view(country="SG"), _provide("US"), False),
        (_view(country="US"), _provide(), False),
        (_view(recipient="Acme"), DecisionRequest(action=Action.USE, category="customer"), False),
        (_view(purpose="x"), DecisionRequest(action=Action.USE, category="customer"), False),
        (_view(), DecisionRequest(action=Action.USE, category="customer"), True),
    ],
)
def test_scope_matching(consent: ConsentView, request_: DecisionRequest, expected: bool) -> None:
    assert covers(consent, request_) is expected


HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("views", "given", "withdrawn"),
    [
        ([], False, False),
        ([_view()], True, False),
        ([_view(withdrawn_at=T0 + HOUR)], False, True),
        # consent given again after an earlier withdrawal
        ([_view(withdrawn_at=T0 + HOUR), _view(given_at=T0 + 2 * HOUR)], True, False),
        # a later withdrawal of another covering consent wins over an older active one
        ([_view(), _view(given_at=T0 + HOUR, withdrawn_at=T0 + 2 * HOUR)], False, True),
        # withdrawals of consents outside the scope do not count
        ([_view(), _view(category="retired_employee", withdrawn_at=T0 + HOUR)], True, False),
    ],
)
def test_facts_from_records(views: list[ConsentView], given: bool, withdrawn: bool) -> None:
    facts = facts_from_records(views, request=_provide(), stop_use=False, stop_provision=True)
    assert (facts.consent_given, facts.consent_withdrawn) == (given, withdrawn)
    assert facts.stop_provision
    assert not facts.stop_use


def test_foreign_information_counts_only_when_recorded_for_that_country() -> None:
    shown = _view(country="US", foreign_information=US_INFO.model_dump())
    bare = _view(country="US")
    request = _provide("US")
    with_info = facts_from_records([shown], request=request, stop_use=False, stop_provision=False)
    without = facts_from_records([bare], request=request, stop_use=False, stop_provision=False)
    assert with_info.consent_given
    assert with_info.foreign_information_provided
    assert without.consent_given
    assert not without.foreign_information_provided


def test_consent_facts_from_the_registry(database: Database, cipher: FieldCipher) -> None:
    subject_id = _subject(database, cipher)
    request = _provide("US", subject_id=subject_id)
    with database.uow() as session:
        assert not consent_facts(
            session=session, subject_id=subject_id, request=request
        ).consent_given
        consent = record_consent(
            session=session,
            consent_in=ConsentCreate(
                subject_id=subject_id,
                category="customer",
                country="US",
                notice_version="2026-01",
                foreign_information=US_INFO,
                method=ConsentMethod.WRITTEN,
            ),
            policy=POLICY,
            actor="t",
        )
        facts = consent_facts(session=session, subject_id=subject_id, request=request)
        assert facts.consent_given
        assert facts.foreign_information_provided
        set_flags(
            session=session, subject_id=subject_id, flags=FlagsUpdate(stop_use=True), actor="t"
        )
        withdraw_consent(
            session=session,
            consent_id=consent.id,
            withdrawal_in=WithdrawalCreate(method=ConsentMethod.WRITTEN),
            actor="t",
        )
        facts = consent_facts(session=session, subject_id=subject_id, request=request)
    assert facts.consent_withdrawn
    assert not facts.consent_given
    assert facts.stop_use
    with database.read() as session, pytest.raises(NotFoundError):
        consent_facts(session=session, subject_id="missing", request=request)
