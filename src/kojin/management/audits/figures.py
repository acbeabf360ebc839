"""The internal audits of a period in numbers, for the management review (R-PM-8)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.management.audits.models import Audit, AuditAction, AuditItem
from kojin.management.audits.schemas import ActionStatus, AuditFigures, ItemResult


def audit_figures(
    session: Session, *, since: date, until: date, today: date | None = None
) -> AuditFigures:
    """The audits performed (or, not yet performed, planned) from `since` to `until`
    inclusive, their checklist items and results, and their corrective actions: open, open
    past their due date on `today` (by default `until`), and done or verified."""
    on = func.coalesce(Audit.performed_on, Audit.planned_on)
    audit_ids = select(Audit.id).where(on >= since, on <= until)
    audits = session.execute(
        select(func.count()).select_from(Audit).where(Audit.id.in_(audit_ids))
    ).scalar_one()
    results = dict(
        session.execute(
            select(AuditItem.result, func.count())
            .where(AuditItem.audit_id.in_(audit_ids))
            .group_by(AuditItem.result)
        ).all()
    )
    day = today or until
    actions = session.execute(
        select(AuditAction.status, AuditAction.due_on).where(AuditAction.audit_id.in_(audit_ids))
    ).all()
    open_ = [due for status, due in actions if status == ActionStatus.OPEN.value]
    return AuditFigures(
        audits=int(audits),
        items=sum(int(n) for n in results.values()),
        nonconformities=int(results.get(ItemResult.NONCONFORM.value, 0)),
        observations=int(results.get(ItemResult.OBSERVATION.value, 0)),
        actions_open=len(open_),
        actions_overdue=sum(1 for due in open_ if due < day),
        actions_done=len(actions) - len(open_),
    )
