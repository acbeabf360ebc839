"""Internal audits: plan, collect evidence, record results, findings and corrective actions,
report and close (JIS Q 15001; R-PM-5, R-PM-7).

Every function works in the caller's unit of work (it flushes, never commits) and chains what
it changed as ``audit.…`` with its actor: control ids, results, counts, dates and digests of
the text, never the text or a person's name.

The life of an audit: ``planned`` (checklist generated from the policy) → ``in_progress``
(evidence collected or a result recorded; the performed date is set on the first) →
``reported`` (to top management, R-PM-5) → ``closed`` (each nonconformity has a corrective
action and every action is verified effective, R-PM-7).
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.audit.service import lock_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, NotFoundError
from kojin.law.controls import BY_ID, applicable_controls
from kojin.law.policy_facts import PolicyFacts
from kojin.management.audits.actions import (
    _editable,
    add_action,
    close_audit,
    progress_action,
    record_report,
    report_audit,
)
from kojin.management.audits.evidence import EvidenceCache, Period, Sources
from kojin.management.audits.figures import audit_figures
from kojin.management.audits.models import Audit, AuditFinding, AuditItem
from kojin.management.audits.records import (
    chain,
    load,
    new_id,
    seal,
    text_sha256,
    tokyo_today,
)
from kojin.management.audits.schemas import (
    AuditPlan,
    AuditStatus,
    AuditView,
    EvidenceStatus,
    FindingIn,
    FindingKind,
    FindingView,
    ItemResult,
    ItemResultIn,
    ItemView,
)
from kojin.management.audits.views import (
    audit_id_for,
    finding_view,
    get_audit,
    item_view,
    list_audits,
    resolve,
)
from kojin.mynumber.filing.retention import RetentionRules

__all__ = [
    "add_action",
    "add_finding",
    "audit_figures",
    "audit_id_for",
    "close_audit",
    "collect_evidence",
    "get_audit",
    "list_audits",
    "plan_audit",
    "progress_action",
    "record_report",
    "record_result",
    "report_audit",
]

#: which finding a result calls for
_FINDING_FOR = {
    ItemResult.NONCONFORM: FindingKind.NONCONFORMITY,
    ItemResult.OBSERVATION: FindingKind.OBSERVATION,
}


def reference_for(year: int, number: int) -> str:
    return f"AUD-{year}-{number:02d}"


def _started(row: Audit, now: datetime) -> None:
    if row.status == AuditStatus.PLANNED.value:
        row.status = AuditStatus.IN_PROGRESS.value
    row.updated_at = now


def plan_audit(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: PolicyFacts,
    plan: AuditPlan,
    actor: str,
    now: datetime | None = None,
) -> AuditView:
    """Plan an audit: its checklist holds one item per control that applies under `policy`
    (:func:`kojin.law.controls.applicable_controls`); ``audit.planned``."""
    moment = now or utcnow()
    lock_chain(session=session)  # one writer at a time: two audits never share a number
    year = plan.planned_on.year
    last = session.execute(select(func.max(Audit.number)).where(Audit.year == year))
    number = int(last.scalar_one() or 0) + 1
    key = cipher.current_key_id
    row = Audit(
        id=new_id(),
        reference=reference_for(year, number),
        year=year,
        number=number,
        title=plan.title,
        period_from=plan.period_from,
        period_to=plan.period_to,
        scope_departments=json.dumps(plan.scope_departments, ensure_ascii=False),
        lead_auditor_department=plan.lead_auditor_department,
        planned_on=plan.planned_on,
        status=AuditStatus.PLANNED.value,
        created_at=moment,
        updated_at=moment,
        created_by=actor[:200],
        key_id=key,
    )
    row.lead_auditor_enc = seal(cipher, "audits", "lead_auditor", row.id, key, plan.lead_auditor)
    session.add(row)
    controls = applicable_controls(policy)
    session.add_all(
        AuditItem(
            id=new_id(),
            audit_id=row.id,
            seq=seq,
            control_id=control.id,
            source=control.source.value,
            key_id=key,
        )
        for seq, control in enumerate(controls, start=1)
    )
    chain(
        session=session,
        audit=row,
        actor=actor,
        action="audit.planned",
        now=moment,
        details={
            "period_from": plan.period_from.isoformat(),
            "period_to": plan.period_to.isoformat(),
            "planned_on": plan.planned_on.isoformat(),
            "departments": len(plan.scope_departments),
            "controls": len(controls),
        },
    )
    return get_audit(session=session, cipher=cipher, audit_id=row.id, today=tokyo_today(moment))


def collect_evidence(
    *,
    session: Session,
    cipher: FieldCipher,
    audit_id: str,
    actor: str,
    vault: Session | None = None,
    retention: RetentionRules | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> AuditView:
    """Count kojin's records for every item of the checklist over the audit's period and keep
    the counts as the item's evidence (a snapshot, replaced by the next collection);
    ``audit.evidence_collected`` with how many items were collected and how many need
    attention. `vault` and `retention` (the My Number vault session and retention rules) give
    R-MN-7 its evidence; without them it stays manual."""
    moment = now or utcnow()
    day = today or tokyo_today(moment)
    row = load(session, Audit, resolve(session, audit_id), "audit", for_update=True)
    _editable(row)
    cache = EvidenceCache(
        Sources(registry=session, vault=vault, retention=retention),
        Period(since=row.period_from, until=row.period_to, today=day, now=moment),
    )
    items = session.execute(select(AuditItem).where(AuditItem.audit_id == row.id)).scalars()
    collected = attention = 0
    for item in items:
        control = BY_ID.get(item.control_id)
        if control is None:
            continue
        evidence = cache.for_control(control)
        item.evidence = evidence.model_dump_json()
        item.collected_at = moment
        collected += int(evidence.status is not EvidenceStatus.MANUAL)
        attention += int(evidence.status is EvidenceStatus.ATTENTION)
    _started(row, moment)
    chain(
        session=session,
        audit=row,
        actor=actor,
        action="audit.evidence_collected",
        now=moment,
        details={"collected": collected, "attention": attention, "today": day.isoformat()},
    )
    return get_audit(session=session, cipher=cipher, audit_id=row.id, today=day)


def _item(session: Session, audit: Audit, control_id: str) -> AuditItem:
    item = session.execute(
        select(AuditItem).where(
            AuditItem.audit_id == audit.id, AuditItem.control_id == control_id.upper()
        )
    ).scalar_one_or_none()
    if item is None:
        raise NotFoundError("the audit's checklist has no such control")
    return item


def record_result(
    *,
    session: Session,
    cipher: FieldCipher,
    audit_id: str,
    control_id: str,
    result: ItemResultIn,
    actor: str,
    now: datetime | None = None,
) -> ItemView:
    """Record the auditor's result on one control (replacing an earlier one);
    ``audit.result_recorded``. A result that no longer calls for an existing finding's kind
    is refused (ConflictError)."""
    moment = now or utcnow()
    row = load(session, Audit, resolve(session, audit_id), "audit", for_update=True)
    _editable(row)
    item = _item(session, row, control_id)
    kinds = set(
        session.execute(select(AuditFinding.kind).where(AuditFinding.item_id == item.id)).scalars()
    )
    wanted = _FINDING_FOR.get(result.result)
    if kinds and (wanted is None or kinds != {wanted.value}):
        raise ConflictError("the control has findings of another kind: the result must match them")
    item.result = result.result.value
    item.notes_enc = (
        seal(cipher, "audit_items", "notes", item.id, item.key_id, result.notes)
        if result.notes
        else None
    )
    item.recorded_by = actor[:200]
    item.recorded_at = moment
    if row.performed_on is None:
        row.performed_on = tokyo_today(moment)
    _started(row, moment)
    chain(
        session=session,
        audit=row,
        actor=actor,
        action="audit.result_recorded",
        now=moment,
        details={
            "control": item.control_id,
            "result": result.result.value,
            "notes_sha256": text_sha256(result.notes) if result.notes else None,
        },
    )
    return item_view(cipher, item)


def add_finding(
    *,
    session: Session,
    cipher: FieldCipher,
    audit_id: str,
    control_id: str,
    finding: FindingIn,
    actor: str,
    now: datetime | None = None,
) -> FindingView:
    """Record a finding on one control (R-PM-7: what is wrong and its root cause). A control
    without a result takes the result the finding calls for; one with another result is
    refused (ConflictError). ``audit.finding_recorded``."""
    moment = now or utcnow()
    row = load(session, Audit, resolve(session, audit_id), "audit", for_update=True)
    _editable(row)
    item = _item(session, row, control_id)
    wanted = (
        ItemResult.NONCONFORM
        if finding.kind is FindingKind.NONCONFORMITY
        else ItemResult.OBSERVATION
    )
    if item.result is None:
        item.result = wanted.value
        item.recorded_by = actor[:200]
        item.recorded_at = moment
    elif item.result != wanted.value:
        raise ConflictError(
            f"a {finding.kind.value} needs the control's result to be {wanted.value}"
        )
    last = session.execute(
        select(func.max(AuditFinding.number)).where(AuditFinding.audit_id == row.id)
    ).scalar_one()
    key = cipher.current_key_id
    t = "audit_findings"
    added = AuditFinding(
        id=new_id(),
        audit_id=row.id,
        item_id=item.id,
        number=int(last or 0) + 1,
        kind=finding.kind.value,
        created_at=moment,
        created_by=actor[:200],
        key_id=key,
    )
    added.description_enc = seal(cipher, t, "description", added.id, key, finding.description)
    if finding.root_cause:
        added.root_cause_enc = seal(cipher, t, "root_cause", added.id, key, finding.root_cause)
    session.add(added)
    if row.performed_on is None:
        row.performed_on = tokyo_today(moment)
    _started(row, moment)
    chain(
        session=session,
        audit=row,
        actor=actor,
        action="audit.finding_recorded",
        now=moment,
        details={
            "finding_id": added.id,
            "number": added.number,
            "control": item.control_id,
            "kind": finding.kind.value,
            "description_sha256": text_sha256(finding.description),
        },
    )
    return finding_view(cipher, added, item.control_id, [])
