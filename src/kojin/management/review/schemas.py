"""Pydantic schemas of the management review (JIS Q 15001; R-PM-8).

The inputs the standard names are figures of the review's period, gathered from kojin's own
records (:class:`ReviewInputs`): requests and complaints (R-RT-*), incidents (R-BR-*), internal
audits (R-PM-6/7), obligation tasks, entrustees and foreign recipients (R-PM-11, R-TP-FX-3),
risks (R-PM-2) and training (R-PM-4), and the improvement opportunities they show. Changes in
law are entered by the office for each review (kojin does not guess them: the specification's
unconfirmed items are not changes in law); the top manager's decisions are recorded on it.

Text fields are bounded and refuse a NUL, a lone surrogate and an individual number (My Number).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kojin.management.audits.schemas import AuditFigures
from kojin.management.risks.schemas import RiskFigures
from kojin.management.training.schemas import TrainingFigures
from kojin.registry.obligations.schemas import TaskFigures
from kojin.registry.recipients.schemas import RecipientFigures
from kojin.registry.subjects.text import STORABLE

#: the most entries a list field holds
MAX_ITEMS: Final = 50
#: the longest period a review may cover, in days (two years and a leap day)
MAX_PERIOD_DAYS: Final = 731

Title = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]
Line = Annotated[str, StringConstraints(min_length=1, max_length=1000), STORABLE]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]
Notes = Annotated[str, StringConstraints(max_length=5000), STORABLE]


class ReviewStatus(StrEnum):
    """Whether the top manager's outputs are recorded."""

    DRAFT = "draft"
    DECIDED = "decided"


class DecisionKind(StrEnum):
    """The outputs of a management review (JIS Q 15001 9.3): decisions on improvement
    opportunities, on changes to the management system, and on the resources it needs."""

    IMPROVEMENT = "improvement"
    SYSTEM_CHANGE = "system_change"
    RESOURCES = "resources"


class LawChange(BaseModel):
    """A change in law, guidelines or the Commission's rules the office brings to the review,
    and what the company does about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Line
    effective_on: date | None = None
    response: Notes = ""


class ReviewDecision(BaseModel):
    """One decision of the top manager, with who carries it out and by when (optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: DecisionKind = DecisionKind.IMPROVEMENT
    text: Line
    owner: Name | None = None
    due_on: date | None = None


class ReviewCreate(BaseModel):
    """A review to prepare. Without dates, the period is the twelve full months before the
    month of `today`; ``since`` and ``until`` go together (both days included)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    since: date | None = None
    until: date | None = None


class ReviewUpdate(BaseModel):
    """What the office enters before the review; only the fields set change (lists are replaced
    whole)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    law_changes: Annotated[list[LawChange], Field(max_length=MAX_ITEMS)] | None = None
    #: improvement opportunities the office raises (those the figures show are derived)
    improvements: Annotated[list[Line], Field(max_length=MAX_ITEMS)] | None = None
    notes: Notes | None = None


class ReviewOutcome(BaseModel):
    """The review held: when, by which top manager, and the decisions taken."""

    model_config = ConfigDict(extra="forbid")

    held_on: date
    top_manager: Name
    decisions: Annotated[list[ReviewDecision], Field(min_length=1, max_length=MAX_ITEMS)]
    notes: Notes | None = None


# --- the inputs ---------------------------------------------------------------------------


class RequestCounts(BaseModel):
    """Requests of one kind (or all kinds, or one month) in the period."""

    model_config = ConfigDict(frozen=True)

    #: arrived (the e-mail proved) in the period
    received: int = 0
    #: closed in the period (completed, partly completed, refused or withdrawn)
    closed: int = 0
    #: closed in the period with an answer (not withdrawn) on or before the due date (or with
    #: no due date)
    on_time: int = 0
    #: closed in the period with an answer after the due date
    late: int = 0
    #: withdrawn in the period (no answer owed)
    withdrawn: int = 0


class KindRequests(RequestCounts):
    kind: str
    #: still open at the end of the period
    open_at_end: int = 0
    #: open today with the due date passed
    overdue_now: int = 0


class MonthRequests(RequestCounts):
    #: ``YYYY-MM``
    month: str


class RequestFigures(BaseModel):
    """Requests and complaints (APPI Arts. 32-40; R-RT-*): the period's totals, by kind and by
    month, and how many were answered by their due date."""

    model_config = ConfigDict(frozen=True)

    total: KindRequests
    by_kind: list[KindRequests]
    by_month: list[MonthRequests]

    @property
    def on_time_rate(self) -> float | None:
        """On-time answers among answers closed in the period; None when there were none."""
        answered = self.total.on_time + self.total.late
        return None if answered == 0 else self.total.on_time / answered


class MonthIncidents(BaseModel):
    model_config = ConfigDict(frozen=True)

    month: str
    #: known (the earliest department knowledge) in the month
    known: int = 0
    #: of which must be reported to the Commission
    reportable: int = 0


class IncidentPeriodFigures(BaseModel):
    """Incidents (R-BR-*): those known in the period by kind and month, the reports to the
    Commission made on time or late, and the register's state today."""

    model_config = ConfigDict(frozen=True)

    known: int
    reportable: int
    by_kind: dict[str, int]
    by_month: list[MonthIncidents]
    #: preliminary reports (R-BR-4) of the period's reportable incidents
    preliminary_on_time: int
    preliminary_late: int
    #: final reports (R-BR-5)
    final_on_time: int
    final_late: int
    #: final report not made and its due date passed (today)
    final_overdue: int
    #: today (:func:`kojin.incidents.service.incident_figures`)
    open_now: int
    must_report_open_now: int
    overdue_now: int
    due_soon_now: int


class Opportunity(BaseModel):
    """An improvement opportunity the figures show: a code the report words in its language,
    and how many records it concerns."""

    model_config = ConfigDict(frozen=True)

    code: str
    count: int


class ReviewInputs(BaseModel):
    """The snapshot of a review's inputs, taken at `gathered_at` for the period."""

    model_config = ConfigDict(frozen=True)

    since: date
    until: date
    #: the day the "now" figures (overdue today ...) count to
    today: date
    gathered_at: datetime
    requests: RequestFigures
    incidents: IncidentPeriodFigures
    #: internal audits of the period and their corrective actions (R-PM-6, R-PM-7)
    audits: AuditFigures
    #: obligation tasks the decisions created (supervision, periodic checks, announcements)
    tasks: TaskFigures
    #: entrustees and foreign recipients, and their periodic checks (R-PM-11, R-TP-FX-3)
    recipients: RecipientFigures
    #: risk assessments of the ledger's rows (R-PM-2)
    risks: RiskFigures
    #: training of the workers (R-PM-4)
    training: TrainingFigures
    opportunities: list[Opportunity]


class ReviewSummary(BaseModel):
    """One line of the list of reviews."""

    model_config = ConfigDict(frozen=True)

    id: str
    reference: str
    title: str
    status: ReviewStatus
    since: date
    until: date
    held_on: date | None
    created_at: datetime


class ReviewView(BaseModel):
    """A review in full: the inputs, what the office entered and the top manager's outputs."""

    model_config = ConfigDict(frozen=True)

    id: str
    reference: str
    title: str
    status: ReviewStatus
    since: date
    until: date
    inputs: ReviewInputs
    law_changes: list[LawChange]
    improvements: list[str]
    notes: str
    held_on: date | None
    top_manager: str | None
    decisions: list[ReviewDecision]
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime
