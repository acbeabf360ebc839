"""Helpers for the risk and training tests: ledger rows, an assessment, workers and the audit
chain read back."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.models import AuditEntry
from kojin.law.check_digits import my_number_check_digit
from kojin.management.risks.schemas import Evaluation, RiskInput, Stage
from kojin.management.training.schemas import WorkerInput, WorkerKind
from kojin.registry.ledger.schemas import LedgerAcquisition, LedgerEntryCreate, Medium
from kojin.registry.ledger.service import add_entries

ACTOR = "officer@example.jp"
TODAY = date(2027, 6, 1)
#: a worker's name: it must never reach the audit chain, an error or a log
SECRET_NAME = "山田太郎"


def add_ledger_row(session: Session, item: str = "顧客名簿") -> str:
    entry = LedgerEntryCreate(
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
    return add_entries(session=session, entries=[entry], actor=ACTOR)[0].id


def risk_input(**overrides: Any) -> RiskInput:
    values: dict[str, Any] = {
        "stage": Stage.PROVISION,
        "risk": "委託先からの漏えい",
        "likelihood": 2,
        "impact": 3,
        "evaluation": Evaluation.TREAT,
        "measures": "委託契約と年次監査",
        "rule_ids": ["R-SEC-4", "R-PM-11"],
        "residual_likelihood": 1,
        "residual_impact": 3,
        "owner": "情報システム部",
    }
    values.update(overrides)
    return RiskInput(**values)


def worker(number: str, **overrides: Any) -> WorkerInput:
    values: dict[str, Any] = {
        "employee_number": number,
        "name": SECRET_NAME,
        "department": "営業部",
        "kind": WorkerKind.EMPLOYEE,
        "joined_on": date(2020, 4, 1),
    }
    values.update(overrides)
    return WorkerInput(**values)


def chain(session: Session) -> list[AuditEntry]:
    return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def valid_my_number() -> str:
    base = "12345678901"
    return base + str(my_number_check_digit(base))
