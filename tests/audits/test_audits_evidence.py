"""The checklist's automatic evidence matches what the registry holds: real decisions and
provision records, requests, incidents, My Number disposals and the audit chain, in the audit's
period only."""

from __future__ import annotations

from datetime import date

from audits_support import (
    ACTOR,
    SINCE,
    TODAY,
    UNTIL,
    add_incident,
    add_request,
    at,
    plan,
    provide,
    use,
)
from sqlalchemy import delete, func, select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.incidents.models import Incident
from kojin.incidents.schemas import IncidentStep
from kojin.law.policy_facts import PolicyFacts
from kojin.management.audits.schemas import AuditView, EvidenceStatus
from kojin.management.audits.service import collect_evidence, plan_audit
from kojin.registry.provisions.models import ProvisionRecord
from kojin.requests.kinds import RequestKind


def _collect(database: Database, cipher: FieldCipher, facts: PolicyFacts) -> AuditView:
    with database.uow() as session:
        audit = plan_audit(session=session, cipher=cipher, policy=facts, plan=plan(), actor=ACTOR)
    with database.uow() as session:
        return collect_evidence(
            session=session,
            cipher=cipher,
            audit_id=audit.reference,
            actor=ACTOR,
            today=TODAY,
            now=at(TODAY),
        )


def _counts(view: AuditView, control: str) -> dict[str, int]:
    item = next(i for i in view.checklist if i.control_id == control)
    assert item.evidence is not None
    return item.evidence.counts


def _status(view: AuditView, control: str) -> EvidenceStatus:
    item = next(i for i in view.checklist if i.control_id == control)
    assert item.evidence is not None
    return item.evidence.status


def test_provision_records_match_the_registry(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    kept = provide(database, facts, consent=True, on=date(2027, 4, 15))
    lost = provide(database, facts, consent=True, on=date(2027, 6, 30))
    provide(database, facts, consent=True, on=date(2027, 3, 31))  # before the period
    provide(database, facts, consent=False, on=date(2027, 5, 1))  # refused: no record owed
    use(database, facts, on=date(2027, 5, 2))  # allowed, no record owed
    assert len(kept) == len(lost) == 1
    with database.uow() as session:  # a record lost from the registry
        session.execute(delete(ProvisionRecord).where(ProvisionRecord.id == lost[0]))
    with database.read() as session:
        in_period = session.execute(
            select(func.count())
            .select_from(ProvisionRecord)
            .where(
                ProvisionRecord.provided_at >= at(SINCE, 0),
                ProvisionRecord.provided_at < at(date(2027, 7, 1), 0),
            )
        ).scalar_one()
    view = _collect(database, cipher, facts)
    assert _counts(view, "R-TP-REC-1") == {
        "allowed_decisions": 3,
        "records_required": 2,
        "records_present": 1,
        "missing": 1,
        "provision_records": in_period,
    }
    assert in_period == 1
    assert _status(view, "R-TP-REC-1") is EvidenceStatus.ATTENTION


def test_request_deadlines_match_the_registry(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    add_request(
        database, kind=RequestKind.DISCLOSURE, submitted=date(2027, 4, 10),
        due=date(2027, 4, 24), closed=date(2027, 4, 20),
    )  # fmt: skip
    add_request(
        database, kind=RequestKind.DISCLOSURE, submitted=date(2027, 5, 1),
        due=date(2027, 5, 15), closed=date(2027, 5, 20),
    )  # fmt: skip
    add_request(
        database, kind=RequestKind.CORRECTION, submitted=date(2027, 6, 1), due=date(2027, 6, 15)
    )
    add_request(
        database, kind=RequestKind.ERASURE, submitted=date(2027, 3, 1),
        due=date(2027, 3, 15), closed=date(2027, 4, 2),
    )  # fmt: skip
    add_request(
        database, kind=RequestKind.DISCLOSURE, submitted=date(2027, 7, 2), due=date(2027, 7, 16)
    )  # after the period
    view = _collect(database, cipher, facts)
    assert _counts(view, "R-RT-3") == {
        "received": 2,
        "closed": 2,
        "closed_on_time": 1,
        "closed_late": 1,
        "withdrawn": 0,
        "open_past_due": 0,
    }
    assert _counts(view, "R-RT-5") == {
        "received": 1,
        "closed": 0,
        "closed_on_time": 0,
        "closed_late": 0,
        "withdrawn": 0,
        "open_past_due": 1,
    }
    assert _counts(view, "R-RT-10") == {
        "received": 3,
        "closed": 3,
        "closed_on_time": 1,
        "closed_late": 2,
        "withdrawn": 0,
        "open_past_due": 1,
    }
    assert _counts(view, "R-RT-2")["received"] == 0
    assert _status(view, "R-RT-2") is EvidenceStatus.OK
    assert _status(view, "R-RT-3") is EvidenceStatus.ATTENTION


def test_incident_clocks_match_the_registry(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    add_incident(
        database, cipher, known_on=date(2027, 4, 7), persons=5000,
        steps=(
            (IncidentStep.PRELIMINARY_REPORTED, date(2027, 4, 9)),
            (IncidentStep.FINAL_REPORTED, date(2027, 5, 1)),
        ),
    )  # fmt: skip
    add_incident(
        database, cipher, known_on=date(2027, 5, 10), persons=5000,
        steps=((IncidentStep.PRELIMINARY_REPORTED, date(2027, 5, 25)),),
    )  # fmt: skip
    add_incident(database, cipher, known_on=date(2027, 4, 20), persons=10)  # not reportable
    add_incident(database, cipher, known_on=date(2027, 3, 20), persons=5000)  # before
    with database.read() as session:
        known = session.execute(
            select(func.count()).where(Incident.known_on.between(SINCE, UNTIL))
        ).scalar_one()
        reportable = session.execute(
            select(func.count()).where(
                Incident.known_on.between(SINCE, UNTIL), Incident.must_report.is_(True)
            )
        ).scalar_one()
    view = _collect(database, cipher, facts)
    counts = _counts(view, "R-BR-5")
    assert counts["incidents"] == known == 3
    assert counts["must_report"] == reportable == 2
    assert counts["preliminary_on_time"] == 1
    assert counts["preliminary_late"] == 1
    assert counts["final_on_time"] == 1
    assert counts["final_missing"] == 1
    assert counts["final_late"] == counts["preliminary_missing"] == 0
    assert _counts(view, "R-BR-4") == counts  # one collection per source
    assert _status(view, "R-BR-5") is EvidenceStatus.ATTENTION


def test_audit_chain_and_manual_sources(
    database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    use(database, facts, on=date(2027, 5, 2))
    with database.read() as session:
        before = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    view = _collect(database, cipher, facts)
    counts = _counts(view, "R-SEC-2")
    # the chain as it stood when collected: the decision and the planning entry
    assert counts == {"entries_checked": before + 1, "intact": 1}
    assert _status(view, "R-SEC-2") is EvidenceStatus.OK
    # without the vault open, My Number disposals are collected by hand
    assert _status(view, "R-MN-7") is EvidenceStatus.MANUAL
    assert _status(view, "R-PUR-1") is EvidenceStatus.MANUAL
