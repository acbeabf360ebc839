"""The evidence of the management system's own registers matches what they hold: obligation
tasks opened by real decisions, the recipient register's checks, risk assessments per ledger
row and the training roster."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from audits_support import ACTOR, SINCE, TODAY, at, plan
from sqlalchemy import func, select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.management.audits.evidence import DUTY_CODES
from kojin.management.audits.schemas import AuditView, Evidence, EvidenceStatus
from kojin.management.audits.service import collect_evidence, plan_audit
from kojin.management.risks.schemas import Evaluation, RiskInput, Stage
from kojin.management.risks.service import assess_risk
from kojin.management.training.schemas import WorkerInput
from kojin.management.training.service import save_workers
from kojin.registry.decisions.service import decide_batch
from kojin.registry.ledger.schemas import LedgerAcquisition, LedgerEntryCreate, Medium
from kojin.registry.ledger.service import add_entries
from kojin.registry.obligations.models import ObligationTask
from kojin.registry.recipients.schemas import CheckInput, CheckKind, CheckResult, RecipientFields
from kojin.registry.recipients.service import add_recipient, record_check


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


def _collect(
    database: Database, cipher: FieldCipher, facts: PolicyFacts, today: date = TODAY
) -> AuditView:
    with database.uow() as session:
        ref = plan_audit(
            session=session, cipher=cipher, policy=facts, plan=plan(), actor=ACTOR
        ).reference
        return collect_evidence(
            session=session, cipher=cipher, audit_id=ref, actor=ACTOR, today=today, now=at(today)
        )


def _item(view: AuditView, control: str) -> dict[str, int]:
    item = next(i for i in view.checklist if i.control_id == control)
    assert item.evidence is not None
    assert item.evidence.status is not EvidenceStatus.MANUAL
    return item.evidence.counts


def test_obligation_tasks_match_the_tasks_decisions_opened(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    # the customer category may go abroad, so the foreign-provision controls apply too
    customer = replace(facts.categories["customer"], foreign_provision_declared=True)
    policy = replace(facts, categories={**facts.categories, "customer": customer})
    requests = [
        DecisionRequest.model_validate(
            {
                "action": "provide",
                "category": "customer",
                "purpose": "provide_services",
                "recipient": {"name": name, "country": "US", "equivalent_measures": True},
                "consent": {"given": True},
            }
        )
        for name in ("Overseas Inc", "Cloud LLC")
    ]
    with database.uow() as session:
        decide_batch(session=session, requests=requests, policy=policy, actor="t", now=at(SINCE))
    later = date(2029, 1, 1)  # every task is past its due date by then
    view = _collect(database, cipher, policy, today=later)
    seen = 0
    with database.read() as session:
        total = session.execute(select(func.count()).select_from(ObligationTask)).scalar_one()
        for item in view.checklist:
            if item.source != "obligation_tasks":
                continue
            codes = DUTY_CODES.get(item.control_id)
            query = select(func.count()).select_from(ObligationTask)
            if codes is not None:
                query = query.where(ObligationTask.code.in_(sorted(codes)))
            held = session.execute(query).scalar_one()
            counts = _item(view, item.control_id)
            assert counts["open"] == held, item.control_id
            assert counts["overdue"] == held, item.control_id
            seen += held
    assert total > 0
    assert seen > 0
    assert _item(view, "R-TP-FX-2")["open"] == total  # no duty cited: every task


def test_recipient_risk_and_training_registers(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    with database.uow() as session:
        entrustee = add_recipient(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=RecipientFields(
                name="株式会社 配送サービス",
                entrustee=True,
                country="JP",
                entrusted="商品発送",
                categories=["customer"],
            ),
            today=SINCE,
        )
        record_check(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            recipient_id=entrustee.id,
            check=CheckInput(
                kind=CheckKind.SUPERVISION, checked_on=date(2027, 5, 1), result=CheckResult.ISSUES
            ),
            today=date(2027, 5, 1),
        )
        rows = add_entries(
            session=session,
            entries=[
                LedgerEntryCreate(
                    item=item,
                    category="customer",
                    purposes=["provide_services"],
                    acquisition_method=LedgerAcquisition.WRITTEN_DIRECT,
                    storage_location="CRM",
                    storage_country="jp",
                    medium=Medium.ELECTRONIC,
                    access="Sales",
                    retention_period="5 years",
                    disposal_method="Deletion",
                    record_count=10,
                    responsible_department="Sales",
                )
                for item in ("顧客名簿", "応募者名簿")
            ],
            actor=ACTOR,
        )
        assess_risk(
            session=session,
            cipher=cipher,
            ledger_entry_id=rows[0].id,
            risk_in=RiskInput(
                stage=Stage.PROVISION, risk="委託先からの漏えい", likelihood=2, impact=3,
                evaluation=Evaluation.TREAT, residual_likelihood=1, residual_impact=2,
                owner="情報システム部",
            ),
            actor=ACTOR,
            today=date(2027, 5, 10),
            assessed_on=date(2027, 5, 10),
        )  # fmt: skip
        save_workers(
            session=session,
            cipher=cipher,
            workers=[
                WorkerInput(
                    employee_number=f"E{n}", name="山田", department="営業部",
                    joined_on=date(2020, 4, 1),
                )
                for n in range(3)
            ],
            actor=ACTOR,
        )  # fmt: skip
    view = _collect(database, cipher, facts)
    recipients = _item(view, "R-SEC-4")
    assert recipients["entrustees"] == 1
    assert recipients["checks_in_period"] == 1
    assert recipients["issues_in_period"] == 1
    assert _item(view, "R-PM-11") == recipients
    risks = _item(view, "R-PM-2")
    assert risks["rows"] == 2
    assert risks["rows_assessed"] == 1
    assert risks["assessed_in_period"] == 1
    people = _item(view, "R-PM-4")
    assert people["workers"] == 3
    assert people["trained_in_period"] == 0
    assert people["training_overdue"] == 3  # joined in 2020, never trained
    for control in ("R-SEC-4", "R-PM-2", "R-PM-4"):
        item = next(i for i in view.checklist if i.control_id == control)
        assert item.evidence is not None
        assert item.evidence.status is EvidenceStatus.ATTENTION


def test_an_entrustment_to_an_unregistered_recipient_needs_attention_once_overdue(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    """The supervision task a decision opens shows under R-SEC-4 as soon as it is overdue,
    even though the register holds no entrustee at all; an empty ledger needs attention."""
    entrust = DecisionRequest.model_validate(
        {
            "action": "provide",
            "category": "customer",
            "purpose": "provide_services",
            "recipient": {"name": "Haiso Logistics", "country": "JP", "relation": "entrustee"},
        }
    )
    before = _collect(database, cipher, facts, today=SINCE)
    assert _evidence(before, "R-SEC-4").status is EvidenceStatus.OK
    assert _evidence(before, "R-PM-1").status is EvidenceStatus.ATTENTION  # no ledger rows
    assert _item(before, "R-PM-1")["rows"] == 0
    with database.uow() as session:
        decide_batch(session=session, requests=[entrust], policy=facts, actor="t", now=at(SINCE))
    view = _collect(database, cipher, facts)
    counts = _item(view, "R-SEC-4")
    assert counts["entrustees"] == 0
    assert counts["supervision_tasks_overdue"] == 1
    assert _evidence(view, "R-SEC-4").status is EvidenceStatus.ATTENTION


def _evidence(view: AuditView, control: str) -> Evidence:
    item = next(i for i in view.checklist if i.control_id == control)
    assert item.evidence is not None
    return item.evidence
