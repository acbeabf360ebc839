"""The inputs from the management system's other registers (Parts of kojin built beside the
review): recipients and their checks, ledger rows' risk assessments, training, audits and
obligation tasks. Each section is what the register's own figures say for the same period, and
what needs improving becomes an opportunity."""

from __future__ import annotations

from datetime import date

from review_support import ACTOR, SINCE, TODAY, UNTIL

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.management.audits.figures import audit_figures
from kojin.management.review.inputs import gather_inputs
from kojin.management.risks.service import risk_figures
from kojin.management.training.schemas import CourseInput, WorkerInput, WorkerKind
from kojin.management.training.service import add_course, save_workers, training_figures
from kojin.registry.ledger.schemas import LedgerAcquisition, LedgerEntryCreate, Medium
from kojin.registry.ledger.service import add_entries
from kojin.registry.obligations.figures import task_figures
from kojin.registry.recipients.figures import recipient_figures
from kojin.registry.recipients.schemas import (
    CheckInput,
    CheckKind,
    CheckResult,
    ContractItem,
    EvaluationResult,
    RecipientFields,
)
from kojin.registry.recipients.service import add_recipient, record_check


def _seed(database: Database, cipher: FieldCipher) -> None:
    with database.uow() as session:
        add_entries(
            session=session,
            actor=ACTOR,
            entries=[
                LedgerEntryCreate(
                    item="顧客名簿",
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
            ],
        )
        add_course(session=session, course_in=CourseInput(code="PI", title="研修"), actor=ACTOR)
        save_workers(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            workers=[
                WorkerInput(
                    employee_number="E1",
                    name="山田太郎",
                    department="営業部",
                    kind=WorkerKind.EMPLOYEE,
                    joined_on=date(2020, 4, 1),
                )
            ],
        )
        carrier = add_recipient(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=RecipientFields(
                name="株式会社 配送サービス",
                entrustee=True,
                country="JP",
                entrusted="商品発送",
                categories=["customer"],
                contract_date=date(2026, 4, 10),
                contract_items=[ContractItem.CONFIDENTIALITY],
                evaluated_on=date(2026, 4, 5),
                evaluation_result=EvaluationResult.SUITABLE,
            ),
            today=date(2026, 4, 10),
        )
    with database.uow() as session:
        record_check(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            recipient_id=carrier.id,
            check=CheckInput(
                kind=CheckKind.SUPERVISION, checked_on=date(2026, 10, 1), result=CheckResult.ISSUES
            ),
            today=date(2026, 10, 1),
        )


def test_each_register_section_matches_its_figures(
    sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    _seed(sqlite_database, sqlite_cipher)
    s, u, t = SINCE, UNTIL, TODAY
    with sqlite_database.read() as session:
        inputs = gather_inputs(session=session, cipher=sqlite_cipher, since=s, until=u, today=t)
        assert inputs.recipients == recipient_figures(session=session, since=s, until=u, today=t)
        assert inputs.risks == risk_figures(session, since=s, until=u, today=t)
        assert inputs.training == training_figures(session, since=s, until=u, today=t)
        assert inputs.audits == audit_figures(session, since=s, until=u, today=t)
        assert inputs.tasks == task_figures(session, since=s, until=u, today=t)
    assert (inputs.recipients.entrustees, inputs.recipients.issues_in_period) == (1, 1)
    assert (inputs.risks.rows, inputs.risks.rows_assessed) == (1, 0)
    assert (inputs.training.workers, inputs.training.overdue) == (1, 1)
    assert inputs.audits.audits == 0
    assert inputs.tasks.open == 0
    codes = {o.code: o.count for o in inputs.opportunities}
    assert codes == {
        "recipient_checks_not_kept": 1,
        "risk_rows_unassessed": 1,
        "training_overdue": 1,
    }
