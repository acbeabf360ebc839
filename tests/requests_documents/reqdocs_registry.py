"""A registry holding two people's data, for the disclosure tests: one customer with
identifiers, two consents (one withdrawn), two provision records and stop-use set; another
customer with a consent and a provision of their own; ledger rows of the customer category and
of another category."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest, Recipient
from kojin.law.vocabulary import Action
from kojin.policy import load_policy, to_facts
from kojin.registry.consents import (
    ConsentCreate,
    ConsentMethod,
    ForeignInformation,
    WithdrawalCreate,
    record_consent,
    withdraw_consent,
)
from kojin.registry.decisions import decide_and_record
from kojin.registry.ledger import LedgerAcquisition, LedgerEntryCreate, Medium, create_entry
from kojin.registry.provisions import ProvisionDetails
from kojin.registry.subjects import FlagsUpdate, SubjectCreate, create_subject, set_flags


@dataclass(frozen=True)
class Registry:
    """The ids of what :func:`registry` stored."""

    database: Database
    cipher: FieldCipher
    subject_id: str
    other_subject_id: str
    consent_ids: list[str]
    provision_ids: list[str]


T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
FORMULA_ITEM = '=HYPERLINK("http://evil.example/","x")'


def _ledger_entry(category: str, item: str, purposes: list[str]) -> LedgerEntryCreate:
    return LedgerEntryCreate(
        item=item,
        category=category,
        purposes=purposes,
        acquisition_method=LedgerAcquisition.WRITTEN_DIRECT,
        storage_location="crm-db-01 (internal)",
        storage_country="JP",
        medium=Medium.ELECTRONIC,
        access="sales staff only",
        retention_period="契約終了後5年",
        disposal_method="電子データの消去",
        record_count=1200,
        responsible_department="営業推進部",
    )


def _provide(subject_id: str, recipient: str, country: str) -> DecisionRequest:
    return DecisionRequest(
        action=Action.PROVIDE,
        category="customer",
        purpose="provide_services",
        subject_id=subject_id,
        recipient=Recipient(name=recipient, country=country),
    )


def build_registry(database: Database, cipher: FieldCipher) -> Registry:
    """Store what the module docstring describes; returns the ids."""
    policy = load_policy(None)
    facts = to_facts(policy)
    with database.uow() as session:
        subject = create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(
                category="customer", name="山田 太郎", email="taro@example.jp", phone="03-1234-5678"
            ),
            policy=facts,
            actor="t",
        )
        other = create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category="customer", name="Other Person"),
            policy=facts,
            actor="t",
        )
        consents = []
        for who, recipient, country, given in (
            (subject.id, "Partner KK", "JP", T0),
            (subject.id, "Acme Inc.", "US", T0 + timedelta(days=1)),
            (other.id, "Other Recipient KK", "JP", T0),
        ):
            info = (
                ForeignInformation(country=country, country_system="doc:us", recipient_measures="m")
                if country != "JP"
                else None
            )
            consents.append(
                record_consent(
                    session=session,
                    consent_in=ConsentCreate(
                        subject_id=who,
                        category="customer",
                        purpose="provide_services",
                        recipient=recipient,
                        country=country,
                        notice_version="notice-2026-04",
                        foreign_information=info,
                        method=ConsentMethod.CHECKBOX,
                        given_at=given,
                    ),
                    policy=facts,
                    actor="t",
                ).id
            )
        for category, item, purposes in (
            ("customer", "氏名、住所、電話番号", ["provide_services", "develop_services"]),
            ("customer", FORMULA_ITEM, ["satisfaction_surveys"]),
            ("partner_employee", "取引先担当者の名刺情報", []),
        ):
            declared = policy.category(category)
            assert declared is not None
            chosen = purposes or [declared.purposes[0].id]
            create_entry(
                session=session,
                entry_in=_ledger_entry(category, item, chosen),
                policy=facts,
                actor="t",
            )
    provision_ids = []
    with database.uow() as session:
        provisions = (
            (subject.id, "Partner KK", "JP", ["氏名", "電話番号"]),
            (subject.id, "Acme Inc.", "US", ["氏名", "電子メールアドレス"]),
            (other.id, "Other Recipient KK", "JP", ["氏名"]),
        )
        for day, (who, recipient, country, items) in enumerate(provisions, start=10):
            recorded = decide_and_record(
                session=session,
                request=_provide(who, recipient, country),
                policy=facts,
                actor="t",
                provision=ProvisionDetails(items=items),
                now=T0 + timedelta(days=day),
            )
            assert recorded.decision.allowed, recorded.decision.reasons
            if who == subject.id:
                provision_ids += recorded.provision_ids
        withdraw_consent(
            session=session,
            consent_id=consents[0],
            withdrawal_in=WithdrawalCreate(
                method=ConsentMethod.EMAIL, withdrawn_at=T0 + timedelta(days=20)
            ),
            actor="t",
        )
        set_flags(
            session=session,
            subject_id=subject.id,
            flags=FlagsUpdate(stop_use=True, reference="request 1"),
            actor="t",
        )
    assert len(provision_ids) == 2
    return Registry(
        database=database,
        cipher=cipher,
        subject_id=subject.id,
        other_subject_id=other.id,
        consent_ids=consents[:2],
        provision_ids=provision_ids,
    )
