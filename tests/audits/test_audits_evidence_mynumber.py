"""R-MN-7's evidence counts the vault's disposal records in the audit's period, and the records
still active, as the vault holds them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from audits_support import ACTOR, TODAY, at, plan
from pydantic import SecretStr
from sqlalchemy import func, select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.check_digits import my_number_check_digit
from kojin.law.mynumber_vocabulary import IdentityDocument, VerificationRoute
from kojin.law.policy_facts import PolicyFacts
from kojin.management.audits.schemas import EvidenceStatus
from kojin.management.audits.service import collect_evidence, plan_audit
from kojin.mynumber.disposal import dispose_and_shred
from kojin.mynumber.filing.retention import load_retention_rules
from kojin.mynumber.handlers import designate_handler
from kojin.mynumber.models import NumberRecord
from kojin.mynumber.schemas import HandlerIn, RegistrationIn
from kojin.mynumber.service import register_number
from kojin.mynumber.vault import Vault
from kojin.registry.subjects import SubjectCreate, create_subject
from kojin.settings import Settings

HANDLER = "token:handler-a"
AFFAIR = "remuneration_payment_records"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def vault(settings: Settings, database: Database, facts: PolicyFacts) -> Iterator[Vault]:
    opened = Vault.open(settings=settings, registry=database, policy=facts)
    yield opened
    opened.close()


def _register(database: Database, cipher: FieldCipher, vault: Vault, base: str) -> str:
    with database.uow() as session:
        person = create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category="specific_personal", name="山田 太郎"),
            policy=vault.policy,
            actor=ACTOR,
        ).id
    with vault.transaction() as sessions:
        return register_number(
            vault=vault,
            sessions=sessions,
            actor=HANDLER,
            body=RegistrationIn(
                subject_id=person,
                number=SecretStr(base + str(my_number_check_digit(base))),
                affairs=[AFFAIR],
                route=VerificationRoute.MY_NUMBER_CARD,
                document_types=[IdentityDocument.MY_NUMBER_CARD],
                purpose_stated=True,
                acquired_on=date(2026, 4, 1),
            ),
        ).record.id


def test_disposals_match_the_vault(
    database: Database, cipher: FieldCipher, facts: PolicyFacts, vault: Vault
) -> None:
    with vault.transaction() as sessions:
        designate_handler(
            sessions=sessions,
            policy=vault.policy,
            actor=ACTOR,
            body=HandlerIn(actor=HANDLER, affairs=[AFFAIR], department="経理部"),
        )
    records = [_register(database, cipher, vault, f"1234567890{i}") for i in range(3)]
    dispose_and_shred(
        vault=vault, actor=ACTOR, record_ids=records[:1], reason="退職", now=at(date(2027, 5, 1))
    )
    dispose_and_shred(  # after the period
        vault=vault, actor=ACTOR, record_ids=records[1:2], reason="退職", now=at(date(2027, 7, 2))
    )
    with database.uow() as session:
        ref = plan_audit(
            session=session, cipher=cipher, policy=facts, plan=plan(), actor=ACTOR
        ).reference
    with vault.transaction() as sessions:
        active = sessions.vault.execute(
            select(func.count()).where(NumberRecord.status == "active")
        ).scalar_one()
        view = collect_evidence(
            session=sessions.registry,
            cipher=cipher,
            audit_id=ref,
            actor=ACTOR,
            vault=sessions.vault,
            retention=load_retention_rules(None),
            today=TODAY,
            now=at(TODAY),
        )
    item = next(i for i in view.checklist if i.control_id == "R-MN-7")
    assert item.evidence is not None
    assert item.evidence.counts == {
        "disposed": 1,
        "disposal_records_complete": 1,
        "active": active,
        "past_retention_not_disposed": 0,
    }
    assert active == 1
    assert item.evidence.status is EvidenceStatus.OK
