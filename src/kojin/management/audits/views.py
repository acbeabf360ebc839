"""Reading audits: the list, one audit with its checklist, findings and actions."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.errors import NotFoundError
from kojin.law.controls import BY_ID, EvidenceSource
from kojin.management.audits.models import Audit, AuditAction, AuditFinding, AuditItem
from kojin.management.audits.records import load, unseal, unseal_opt
from kojin.management.audits.schemas import (
    ActionStatus,
    ActionView,
    AuditPage,
    AuditStatus,
    AuditSummary,
    AuditView,
    Evidence,
    FindingKind,
    FindingView,
    ItemResult,
    ItemView,
)

#: the one answer to an id or a reference that names no audit
AUDIT_NOT_FOUND: Final = "audit not found"


def departments(row: Audit) -> list[str]:
    value = json.loads(row.scope_departments)
    return [str(v) for v in value]


def _summary(row: Audit, items: int, results: int, nonconform: int, open_: int) -> AuditSummary:
    return AuditSummary(
        id=row.id,
        reference=row.reference,
        title=row.title,
        period_from=row.period_from,
        period_to=row.period_to,
        scope_departments=departments(row),
        lead_auditor_department=row.lead_auditor_department,
        planned_on=row.planned_on,
        performed_on=row.performed_on,
        reported_on=row.reported_on,
        closed_on=row.closed_on,
        status=AuditStatus(row.status),
        items=items,
        results=results,
        nonconformities=nonconform,
        actions_open=open_,
    )


def list_audits(
    *, session: Session, status: AuditStatus | None = None, limit: int = 50, offset: int = 0
) -> AuditPage:
    """Audits, the latest planned first, with their counts."""
    query = select(Audit)
    if status is not None:
        query = query.where(Audit.status == status.value)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = (
        session.execute(
            query.order_by(Audit.planned_on.desc(), Audit.number.desc()).limit(limit).offset(offset)
        )
        .scalars()
        .all()
    )
    ids = [r.id for r in rows]
    items: Counter[str] = Counter()
    results: Counter[str] = Counter()
    nonconform: Counter[str] = Counter()
    for audit_id, result, n in session.execute(
        select(AuditItem.audit_id, AuditItem.result, func.count())
        .where(AuditItem.audit_id.in_(ids))
        .group_by(AuditItem.audit_id, AuditItem.result)
    ):
        items[audit_id] += n
        results[audit_id] += n if result is not None else 0
        nonconform[audit_id] += n if result == ItemResult.NONCONFORM.value else 0
    open_ = Counter(
        dict(
            session.execute(
                select(AuditAction.audit_id, func.count())
                .where(AuditAction.audit_id.in_(ids), AuditAction.status == ActionStatus.OPEN.value)
                .group_by(AuditAction.audit_id)
            ).all()
        )
    )
    return AuditPage(
        total=int(total),
        audits=[
            _summary(r, items[r.id], results[r.id], nonconform[r.id], open_[r.id]) for r in rows
        ],
    )


def audit_id_for(*, session: Session, reference: str) -> str | None:
    """The id of the audit `reference` (``AUD-YYYY-NN``), if any."""
    return session.execute(
        select(Audit.id).where(Audit.reference == reference)
    ).scalar_one_or_none()


def resolve(session: Session, key: str) -> str:
    """An audit id from an id or a reference; NotFoundError otherwise."""
    if key.upper().startswith("AUD-"):
        found = audit_id_for(session=session, reference=key.upper())
        if found is None:
            raise NotFoundError(AUDIT_NOT_FOUND)
        return found
    return load(session, Audit, key, "audit").id


def action_view(cipher: FieldCipher, row: AuditAction, today: date) -> ActionView:
    t = "audit_actions"
    return ActionView(
        id=row.id,
        finding_id=row.finding_id,
        action=unseal(cipher, t, "action", row.id, row.action_enc),
        owner_department=row.owner_department,
        owner_person=unseal_opt(cipher, t, "owner_person", row.id, row.owner_person_enc),
        due_on=row.due_on,
        status=ActionStatus(row.status),
        overdue=row.status == ActionStatus.OPEN.value and row.due_on < today,
        done_on=row.done_on,
        verified_on=row.verified_on,
        effectiveness=unseal_opt(cipher, t, "effectiveness", row.id, row.effectiveness_enc),
        follow_up_on=row.follow_up_on,
    )


def item_view(cipher: FieldCipher, row: AuditItem) -> ItemView:
    control = BY_ID.get(row.control_id)
    return ItemView(
        id=row.id,
        seq=row.seq,
        control_id=row.control_id,
        section="" if control is None else control.section,
        title_en=row.control_id if control is None else control.en,
        title_ja=row.control_id if control is None else control.ja,
        source=EvidenceSource(row.source),
        evidence=None if row.evidence is None else Evidence.model_validate_json(row.evidence),
        result=None if row.result is None else ItemResult(row.result),
        notes=unseal_opt(cipher, "audit_items", "notes", row.id, row.notes_enc),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def finding_view(
    cipher: FieldCipher, row: AuditFinding, control_id: str, actions: list[ActionView]
) -> FindingView:
    t = "audit_findings"
    return FindingView(
        id=row.id,
        number=row.number,
        item_id=row.item_id,
        control_id=control_id,
        kind=FindingKind(row.kind),
        description=unseal(cipher, t, "description", row.id, row.description_enc),
        root_cause=unseal_opt(cipher, t, "root_cause", row.id, row.root_cause_enc),
        created_at=row.created_at,
        created_by=row.created_by,
        actions=actions,
    )


def get_audit(*, session: Session, cipher: FieldCipher, audit_id: str, today: date) -> AuditView:
    """The audit `audit_id` (an id or a reference) with its checklist, findings and actions;
    `today` decides which actions are overdue."""
    row = load(session, Audit, resolve(session, audit_id), "audit")
    items = (
        session.execute(
            select(AuditItem).where(AuditItem.audit_id == row.id).order_by(AuditItem.seq)
        )
        .scalars()
        .all()
    )
    controls = {i.id: i.control_id for i in items}
    actions: dict[str, list[ActionView]] = defaultdict(list)
    for action in session.execute(
        select(AuditAction)
        .where(AuditAction.audit_id == row.id)
        .order_by(AuditAction.due_on, AuditAction.created_at)
    ).scalars():
        actions[action.finding_id].append(action_view(cipher, action, today))
    findings = [
        finding_view(cipher, f, controls[f.item_id], actions[f.id])
        for f in session.execute(
            select(AuditFinding)
            .where(AuditFinding.audit_id == row.id)
            .order_by(AuditFinding.number)
        ).scalars()
    ]
    checklist = [item_view(cipher, i) for i in items]
    summary = _summary(
        row,
        len(checklist),
        sum(1 for i in checklist if i.result is not None),
        sum(1 for i in checklist if i.result is ItemResult.NONCONFORM),
        sum(1 for f in findings for a in f.actions if a.status is ActionStatus.OPEN),
    )
    return AuditView(
        **summary.model_dump(),
        lead_auditor=unseal(cipher, "audits", "lead_auditor", row.id, row.lead_auditor_enc),
        summary=unseal_opt(cipher, "audits", "summary", row.id, row.summary_enc),
        checklist=checklist,
        findings=findings,
        created_at=row.created_at,
        created_by=row.created_by,
    )
