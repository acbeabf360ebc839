"""Decisions as a service: registry facts, storage, audit chain and provision records in one
transaction (APPI Arts. 27-31, 35; R-TP-REC-1, R-TP-REC-4, R-PRI-3)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select

from kojin.audit.canonical import sha256_of
from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import NotFoundError
from kojin.law.decision_schemas import ConsentStatement, DecisionRequest, Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action, Form
from kojin.policy import load_policy, to_facts
from kojin.registry.consents import (
    ConsentCreate,
    ConsentMethod,
    ForeignInformation,
    WithdrawalCreate,
    record_consent,
    withdraw_consent,
)
from kojin.registry.decisions import decide_and_record, decide_batch, get_decision
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.provisions import (
    ProvisionDetails,
    ProvisionKind,
    RecordForm,
    list_provisions,
)
from kojin.registry.subjects import FlagsUpdate, SubjectCreate, create_subject, set_flags

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
POLICY: PolicyFacts = to_facts(load_policy(None))


@pytest.fixture(scope="module")
def policy() -> PolicyFacts:
    return to_facts(load_policy(None))


def _subject(database: Database, cipher: FieldCipher) -> str:
    with database.uow() as session:
        return create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category="customer"),
            actor="t",
            policy=POLICY,
        ).id


def _consent(database: Database, subject_id: str, *, country: str | None = None) -> str:
    info = (
        None
        if country is None
        else ForeignInformation(country=country, country_system="doc:1", recipient_measures="m:1")
    )
    with database.uow() as session:
        return record_consent(
            session=session,
            consent_in=ConsentCreate(
                subject_id=subject_id,
                category="customer",
                country=country,
                notice_version="2026-01",
                foreign_information=info,
                method=ConsentMethod.CHECKBOX,
            ),
            actor="t",
            policy=POLICY,
        ).id


def _provide(subject_id: str | None, country: str = "JP", **extra: object) -> DecisionRequest:
    return DecisionRequest.model_validate(
        {
            "action": Action.PROVIDE,
            "category": "customer",
            "purpose": "provide_services",
            "subject_id": subject_id,
            "recipient": Recipient(name="Partner KK", country=country),
            **extra,
        }
    )


def _count(database: Database, model: type) -> int:
    with database.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_decision_is_stored_and_chained(database: Database, policy: PolicyFacts) -> None:
    request = DecisionRequest(action=Action.USE, category="customer", purpose="provide_services")
    with database.uow() as session:
        recorded = decide_and_record(session=session, request=request, policy=policy, actor="tok1")
    assert recorded.decision.allowed
    assert recorded.provision_ids == []
    with database.read() as session:
        stored = get_decision(session=session, decision_id=recorded.id)
        entry = session.get(AuditEntry, recorded.audit_seq)
        assert verify_chain(session=session).ok
    assert stored.decision == recorded.decision
    assert stored.request == request
    assert stored.actor == "tok1"
    assert entry is not None
    assert (entry.action, entry.object_id, entry.actor) == (
        "decision.recorded",
        recorded.id,
        "tok1",
    )
    assert entry.details["decision_sha256"] == sha256_of(recorded.decision.model_dump(mode="json"))
    assert entry.details["outcome"] == "allow"


def test_provision_creates_its_record(
    database: Database, cipher: FieldCipher, policy: PolicyFacts
) -> None:
    subject_id = _subject(database, cipher)
    _consent(database, subject_id, country="US")
    details = ProvisionDetails(items=["name", "email"])
    with database.uow() as session:
        recorded = decide_and_record(
            session=session,
            request=_provide(subject_id, "US"),
            policy=policy,
            actor="t",
            provision=details,
            now=NOW,
        )
    assert recorded.decision.allowed, recorded.decision.basis
    assert recorded.facts.consent_given
    assert recorded.facts.foreign_information_provided
    assert len(recorded.provision_ids) == 1
    with database.read() as session:
        (record,) = list_provisions(session=session, subject_id=subject_id)
        entry = session.get(AuditEntry, recorded.audit_seq)
    assert record.id == recorded.provision_ids[0]
    assert record.kind is ProvisionKind.FOREIGN_THIRD_PARTY
    assert record.items == ["name", "email"]
    assert record.consent_confirmed
    assert record.foreign_information_provided
    assert record.retention_years == 3
    assert record.purge_after == datetime(2029, 11, 29, 10, 0, tzinfo=UTC)
    assert entry is not None
    assert entry.details["provision_ids"] == recorded.provision_ids


def test_contract_substitute_is_kept_one_year(
    database: Database, cipher: FieldCipher, policy: PolicyFacts
) -> None:
    subject_id = _subject(database, cipher)
    _consent(database, subject_id)
    details = ProvisionDetails(record_form=RecordForm.CONTRACT_SUBSTITUTE, contract_reference="c-9")
    with database.uow() as session:
        recorded = decide_and_record(
            session=session,
            request=_provide(subject_id),
            policy=policy,
            actor="t",
            provision=details,
            now=NOW,
        )
    with database.read() as session:
        (record,) = list_provisions(session=session, decision_id=recorded.id)
    assert record.kind is ProvisionKind.THIRD_PARTY
    assert record.retention_years == 1
    assert record.purge_after == datetime(2027, 11, 29, 10, 0, tzinfo=UTC)


def test_person_related_provision_record(database: Database, policy: PolicyFacts) -> None:
    request = DecisionRequest(
        action=Action.PROVIDE,
        category="customer",
        purpose="provide_services",
        form=Form.PERSON_RELATED,
        recipient=Recipient(name="Ad Co", country="JP", will_identify=True),
        consent=ConsentStatement(given=True),
    )
    with database.uow() as session:
        recorded = decide_and_record(session=session, request=request, policy=policy, actor="t")
    with database.read() as session:
        (record,) = list_provisions(session=session, decision_id=recorded.id)
    assert record.kind is ProvisionKind.PERSON_RELATED
    assert "Art. 31" in record.citations[0]


def test_request_consent_cannot_override_a_recorded_withdrawal(
    database: Database, cipher: FieldCipher, policy: PolicyFacts
) -> None:
    subject_id = _subject(database, cipher)
    consent_id = _consent(database, subject_id)
    with database.uow() as session:
        withdraw_consent(
            session=session,
            consent_id=consent_id,
            withdrawal_in=WithdrawalCreate(method=ConsentMethod.EMAIL),
            actor="t",
        )
    request = _provide(subject_id, consent=ConsentStatement(given=True))
    with database.uow() as session:
        recorded = decide_and_record(session=session, request=request, policy=policy, actor="t")
    assert not recorded.decision.allowed
    assert recorded.facts.consent_withdrawn
    assert not recorded.facts.consent_given
    assert recorded.provision_ids == []
    # without a subject_id the request's own statement is all there is
    with database.uow() as session:
        anonymous = decide_and_record(
            session=session,
            request=_provide(None, consent=ConsentStatement(given=True)),
            policy=policy,
            actor="t",
        )
    assert anonymous.decision.allowed


def test_stop_provision_flag_is_honoured(
    database: Database, cipher: FieldCipher, policy: PolicyFacts
) -> None:
    subject_id = _subject(database, cipher)
    _consent(database, subject_id)
    with database.uow() as session:
        assert decide_and_record(
            session=session, request=_provide(subject_id), policy=policy, actor="t"
        ).decision.allowed
        set_flags(
            session=session,
            subject_id=subject_id,
            flags=FlagsUpdate(stop_provision=True),
            actor="t",
        )
        stopped = decide_and_record(
            session=session, request=_provide(subject_id), policy=policy, actor="t"
        )
    assert not stopped.decision.allowed
    assert "Art. 35" in stopped.decision.basis


def test_unknown_subject_stores_nothing(database: Database, policy: PolicyFacts) -> None:
    with pytest.raises(NotFoundError) as raised, database.uow() as session:
        decide_and_record(session=session, request=_provide("missing"), policy=policy, actor="t")
    assert raised.value.message == "subject not found"  # never the id it was given
    assert _count(database, DecisionRecord) == 0
    assert _count(database, AuditEntry) == 0


def test_failed_transaction_stores_no_decision(database: Database, policy: PolicyFacts) -> None:
    def fail_after_deciding() -> None:
        with database.uow() as session:
            decide_and_record(
                session=session,
                request=_provide(None, consent=ConsentStatement(given=True)),
                policy=policy,
                actor="t",
            )
            raise RuntimeError("client went away")

    with pytest.raises(RuntimeError):
        fail_after_deciding()
    assert _count(database, DecisionRecord) == 0
    assert _count(database, AuditEntry) == 0


def test_batch_is_one_ordered_chain(database: Database, policy: PolicyFacts) -> None:
    requests = [_provide(None, consent=ConsentStatement(given=bool(n % 2))) for n in range(10)]
    with database.uow() as session:
        recorded = decide_batch(session=session, requests=requests, policy=policy, actor="t")
    assert [r.audit_seq for r in recorded] == list(range(1, 11))
    assert [r.decision.allowed for r in recorded] == [bool(n % 2) for n in range(10)]
    assert sum(len(r.provision_ids) for r in recorded) == 5
    with database.read() as session:
        assert verify_chain(session=session).checked == 10


def test_a_batch_reads_every_subject_in_one_query(
    database: Database, cipher: FieldCipher, policy: PolicyFacts
) -> None:
    consenting, other = _subject(database, cipher), _subject(database, cipher)
    _consent(database, consenting)
    requests = [_provide(consenting), _provide(other), _provide(None), _provide(consenting)]
    reads: list[str] = []

    def count_subject_reads(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if "FROM subjects" in statement:
            reads.append(statement)

    event.listen(database.engine, "before_cursor_execute", count_subject_reads)
    try:
        with database.uow() as session:
            recorded = decide_batch(session=session, requests=requests, policy=policy, actor="t")
    finally:
        event.remove(database.engine, "before_cursor_execute", count_subject_reads)
    assert len(reads) == 1
    assert [r.facts.consent_given for r in recorded] == [True, False, False, True]


def test_a_batch_fails_on_its_first_unknown_subject_or_dataset(
    database: Database, policy: PolicyFacts
) -> None:
    unknown_dataset = DecisionRequest(action=Action.USE, category="customer", dataset_id="nods")
    requests = [_provide(None), _provide("nosubject"), unknown_dataset]
    with pytest.raises(NotFoundError, match=r"^subject not found$"), database.uow() as session:
        decide_batch(session=session, requests=requests, policy=policy, actor="t")
    with pytest.raises(NotFoundError, match=r"^dataset not found$"), database.uow() as session:
        decide_batch(session=session, requests=requests[::-1], policy=policy, actor="t")
    assert _count(database, DecisionRecord) == 0


def test_concurrent_decisions_keep_one_chain(database: Database, policy: PolicyFacts) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                with database.uow() as session:
                    decide_and_record(
                        session=session,
                        request=_provide(None, consent=ConsentStatement(given=True)),
                        policy=policy,
                        actor="t",
                    )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.read() as session:
        result = verify_chain(session=session)
        seqs = set(session.execute(select(DecisionRecord.audit_seq)).scalars())
    assert result.ok
    assert result.checked == 40
    assert seqs == set(range(1, 41))


@pytest.mark.parametrize("decision_id", ["0" * 32, "taro@example.jp", "a\x00b"])
def test_an_unknown_decision_is_not_found_without_its_id(
    database: Database, decision_id: str
) -> None:
    with pytest.raises(NotFoundError) as caught, database.read() as session:
        get_decision(session=session, decision_id=decision_id)
    assert caught.value.message == "decision not found"
