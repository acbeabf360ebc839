"""The dashboard's figures: open incidents, those that must be reported, and the reports that
are overdue or due within a week (R-BR-4, R-BR-5)."""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.incidents.models import Incident
from kojin.incidents.records import unseal
from kojin.incidents.register import request_counts, summary_of
from kojin.incidents.schemas import IncidentFigures, IncidentStatus, IncidentSummary

#: a report due within this many days is "due soon"
DUE_SOON_DAYS: Final = 7


def _lefts(summary: IncidentSummary) -> list[int]:
    return [d for d in (summary.days_left_preliminary, summary.days_left_final) if d is not None]


def is_overdue(summary: IncidentSummary) -> bool:
    """A report's due date (or the preliminary guide's last day) passed without the report."""
    return summary.must_report and any(d < 0 for d in _lefts(summary))


def is_due_soon(summary: IncidentSummary) -> bool:
    """Not overdue, and a report is due within :data:`DUE_SOON_DAYS` days."""
    return (
        summary.must_report
        and not is_overdue(summary)
        and any(0 <= d <= DUE_SOON_DAYS for d in _lefts(summary))
    )


def incident_figures(*, session: Session, cipher: FieldCipher, today: date) -> IncidentFigures:
    """The open incidents (newest first) and which of them are overdue or due soon."""
    rows = session.execute(
        select(Incident)
        .where(Incident.status == IncidentStatus.OPEN.value)
        .order_by(Incident.year.desc(), Incident.number.desc())
    ).scalars()
    requests = request_counts(session)
    summaries = [
        summary_of(
            row,
            title=unseal(cipher, "incidents", "title", row.id, row.title_enc),
            today=today,
            requests=requests,
        )
        for row in rows
    ]

    def soonest(s: IncidentSummary) -> int:
        return min(_lefts(s), default=0)

    return IncidentFigures(
        open_count=len(summaries),
        must_report_open=sum(1 for s in summaries if s.must_report),
        overdue=sorted((s for s in summaries if is_overdue(s)), key=soonest),
        due_soon=sorted((s for s in summaries if is_due_soon(s)), key=soonest),
        open=summaries,
    )
