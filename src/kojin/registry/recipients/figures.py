"""The register's figures for a period (R-SEC-4, R-PM-11, R-TP-FX-3): how many entrustees and
foreign recipients are active, how many checks are overdue, and what the period's checks found.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from kojin.registry.recipients.models import Recipient, RecipientCheck
from kojin.registry.recipients.schemas import CheckResult, RecipientFigures, RecipientStatus


def _one(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet `condition` (0 for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def recipient_figures(
    *, session: Session, since: date, until: date, today: date
) -> RecipientFigures:
    """Active entrustees and foreign recipients and overdue checks as of `today`; the checks
    dated from `since` to `until` (both included) and what they found."""
    active = session.execute(
        select(
            _one(Recipient.entrustee.is_(True)),
            _one(Recipient.foreign_rule16.is_(True)),
            _one(Recipient.next_check_due < today),
        ).where(Recipient.status == RecipientStatus.ACTIVE.value)
    ).one()
    checks = session.execute(
        select(
            func.count(),
            _one(RecipientCheck.result == CheckResult.ISSUES.value),
            _one(RecipientCheck.result == CheckResult.FAILED.value),
        ).where(RecipientCheck.checked_on >= since, RecipientCheck.checked_on <= until)
    ).one()
    return RecipientFigures(
        entrustees=int(active[0]),
        foreign_recipients=int(active[1]),
        checks_overdue=int(active[2]),
        checks_in_period=int(checks[0]),
        issues_in_period=int(checks[1]),
        failed_in_period=int(checks[2]),
    )
