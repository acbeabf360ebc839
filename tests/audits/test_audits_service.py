"""Internal audits from plan to close: the checklist from the policy, results, findings,
corrective actions with owners and due dates, follow-up, the figures, and the audit chain."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from audits_support import (
    ACTOR,
    SECRET_AUDITOR,
    SECRET_FINDING,
    SECRET_OWNER,
    TODAY,
    at,
    audit_entries,
    plan,
)
from pydantic import ValidationError
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, NotFoundError
from kojin.law.controls import applicable_controls
from kojin.law.policy_facts import PolicyFacts
from kojin.management.audits.models import Audit, AuditAction, AuditFinding
from kojin.management.audits.schemas import (
    ActionIn,
    ActionProgress,
    ActionStatus,
    AuditStatus,
    FindingIn,
    FindingKind,
    ItemResult,
    ItemResultIn,
)
from kojin.management.audits.service import (
    add_action,
    add_finding,
    close_audit,
    get_audit,
    plan_audit,
    progress_action,
    record_result,
    report_audit,
)

DUE = date(2027, 8, 31)


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """SQLite only: the life of an audit does not depend on the database (the figures and the
    evidence are checked on PostgreSQL as well)."""
    return sqlite_url


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


def test_the_checklist_is_the_policys_controls(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    ref = _plan(database, cipher, facts)
    with database.read() as session:
        view = get_audit(session=session, cipher=cipher, audit_id=ref, today=TODAY)
    assert [i.control_id for i in view.checklist] == [c.id for c in applicable_controls(facts)]
    assert view.status is AuditStatus.PLANNED
    assert view.lead_auditor == SECRET_AUDITOR
    assert view.reference == "AUD-2027-01"
    assert _plan(database, cipher, facts) == "AUD-2027-02"


def test_auditors_do_not_audit_their_own_department() -> None:
    with pytest.raises(ValidationError, match="own department"):
        plan(lead_auditor_department="営業部")


def test_from_plan_to_close_with_the_chain(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    ref = _plan(database, cipher, facts)
    controls = [c.id for c in applicable_controls(facts)]
    finding = _finding(database, cipher, ref, "R-SEC-4")
    # an observation needs the matching result
    with database.uow() as session, pytest.raises(ConflictError):
        add_finding(
            session=session, cipher=cipher, audit_id=ref, control_id="R-SEC-4",
            finding=FindingIn(kind=FindingKind.OBSERVATION, description="x"), actor=ACTOR,
        )  # fmt: skip
    action = _action(database, cipher, finding)
    with database.uow() as session:  # the other controls conform
        for control in controls:
            if control != "R-SEC-4":
                record_result(
                    session=session, cipher=cipher, audit_id=ref, control_id=control,
                    result=ItemResultIn(result=ItemResult.CONFORM), actor=ACTOR, now=at(TODAY),
                )  # fmt: skip
    with database.read() as session:
        view = get_audit(session=session, cipher=cipher, audit_id=ref, today=DUE + timedelta(1))
    assert view.status is AuditStatus.IN_PROGRESS
    assert view.performed_on == TODAY
    assert view.nonconformities == 1
    [found] = view.findings
    assert found.description == SECRET_FINDING
    assert found.control_id == "R-SEC-4"
    [act] = found.actions
    assert act.owner_person == SECRET_OWNER
    assert act.overdue  # open past its due date
    with database.uow() as session:
        view = report_audit(
            session=session, cipher=cipher, audit_id=ref, summary="指摘1件", on=TODAY,
            actor=ACTOR, now=at(TODAY),
        )  # fmt: skip
    assert view.status is AuditStatus.REPORTED
    with database.uow() as session, pytest.raises(ConflictError, match="not verified"):
        close_audit(session=session, cipher=cipher, audit_id=ref, on=TODAY, actor=ACTOR)
    with pytest.raises(ValidationError, match="effectiveness"):
        ActionProgress(status=ActionStatus.VERIFIED, on=DUE)
    with pytest.raises(ConflictError, match="done action"):
        _progress(database, cipher, action, status="verified", on=DUE, effectiveness="有効")
    _progress(database, cipher, action, status="done", on=date(2027, 8, 20))
    _progress(database, cipher, action, status="verified", on=DUE, effectiveness="再発なし")
    with database.uow() as session:
        view = close_audit(session=session, cipher=cipher, audit_id=ref, on=DUE, actor=ACTOR)
    assert view.status is AuditStatus.CLOSED
    assert view.findings[0].actions[0].effectiveness == "再発なし"

    entries = audit_entries(database)
    actions = [e.action for e in entries]
    assert actions[:3] == ["audit.planned", "audit.finding_recorded", "audit.action_added"]
    assert actions.count("audit.result_recorded") == len(controls) - 1
    assert actions[-4:] == [
        "audit.reported",
        "audit.action_done",
        "audit.action_verified",
        "audit.closed",
    ]
    assert {e.actor for e in entries} == {ACTOR}
    text = repr(entries)
    for secret in (SECRET_AUDITOR, SECRET_FINDING, SECRET_OWNER, "再発なし"):
        assert secret not in text
    with database.read() as session:  # stored encrypted
        stored = repr(
            [
                *session.execute(select(Audit.lead_auditor_enc)).scalars(),
                *session.execute(select(AuditFinding.description_enc)).scalars(),
                *session.execute(select(AuditAction.owner_person_enc)).scalars(),
            ]
        )
    for secret in (SECRET_AUDITOR, SECRET_FINDING, SECRET_OWNER):
        assert secret not in stored


def test_a_closed_audit_cannot_change_and_unknown_ids(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    ref = _plan(database, cipher, facts)
    with database.uow() as session, pytest.raises(ConflictError, match="no result"):
        report_audit(
            session=session, cipher=cipher, audit_id=ref, summary="", on=TODAY, actor=ACTOR
        )
    with database.read() as session, pytest.raises(NotFoundError):
        get_audit(session=session, cipher=cipher, audit_id="AUD-2099-01", today=TODAY)
    with database.uow() as session, pytest.raises(NotFoundError, match="no such control"):
        record_result(
            session=session, cipher=cipher, audit_id=ref, control_id="R-NOPE-1",
            result=ItemResultIn(result=ItemResult.CONFORM), actor=ACTOR,
        )  # fmt: skip


def test_text_holding_a_my_number_is_refused() -> None:
    from kojin.law.check_digits import my_number_check_digit

    number = "12345678901" + str(my_number_check_digit("12345678901"))
    with pytest.raises(ValidationError, match="individual number") as refused:
        FindingIn(kind=FindingKind.NONCONFORMITY, description=f"番号 {number} が台帳に記載")
    assert number not in refused.value.errors()[0]["msg"]
    with pytest.raises(ValidationError, match="individual number"):
        plan(lead_auditor=number)
