"""Gather a review's inputs from kojin's records: requests (R-RT-*), incidents (R-BR-*) and the
figures of the management system's other registers, plus the improvement opportunities they show.

Requests count by their arrival (``received_at``, the day the person's e-mail was proved, Art.
39(1)) and their closing (``closed_at``), as days in Japan. An answer is on time when the
request was closed on or before its due date (``due_on``, set on arrival from the policy's
business days; a request without one cannot be late); a withdrawal owes no answer and is
counted apart, so closed = on time + late + withdrawn. The internal audit's request evidence
(:mod:`kojin.management.audits.evidence`) counts the same way. Incidents count by the day a
department first knew of them (day 1 of the Commission's clocks); a report is on time when it
was made by the preliminary guide date (R-BR-4) or the final due date (R-BR-5).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Row, and_, or_, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.incidents.models import Incident
from kojin.incidents.service import incident_figures
from kojin.management.audits.figures import audit_figures
from kojin.management.review.periods import bounds, month_of, months_of
from kojin.management.review.schemas import (
    IncidentPeriodFigures,
    KindRequests,
    MonthIncidents,
    MonthRequests,
    Opportunity,
    RequestFigures,
    ReviewInputs,
)
from kojin.management.risks.service import risk_figures
from kojin.management.training.service import training_figures
from kojin.registry.obligations.figures import task_figures
from kojin.registry.recipients.figures import recipient_figures
from kojin.requests.clock import tokyo_date
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState


@dataclass
class _Tally:
    received: int = 0
    closed: int = 0
    on_time: int = 0
    late: int = 0
    withdrawn: int = 0
    open_at_end: int = 0
    overdue_now: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def closing(self, *, withdrawn: bool, on_time: bool) -> None:
        self.closed += 1
        if withdrawn:
            self.withdrawn += 1
        elif on_time:
            self.on_time += 1
        else:
            self.late += 1


def _request_rows(
    session: Session, since: date, until: date
) -> Sequence[Row[str, str, datetime | None, date | None, datetime | None]]:
    """The requests that matter for the period: arrived before its end, and not closed before
    its start (or still open)."""
    start, end = bounds(since, until)
    return session.execute(
        select(
            DataRequest.kind,
            DataRequest.state,
            DataRequest.received_at,
            DataRequest.due_on,
            DataRequest.closed_at,
        ).where(
            DataRequest.received_at.is_not(None),
            DataRequest.received_at < end,
            or_(DataRequest.closed_at.is_(None), DataRequest.closed_at >= start),
        )
    ).all()


def request_figures(*, session: Session, since: date, until: date, today: date) -> RequestFigures:
    """Requests and complaints of the period by kind and by month (see the module docstring)."""
    months = months_of(since, until)
    by_kind = {kind.value: _Tally() for kind in RequestKind}
    by_month = {month: _Tally() for month in months}
    total = _Tally()
    for kind, state, received_at, due_on, closed_at in _request_rows(session, since, until):
        if received_at is None:  # pragma: no cover - the query asks for arrived requests only
            continue
        tallies = [total, by_kind.setdefault(kind, _Tally())]
        arrived = tokyo_date(received_at)
        if since <= arrived <= until:
            for tally in (*tallies, by_month[month_of(arrived)]):
                tally.received += 1
        closed_on = None if closed_at is None else tokyo_date(closed_at)
        if closed_on is not None and since <= closed_on <= until:
            withdrawn = state == RequestState.WITHDRAWN.value
            # no due date, no lateness (as the internal audit's request evidence counts)
            on_time = due_on is None or closed_on <= due_on
            for tally in (*tallies, by_month[month_of(closed_on)]):
                tally.closing(withdrawn=withdrawn, on_time=on_time)
        if arrived <= until and (closed_on is None or closed_on > until):
            for tally in tallies:
                tally.open_at_end += 1
        if closed_at is None and due_on is not None and today > due_on:
            for tally in tallies:
                tally.overdue_now += 1

    def kind_counts(kind: str, tally: _Tally) -> KindRequests:
        return KindRequests(
            kind=kind,
            received=tally.received,
            closed=tally.closed,
            on_time=tally.on_time,
            late=tally.late,
            withdrawn=tally.withdrawn,
            open_at_end=tally.open_at_end,
            overdue_now=tally.overdue_now,
        )

    return RequestFigures(
        total=kind_counts("all", total),
        by_kind=[kind_counts(kind, tally) for kind, tally in by_kind.items()],
        by_month=[
            MonthRequests(
                month=month,
                received=tally.received,
                closed=tally.closed,
                on_time=tally.on_time,
                late=tally.late,
                withdrawn=tally.withdrawn,
            )
            for month, tally in by_month.items()
        ],
    )


def _known_on(row: Incident) -> date:
    return row.known_on or tokyo_date(row.created_at)


def _report_timing(done: date | None, due: date | None, today: date) -> str | None:
    """``on_time``, ``late``, ``overdue`` (not made, due date passed) or None (no clock, or
    not yet due)."""
    if due is None:
        return None
    if done is not None:
        return "on_time" if done <= due else "late"
    return "overdue" if today > due else None


def incident_period_figures(
    *, session: Session, cipher: FieldCipher, since: date, until: date, today: date
) -> IncidentPeriodFigures:
    """Incidents known in the period by kind and month, their reports' timing, and the
    register's open incidents today."""
    start, end = bounds(since, until)
    rows = session.execute(
        select(Incident).where(
            or_(
                and_(Incident.known_on >= since, Incident.known_on <= until),
                and_(
                    Incident.known_on.is_(None),
                    Incident.created_at >= start,
                    Incident.created_at < end,
                ),
            )
        )
    ).scalars()
    months = {month: [0, 0] for month in months_of(since, until)}
    kinds: Counter[str] = Counter()
    timing: Counter[str] = Counter()
    known = reportable = 0
    for row in rows:
        known += 1
        kinds[row.kind] += 1
        counts = months[month_of(_known_on(row))]
        counts[0] += 1
        if not row.must_report:
            continue
        reportable += 1
        counts[1] += 1
        # a final report made stands for the preliminary one as well
        preliminary = row.preliminary_reported_on or row.final_reported_on
        first = _report_timing(preliminary, row.preliminary_by, today)
        final = _report_timing(row.final_reported_on, row.final_due, today)
        if first in ("on_time", "late"):
            timing[f"preliminary_{first}"] += 1
        if final is not None:
            timing[f"final_{final}"] += 1
    now = incident_figures(session=session, cipher=cipher, today=today)
    return IncidentPeriodFigures(
        known=known,
        reportable=reportable,
        by_kind=dict(sorted(kinds.items())),
        by_month=[
            MonthIncidents(month=month, known=k, reportable=r) for month, (k, r) in months.items()
        ],
        preliminary_on_time=timing["preliminary_on_time"],
        preliminary_late=timing["preliminary_late"],
        final_on_time=timing["final_on_time"],
        final_late=timing["final_late"],
        final_overdue=timing["final_overdue"],
        open_now=now.open_count,
        must_report_open_now=now.must_report_open,
        overdue_now=len(now.overdue),
        due_soon_now=len(now.due_soon),
    )


#: (code, how to count it from the inputs): what the figures show needs improving
_OPPORTUNITIES: tuple[tuple[str, Callable[[ReviewInputs], int]], ...] = (
    ("requests_late", lambda i: i.requests.total.late),
    ("requests_overdue", lambda i: i.requests.total.overdue_now),
    ("incident_reports_late", lambda i: i.incidents.preliminary_late + i.incidents.final_late),
    ("incident_reports_overdue", lambda i: i.incidents.overdue_now),
    ("audit_nonconformities", lambda i: i.audits.nonconformities),
    ("audit_actions_open", lambda i: i.audits.actions_open),
    ("audit_actions_overdue", lambda i: i.audits.actions_overdue),
    ("tasks_overdue", lambda i: i.tasks.overdue),
    ("tasks_closed_late", lambda i: i.tasks.closed_late_in_period),
    ("recipient_checks_overdue", lambda i: i.recipients.checks_overdue),
    (
        "recipient_checks_not_kept",
        lambda i: i.recipients.issues_in_period + i.recipients.failed_in_period,
    ),
    ("risk_rows_unassessed", lambda i: i.risks.rows - i.risks.rows_assessed),
    ("risk_reviews_overdue", lambda i: i.risks.reviews_overdue),
    ("risk_high_residual", lambda i: i.risks.high_residual),
    ("training_overdue", lambda i: i.training.overdue),
)


def opportunities(inputs: ReviewInputs) -> list[Opportunity]:
    """The improvement opportunities the figures show (a count above zero), in a fixed order."""
    found = [Opportunity(code=code, count=count(inputs)) for code, count in _OPPORTUNITIES]
    return [o for o in found if o.count > 0]


def gather_inputs(
    *, session: Session, cipher: FieldCipher, since: date, until: date, today: date
) -> ReviewInputs:
    """Every input of a review of the period `since`..`until`, the "now" figures as of
    `today`."""
    inputs = ReviewInputs(
        since=since,
        until=until,
        today=today,
        gathered_at=utcnow(),
        requests=request_figures(session=session, since=since, until=until, today=today),
        incidents=incident_period_figures(
            session=session, cipher=cipher, since=since, until=until, today=today
        ),
        audits=audit_figures(session, since=since, until=until, today=today),
        tasks=task_figures(session, since=since, until=until, today=today),
        recipients=recipient_figures(session=session, since=since, until=until, today=today),
        risks=risk_figures(session, since=since, until=until, today=today),
        training=training_figures(session, since=since, until=until, today=today),
        opportunities=[],
    )
    return inputs.model_copy(update={"opportunities": opportunities(inputs)})
