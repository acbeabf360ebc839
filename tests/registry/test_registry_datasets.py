"""De-identified datasets in the registry: recording, decisions about them, provision (R-PS-3,
R-AN-3, R-AN-4)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.law.decision_schemas import DecisionRequest, Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action, Form, ObligationCode
from kojin.policy import load_policy, to_facts
from kojin.registry.datasets import DatasetCreate
from kojin.registry.datasets.service import list_datasets, mark_provided, record_dataset
from kojin.registry.decisions.dataset_provision import ProvisionOutcome, provide_dataset
from kojin.registry.decisions.service import decide_and_record

HASH = "ab" * 32


@pytest.fixture(scope="module")
def policy() -> PolicyFacts:
    return to_facts(load_policy(None))


def _dataset(form: str = "anonymized", changes: dict[str, object] | None = None) -> DatasetCreate:
    values: dict[str, object] = {
        "form": form,
        "name": f"{form} survey extract",
        "category": "customer",
        "purposes": ["satisfaction_surveys"],
        "items": ["age (generalized, level 2 of 4)", "sex (as recorded)"],
        "records": 120,
        "report_sha256": HASH,
    }
    values.update(changes or {})
    return DatasetCreate.model_validate(values)


def test_recording_is_listed_and_chained(database: Database, policy: PolicyFacts) -> None:
    with database.uow() as session:
        made = record_dataset(session=session, dataset_in=_dataset(), policy=policy, actor="t")
    with database.read() as session:
        listed = list_datasets(session=session)
        last = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    assert [d.id for d in listed] == [made.id]
    assert listed[0].items == ["age (generalized, level 2 of 4)", "sex (as recorded)"]
    assert listed[0].provided_at is None
    assert last is not None
    assert (last.action, last.object_id) == ("dataset.anonymized.created", made.id)
    assert "survey" not in str(last.details)  # ids, counts and hashes only


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "suppliers"}, "category"),
        ({"category": "specific_personal", "purposes": []}, "category"),  # R-MN-1
        ({"purposes": ["marketing_to_strangers"]}, "purposes"),
    ],
)
def test_recording_refuses_what_the_policy_does_not_declare(
    database: Database, policy: PolicyFacts, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as caught, database.uow() as session:
        record_dataset(
            session=session, dataset_in=_dataset(changes=changes), policy=policy, actor="t"
        )
    assert caught.value.field == field
    with database.read() as session:
        assert list_datasets(session=session) == []


def test_a_pseudonymized_dataset_keeps_its_form_whatever_the_request_says(
    database: Database, policy: PolicyFacts
) -> None:
    with database.uow() as session:
        made = record_dataset(
            session=session, dataset_in=_dataset("pseudonymized"), policy=policy, actor="t"
        )
    ask = {
        "action": Action.PROVIDE,
        "category": "customer",
        "form": Form.PERSONAL,
        "consent": {"given": True},
        "recipient": Recipient(name="Partner KK", country="JP"),
    }
    with database.uow() as session:
        plain = decide_and_record(
            session=session, request=DecisionRequest.model_validate(ask), policy=policy, actor="t"
        )
        about_dataset = decide_and_record(
            session=session,
            request=DecisionRequest.model_validate({**ask, "dataset_id": made.id}),
            policy=policy,
            actor="t",
        )
        contact = decide_and_record(
            session=session,
            request=DecisionRequest(action=Action.CONTACT, category="customer", dataset_id=made.id),
            policy=policy,
            actor="t",
        )
    assert plain.decision.allowed  # consented provision of personal data
    assert not about_dataset.decision.allowed  # R-PS-3: no third-party provision
    assert "R-PS-3" in about_dataset.decision.rules
    assert not contact.decision.allowed  # R-PS-3: no contact use


def _provide(
    database: Database, policy: PolicyFacts, dataset_id: str, *, to: str, method: str
) -> ProvisionOutcome:
    with database.uow() as session:
        return provide_dataset(
            session=session,
            dataset_id=dataset_id,
            recipient=Recipient(name=to, country="JP"),
            method=method,
            policy=policy,
            actor="t",
        )


def test_providing_an_anonymized_dataset_records_the_method(
    database: Database, policy: PolicyFacts
) -> None:
    with database.uow() as session:
        made = record_dataset(session=session, dataset_in=_dataset(), policy=policy, actor="t")
    outcome = _provide(database, policy, made.id, to="Survey Partner KK", method="CSV over SFTP")
    assert outcome.decision.decision.allowed
    codes = {o.code for o in outcome.decision.decision.obligations}
    assert ObligationCode.PUBLISH_ANONYMIZED_ITEMS in codes  # R-AN-4
    assert outcome.dataset is not None
    assert outcome.dataset.provision_method == "CSV over SFTP"
    with database.uow() as session:
        again = mark_provided(
            session=session,
            dataset_id=made.id,
            provision_method="API download",
            actor="t",
            decision_id="d",
        )
    assert again.provision_method == "CSV over SFTP; API download"
    assert again.provided_at == outcome.dataset.provided_at


def test_a_pseudonymized_dataset_is_never_provided(database: Database, policy: PolicyFacts) -> None:
    with database.uow() as session:
        made = record_dataset(
            session=session, dataset_in=_dataset("pseudonymized"), policy=policy, actor="t"
        )
    outcome = _provide(database, policy, made.id, to="Partner KK", method="CSV")
    assert not outcome.decision.decision.allowed
    assert outcome.dataset is None
    with pytest.raises(ConflictError), database.uow() as session:
        mark_provided(
            session=session, dataset_id=made.id, provision_method="CSV", actor="t", decision_id="d"
        )


def test_an_unknown_dataset_is_not_found(database: Database, policy: PolicyFacts) -> None:
    with pytest.raises(NotFoundError), database.uow() as session:
        decide_and_record(
            session=session,
            request=DecisionRequest(action=Action.USE, category="customer", dataset_id="nope"),
            policy=policy,
            actor="t",
        )
