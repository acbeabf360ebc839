"""The figures the management review reads (R-PM-8): the audits of a period, their results and
their corrective actions, on SQLite and PostgreSQL (dates compared in the database)."""

from __future__ import annotations

from datetime import date, timedelta

from audits_support import ACTOR, SECRET_FINDING, SECRET_OWNER, TODAY, at, plan

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.controls import applicable_controls
from kojin.law.policy_facts import PolicyFacts
from kojin.management.audits.schemas import (
    ActionIn,
    ActionProgress,
    AuditFigures,
    FindingIn,
    FindingKind,
    ItemResult,
    ItemResultIn,
)
from kojin.management.audits.service import (
    add_action,
    add_finding,
    audit_figures,
    list_audits,
    plan_audit,
    progress_action,
    record_result,
)

DUE = date(2027, 8, 31)


def _plan(database: Database, cipher: FieldCipher, facts: PolicyFacts, **kw: object) -> str:
    with database.uow() as session:
        return plan_audit(
            session=session, cipher=cipher, policy=facts, plan=plan(**kw), actor=ACTOR,
            now=at(TODAY),
        ).reference  # fmt: skip


def _finding(database: Database, cipher: FieldCipher, ref: str, control: str) -> str:
    with database.uow() as session:
        return add_finding(
            session=session,
            cipher=cipher,
            audit_id=ref,
            control_id=control,
            finding=FindingIn(
                kind=FindingKind.NONCONFORMITY, description=SECRET_FINDING, root_cause="手順未整備"
            ),
            actor=ACTOR,
            now=at(TODAY),
        ).id


def _action(database: Database, cipher: FieldCipher, finding_id: str) -> str:
    with database.uow() as session:
        return add_action(
            session=session,
            cipher=cipher,
            finding_id=finding_id,
            action=ActionIn(
                action="委託契約を締結し監督手順を定める",
                owner_department="営業部",
                owner_person=SECRET_OWNER,
                due_on=DUE,
                follow_up_on=DUE + timedelta(days=30),
            ),
            actor=ACTOR,
            now=at(TODAY),
        ).id


def _progress(database: Database, cipher: FieldCipher, action_id: str, **kw: object) -> None:
    with database.uow() as session:
        progress_action(
            session=session, cipher=cipher, action_id=action_id,
            progress=ActionProgress.model_validate(kw), actor=ACTOR, now=at(TODAY),
        )  # fmt: skip


def test_figures_for_the_management_review(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    first = _plan(database, cipher, facts)
    _plan(database, cipher, facts, planned_on=date(2028, 5, 1))  # outside the period
    done = _action(database, cipher, _finding(database, cipher, first, "R-SEC-4"))
    _action(database, cipher, _finding(database, cipher, first, "R-PM-4"))
    _progress(database, cipher, done, status="done", on=date(2027, 8, 1))
    with database.uow() as session:
        record_result(
            session=session, cipher=cipher, audit_id=first, control_id="R-PM-1",
            result=ItemResultIn(result=ItemResult.OBSERVATION, notes="台帳の一部が未更新"),
            actor=ACTOR,
        )  # fmt: skip
    with database.read() as session:
        figures = audit_figures(session, since=date(2027, 4, 1), until=date(2028, 3, 31))
        listed = list_audits(session=session)
    assert figures == AuditFigures(
        audits=1,
        items=len(applicable_controls(facts)),
        nonconformities=2,
        observations=1,
        actions_open=1,
        actions_overdue=1,  # due 2027-08-31, open on 2028-03-31
        actions_done=1,
    )
    assert listed.total == 2
    assert [a.reference for a in listed.audits] == ["AUD-2028-01", first]
    assert listed.audits[1].nonconformities == 2
    assert listed.audits[1].actions_open == 1
