"""The figures audits and the management review read: risks and training (R-PM-2, R-PM-4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from management_support import ACTOR, TODAY, add_ledger_row, risk_input, worker

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import InputError
from kojin.management.risks.schemas import RiskFigures
from kojin.management.risks.service import assess_risk, risk_figures
from kojin.management.training.schemas import CourseInput, RecordInput, TrainingFigures
from kojin.management.training.service import (
    add_course,
    save_records,
    save_workers,
    training_figures,
)


def test_risk_figures(database: Database, cipher: FieldCipher) -> None:
    with database.uow() as session:
        first = add_ledger_row(session, "顧客名簿")
        add_ledger_row(session, "従業員名簿")
        add_ledger_row(session, "応募者名簿")
        # two risks of one row: one assessed last year (review overdue), one high residual
        assess_risk(
            session=session,
            cipher=cipher,
            ledger_entry_id=first,
            risk_in=risk_input(),
            actor=ACTOR,
            today=TODAY,
            assessed_on=TODAY - timedelta(days=400),
        )
        assess_risk(
            session=session,
            cipher=cipher,
            ledger_entry_id=first,
            risk_in=risk_input(residual_likelihood=2, residual_impact=3),
            actor=ACTOR,
            today=TODAY,
        )
    with database.read() as session:
        figures = risk_figures(session, since=date(2027, 1, 1), until=TODAY, today=TODAY)
    assert figures == RiskFigures(
        rows=3, rows_assessed=1, reviews_overdue=1, high_residual=1, assessed_in_period=1
    )
    with database.read() as session, pytest.raises(InputError):
        risk_figures(session, since=TODAY, until=date(2027, 1, 1), today=TODAY)


def test_training_figures(database: Database, cipher: FieldCipher) -> None:
    with database.uow() as session:
        yearly = CourseInput(code="PI-2027", title="個人情報保護")
        add_course(session=session, course_in=yearly, actor=ACTOR)
        add_course(
            session=session,
            course_in=CourseInput(code="MN", title="番号法", yearly=False),
            actor=ACTOR,
        )
        save_workers(
            session=session,
            cipher=cipher,
            workers=[
                worker("E1"),
                worker("E2"),
                worker("E3"),
                # a joiner of last month: within the grace, not overdue
                worker("E4", joined_on=TODAY - timedelta(days=30)),
                worker("E5", active=False),
            ],
            actor=ACTOR,
        )
        save_records(
            session=session,
            records=[
                RecordInput(employee_number="E1", course="PI-2027", completed_on=date(2027, 3, 1)),
                # a one-off course counts as trained but not for the yearly round
                RecordInput(employee_number="E2", course="MN", completed_on=date(2027, 3, 1)),
                # last year's round: overdue by now
                RecordInput(employee_number="E3", course="PI-2027", completed_on=date(2026, 5, 1)),
                RecordInput(employee_number="E5", course="PI-2027", completed_on=date(2027, 2, 1)),
            ],
            actor=ACTOR,
            today=TODAY,
        )
    with database.read() as session:
        figures = training_figures(session, since=date(2027, 1, 1), until=TODAY, today=TODAY)
    # E2 (never in a yearly course, joined 2020) and E3 are overdue; E1 completed the round
    assert figures == TrainingFigures(
        workers=4, trained_in_period=3, overdue=2, completion_rate=0.25
    )
