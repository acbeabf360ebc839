"""Corrective actions (R-PM-7), the report to top management (R-PM-5) and closing an audit.

Like :mod:`kojin.management.audits.service`, every function works in the caller's unit of work
and chains what it changed as ``audit.…`` with its actor, never the text.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError
from kojin.management.audits.models import Audit, AuditAction, AuditFinding, AuditItem
from kojin.management.audits.records import (
    OBJECT_ACTION,
    chain,
    load,
    new_id,
    seal,
    text_sha256,
    tokyo_today,
)
from kojin.management.audits.schemas import (
    ActionIn,
    ActionProgress,
    ActionStatus,
    ActionView,
    AuditStatus,
    AuditView,
    FindingKind,
)
from kojin.management.audits.views import action_view, get_audit, resolve
from kojin.registry.subjects.text import storable


def _editable(row: Audit) -> None:
    """ConflictError when the audit is closed: a closed audit does not change."""
    if row.status == AuditStatus.CLOSED.value:
        raise ConflictError("the audit is closed")


def add_action(
    *,
    session: Session,
    cipher: FieldCipher,
    finding_id: str,
    action: ActionIn,
    actor: str,
    now: datetime | None = None,
) -> ActionView:
    """Add a corrective action to a finding: what, which department (and person) owns it, by
    when, and when to follow it up (R-PM-7); ``audit.action_added``."""
    moment = now or utcnow()
    finding = load(session, AuditFinding, finding_id, "finding")
    row = load(session, Audit, finding.audit_id, "audit", for_update=True)
    _editable(row)
    key = cipher.current_key_id
    t = "audit_actions"
    added = AuditAction(
        id=new_id(),
        audit_id=row.id,
        finding_id=finding.id,
        owner_department=action.owner_department,
        due_on=action.due_on,
        follow_up_on=action.follow_up_on,
        status=ActionStatus.OPEN.value,
        created_at=moment,
        updated_at=moment,
        created_by=actor[:200],
        key_id=key,
    )
    added.action_enc = seal(cipher, t, "action", added.id, key, action.action)
    if action.owner_person:
        added.owner_person_enc = seal(cipher, t, "owner_person", added.id, key, action.owner_person)
    session.add(added)
    row.updated_at = moment
    chain(
        session=session,
        audit=row,
        actor=actor,
        action="audit.action_added",
        now=moment,
        object_type=OBJECT_ACTION,
        object_id=added.id,
        details={
            "finding_id": finding.id,
            "due_on": action.due_on.isoformat(),
            "owner_department_sha256": text_sha256(action.owner_department),
            "action_sha256": text_sha256(action.action),
        },
    )
    return action_view(cipher, added, tokyo_today(moment))


def progress_action(
    *,
    session: Session,
    cipher: FieldCipher,
    action_id: str,
    progress: ActionProgress,
    actor: str,
    now: datetime | None = None,
) -> ActionView:
    """Mark a corrective action done (by its owner) or verified effective (by the auditor,
    after it is done, with the effectiveness check); ``audit.action_done`` /
    ``audit.action_verified``."""
    moment = now or utcnow()
    added = load(session, AuditAction, action_id, "corrective action", for_update=True)
    row = load(session, Audit, added.audit_id, "audit", for_update=True)
    _editable(row)
    current = ActionStatus(added.status)
    if progress.status is ActionStatus.DONE:
        if current is not ActionStatus.OPEN:
            raise ConflictError("only an open action can be marked done")
        added.done_on = progress.on
    else:
        if current is not ActionStatus.DONE:
            raise ConflictError("only a done action can be verified")
        if progress.on < (added.done_on or progress.on):
            raise ConflictError("an action cannot be verified before it was done")
        added.verified_on = progress.on
    added.status = progress.status.value
    if progress.effectiveness:
        added.effectiveness_enc = seal(
            cipher, "audit_actions", "effectiveness", added.id, added.key_id, progress.effectiveness
        )
    if progress.follow_up_on is not None:
        added.follow_up_on = progress.follow_up_on
    added.updated_at = moment
    row.updated_at = moment
    chain(
        session=session,
        audit=row,
        actor=actor,
        action=f"audit.action_{progress.status.value}",
        now=moment,
        object_type=OBJECT_ACTION,
        object_id=added.id,
        details={
            "on": progress.on.isoformat(),
            "effectiveness_sha256": (
                text_sha256(progress.effectiveness) if progress.effectiveness else None
            ),
        },
    )
    return action_view(cipher, added, tokyo_today(moment))


def report_audit(
    *,
    session: Session,
    cipher: FieldCipher,
    audit_id: str,
    summary: str,
    on: date,
    actor: str,
    now: datetime | None = None,
) -> AuditView:
    """Record that the audit was reported to top management on `on`, with the auditor's
    summary (R-PM-5). Every item needs a result first (ConflictError); ``audit.reported``."""
    moment = now or utcnow()
    row = load(session, Audit, resolve(session, audit_id), "audit", for_update=True)
    _editable(row)
    pending = session.execute(
        select(func.count())
        .select_from(AuditItem)
        .where(AuditItem.audit_id == row.id, AuditItem.result.is_(None))
    ).scalar_one()
    if pending:
        raise ConflictError(f"{pending} controls have no result yet")
    try:
        text = storable(summary)
    except ValueError as exc:
        raise InputError(f"summary {exc}", field="summary") from None
    row.summary_enc = seal(cipher, "audits", "summary", row.id, row.key_id, text) if text else None
    row.reported_on = on
    row.status = AuditStatus.REPORTED.value
    row.updated_at = moment
    chain(
        session=session,
        audit=row,
        actor=actor,
        action="audit.reported",
        now=moment,
        details={"on": on.isoformat(), "summary_sha256": text_sha256(text) if text else None},
    )
    return get_audit(session=session, cipher=cipher, audit_id=row.id, today=tokyo_today(moment))


def close_audit(
    *,
    session: Session,
    cipher: FieldCipher,
    audit_id: str,
    on: date,
    actor: str,
    now: datetime | None = None,
) -> AuditView:
    """Close a reported audit: every nonconformity has a corrective action and every action is
    verified (R-PM-7), else ConflictError; ``audit.closed``."""
    moment = now or utcnow()
    row = load(session, Audit, resolve(session, audit_id), "audit", for_update=True)
    if row.status != AuditStatus.REPORTED.value:
        raise ConflictError("only a reported audit can be closed")
    unverified = session.execute(
        select(func.count())
        .select_from(AuditAction)
        .where(AuditAction.audit_id == row.id, AuditAction.status != ActionStatus.VERIFIED.value)
    ).scalar_one()
    if unverified:
        raise ConflictError(f"{unverified} corrective actions are not verified yet")
    without = session.execute(
        select(func.count())
        .select_from(AuditFinding)
        .where(
            AuditFinding.audit_id == row.id,
            AuditFinding.kind == FindingKind.NONCONFORMITY.value,
            ~select(AuditAction.id).where(AuditAction.finding_id == AuditFinding.id).exists(),
        )
    ).scalar_one()
    if without:
        raise ConflictError(f"{without} nonconformities have no corrective action")
    row.status = AuditStatus.CLOSED.value
    row.closed_on = on
    row.updated_at = moment
    chain(
        session=session, audit=row, actor=actor, action="audit.closed", now=moment,
        details={"on": on.isoformat()},
    )  # fmt: skip
    return get_audit(session=session, cipher=cipher, audit_id=row.id, today=tokyo_today(moment))


def record_report(
    *, session: Session, audit_id: str, actor: str, what: str, now: datetime | None = None
) -> None:
    """Chain that the report was written or downloaded (``what``: ``html.ja``, ``pdf.en``
    ...); ``audit.report_written``."""
    row = load(session, Audit, resolve(session, audit_id), "audit")
    chain(
        session=session,
        audit=row,
        actor=actor,
        action="audit.report_written",
        now=now or utcnow(),
        details={"what": what},
    )
