"""Evidence collectors: one function per :class:`~kojin.law.controls.EvidenceSource`, counting
kojin's own records in an audit's period.

Each returns an :class:`~kojin.management.audits.schemas.Evidence`: named counts (never a value
from a record), ``attention`` when the counts show something an auditor must look at, ``ok``
otherwise. Periods are Tokyo dates, inclusive; moments stored in UTC are compared with the
period's first and last Tokyo midnight. "Past due" is judged on `today`, the day of collection.

- ``provision_records`` (R-TP-REC-1, R-PRI-3): the allowed decisions in the period whose
  obligations include a provision record (Art. 29 / Art. 31(3)) against those that have one.
- ``request_deadlines`` (R-RT-*): requests of the control's kinds received in the period; of
  those closed in the period, closed on or before their due date or after it; and those still
  open past their due date (received up to the period's end).
- ``mynumber_disposals`` (R-MN-7): My Number records disposed of in the period, those with a
  complete disposal record (who, when, how), the active records and those past their
  retention end not yet disposed of (the disposal schedule's ``overdue``). Needs the vault.
- ``incident_clocks`` (R-BR-*): incidents whose first department knowledge falls in the
  period; those that must be reported; preliminary and final reports filed by their due date,
  late, or missing past it; people notified.
- ``audit_chain`` (R-SEC-2, R-PM-9): the chain's verification from its first entry.
- ``ledger_review`` (R-PM-1): ledger rows and those reviewed within the last year.
- ``obligation_tasks`` (R-ACQ-3, R-ACQ-4, R-MN-4, ...): the tasks of the duties the law
  cites under the control (:mod:`kojin.law.obligations`; every task where none is cited): open,
  overdue on `today`, closed in the period and of those closed after their due date.
- ``recipient_checks`` (R-SEC-4, R-MN-8, R-TP-FX-3, R-PM-11): the register's figures
  (:func:`kojin.registry.recipients.figures.recipient_figures`): entrustees and foreign
  recipients, checks overdue, checks in the period and those that found issues or failures.
- ``risk_reviews`` (R-PM-2): ledger rows, those assessed, reviews overdue or stale, high
  residual risks, assessments in the period (:func:`kojin.management.risks.service.risk_figures`).
- ``training`` (R-PM-4, R-SEC-3, R-MN-10): workers, trained in the period, overdue for the yearly
  round, completion in percent (:func:`kojin.management.training.service.training_figures`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.audit.service import verify_chain
from kojin.incidents.models import Incident
from kojin.law import obligations as duties
from kojin.law.citations import Duty
from kojin.law.controls import Control, EvidenceSource
from kojin.law.vocabulary import ObligationCode
from kojin.management.audits.schemas import Evidence, EvidenceStatus
from kojin.management.risks.service import risk_figures
from kojin.management.training.service import training_figures
from kojin.mynumber.filing.disposal_due import active_records, retention_items
from kojin.mynumber.filing.retention import RetentionRules
from kojin.mynumber.filing.schedule import ScheduleStatus, schedule_rows
from kojin.mynumber.models import ACTIVE, NumberRecord
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.ledger.models import LedgerEntry
from kojin.registry.obligations.models import ObligationTask
from kojin.registry.obligations.schemas import TaskStatus
from kojin.registry.provisions.models import ProvisionRecord
from kojin.registry.recipients.figures import recipient_figures
from kojin.requests.clock import TOKYO, tokyo_date
from kojin.requests.kinds import RIGHTS_KINDS, RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState

#: the obligations that require a provision record
RECORD_CODES: Final = frozenset(
    {ObligationCode.RECORD_PROVISION.value, ObligationCode.RECORD_PRI_PROVISION.value}
)
#: a ledger row reviewed within this many days is current (R-PM-1: at least once a year)
LEDGER_REVIEW_DAYS: Final = 365
#: the request kinds each rights control reads; the others read every rights request
CONTROL_KINDS: Final[dict[str, frozenset[RequestKind]]] = {
    "R-RT-2": frozenset({RequestKind.PURPOSE_NOTIFICATION}),
    "R-RT-3": frozenset({RequestKind.DISCLOSURE}),
    "R-RT-4": frozenset({RequestKind.DISCLOSURE}),
    "R-TP-REC-5": frozenset({RequestKind.DISCLOSURE}),
    "R-RT-5": frozenset({RequestKind.CORRECTION}),
    "R-RT-6": frozenset({RequestKind.STOP_USE, RequestKind.ERASURE, RequestKind.STOP_PROVISION}),
    "R-RT-11": frozenset({RequestKind.COMPLAINT, RequestKind.INQUIRY}),
}


@dataclass(frozen=True, slots=True)
class Period:
    """An audit's period (Tokyo dates, inclusive), the day of collection and the moment."""

    since: date
    until: date
    today: date
    now: datetime

    @property
    def start(self) -> datetime:
        """The period's first moment (Tokyo midnight), in UTC."""
        return datetime.combine(self.since, time(), TOKYO).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The moment after the period's last day (Tokyo midnight), in UTC."""
        return datetime.combine(self.until + timedelta(days=1), time(), TOKYO).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Sources:
    """What the collectors read: the registry, and the My Number vault with its retention
    rules when they are open (else R-MN-7 is collected by hand)."""

    registry: Session
    vault: Session | None = None
    retention: RetentionRules | None = None


def _evidence(
    source: EvidenceSource, counts: dict[str, int], attention: bool, p: Period
) -> Evidence:
    status = EvidenceStatus.ATTENTION if attention else EvidenceStatus.OK
    return Evidence(source=source, status=status, counts=counts, collected_at=p.now)


def manual(source: EvidenceSource, p: Period) -> Evidence:
    """No record in kojin: the auditor collects the evidence by hand."""
    return Evidence(source=source, status=EvidenceStatus.MANUAL, counts={}, collected_at=p.now)


def provision_records(s: Sources, p: Period) -> Evidence:
    """Allowed decisions in the period that required a provision record, against those that
    have one (R-TP-REC-1)."""
    decisions = s.registry.execute(
        select(DecisionRecord.id, DecisionRecord.decision)
        .where(
            DecisionRecord.allowed.is_(True),
            DecisionRecord.created_at >= p.start,
            DecisionRecord.created_at < p.end,
        )
        .execution_options(yield_per=1000)
    )
    allowed = 0
    required: set[str] = set()
    for decision_id, decision in decisions:
        allowed += 1
        codes = {o.get("code") for o in decision.get("obligations", [])}
        if codes & RECORD_CODES:
            required.add(decision_id)
    recorded = {
        decision_id
        for (decision_id,) in s.registry.execute(
            select(ProvisionRecord.decision_id).where(
                ProvisionRecord.provided_at >= p.start, ProvisionRecord.provided_at < p.end
            )
        )
    }
    records = s.registry.execute(
        select(func.count())
        .select_from(ProvisionRecord)
        .where(ProvisionRecord.provided_at >= p.start, ProvisionRecord.provided_at < p.end)
    ).scalar_one()
    present = len(required & recorded)
    counts = {
        "allowed_decisions": allowed,
        "records_required": len(required),
        "records_present": present,
        "missing": len(required) - present,
        "provision_records": int(records),
    }
    return _evidence(EvidenceSource.PROVISION_RECORDS, counts, counts["missing"] > 0, p)


def request_deadlines(s: Sources, p: Period, kinds: Collection[RequestKind]) -> Evidence:
    """Requests of `kinds` that arrived (the e-mail verified): received in the period, closed
    in it on or before their due date or after it (withdrawn ones are not judged), and still
    open past their due date (R-RT-10)."""
    names = sorted(k.value for k in kinds)
    rows = s.registry.execute(
        select(
            DataRequest.received_at, DataRequest.due_on, DataRequest.closed_at, DataRequest.state
        ).where(
            DataRequest.kind.in_(names),
            DataRequest.received_at.is_not(None),
            DataRequest.received_at < p.end,
        )
    )
    received = closed = on_time = late = withdrawn = open_past_due = 0
    for received_at, due_on, closed_at, state in rows:
        if received_at is not None and received_at >= p.start:
            received += 1
        if closed_at is None:
            open_past_due += int(due_on is not None and due_on < p.today)
        elif p.start <= closed_at < p.end:
            closed += 1
            if state == RequestState.WITHDRAWN.value:
                withdrawn += 1
            elif due_on is not None and tokyo_date(closed_at) > due_on:
                late += 1
            else:
                on_time += 1
    counts = {
        "received": received,
        "closed": closed,
        "closed_on_time": on_time,
        "closed_late": late,
        "withdrawn": withdrawn,
        "open_past_due": open_past_due,
    }
    return _evidence(EvidenceSource.REQUEST_DEADLINES, counts, late + open_past_due > 0, p)


def mynumber_disposals(s: Sources, p: Period) -> Evidence:
    """My Number records disposed of in the period (with a complete disposal record), the
    active ones and those past their retention end (R-MN-7)."""
    if s.vault is None or s.retention is None:
        return manual(EvidenceSource.MYNUMBER_DISPOSALS, p)
    record = NumberRecord
    in_period = (record.disposed_at >= p.start, record.disposed_at < p.end)
    disposed, complete, active = s.vault.execute(
        select(
            func.count().filter(*in_period),
            func.count().filter(
                *in_period, record.disposed_by.is_not(None), record.disposal_method.is_not(None)
            ),
            func.count().filter(record.status == ACTIVE),
        )
    ).one()
    overdue = sum(
        1
        for row in schedule_rows(
            active_records(s.vault, None),
            retention_items(s.registry),
            s.retention,
            today=p.today,
        )
        if row.status is ScheduleStatus.OVERDUE
    )
    counts = {
        "disposed": int(disposed or 0),
        "disposal_records_complete": int(complete or 0),
        "active": int(active or 0),
        "past_retention_not_disposed": overdue,
    }
    attention = overdue > 0 or counts["disposed"] != counts["disposal_records_complete"]
    return _evidence(EvidenceSource.MYNUMBER_DISPOSALS, counts, attention, p)


def _filed(reported: date | None, due: date | None, today: date) -> str | None:
    """``on_time``, ``late`` or ``missing`` for a report due on `due`; None if not yet due
    and not filed."""
    if due is None:
        return None
    if reported is not None:
        return "on_time" if reported <= due else "late"
    return "missing" if due < today else None


def incident_clocks(s: Sources, p: Period) -> Evidence:
    """Incidents first known in the period, and their reports against the clocks (R-BR-4,
    R-BR-5)."""
    rows = s.registry.execute(
        select(
            Incident.must_report,
            Incident.preliminary_by,
            Incident.preliminary_reported_on,
            Incident.final_due,
            Incident.final_reported_on,
            Incident.people_notified_on,
        ).where(Incident.known_on >= p.since, Incident.known_on <= p.until)
    ).all()
    counts = dict.fromkeys(
        (
            "incidents",
            "must_report",
            "preliminary_on_time",
            "preliminary_late",
            "preliminary_missing",
            "final_on_time",
            "final_late",
            "final_missing",
            "people_notified",
        ),
        0,
    )
    for must, pre_by, pre_on, final_due, final_on, notified in rows:
        counts["incidents"] += 1
        counts["people_notified"] += int(notified is not None)
        if not must:
            continue
        counts["must_report"] += 1
        for stage, state in (
            ("preliminary", _filed(pre_on, pre_by, p.today)),
            ("final", _filed(final_on, final_due, p.today)),
        ):
            if state is not None:
                counts[f"{stage}_{state}"] += 1
    attention = any(counts[k] for k in counts if k.endswith(("_late", "_missing")))
    return _evidence(EvidenceSource.INCIDENT_CLOCKS, counts, attention, p)


def audit_chain(s: Sources, p: Period) -> Evidence:
    """The audit chain verified from its first entry (R-SEC-2 operation records)."""
    result = verify_chain(session=s.registry)
    counts = {"entries_checked": result.checked, "intact": int(result.ok)}
    return _evidence(EvidenceSource.AUDIT_CHAIN, counts, not result.ok, p)


def ledger_review(s: Sources, p: Period) -> Evidence:
    """Ledger rows, and those reviewed within the last year (R-PM-1). An empty ledger needs
    attention too: the personal information the company handles is not identified."""
    since = p.today - timedelta(days=LEDGER_REVIEW_DAYS)
    rows, reviewed = s.registry.execute(
        select(
            func.count(),
            func.count().filter(LedgerEntry.last_reviewed >= since),
        ).select_from(LedgerEntry)
    ).one()
    counts = {
        "rows": int(rows or 0),
        "reviewed_within_year": int(reviewed or 0),
        "review_overdue": int(rows or 0) - int(reviewed or 0),
    }
    attention = counts["rows"] == 0 or counts["review_overdue"] > 0
    return _evidence(EvidenceSource.LEDGER_REVIEW, counts, attention, p)


#: the obligation codes whose duty the law cites under each requirement id
DUTY_CODES: Final[dict[str, frozenset[str]]] = {}
for _duty in (v for v in vars(duties).values() if isinstance(v, Duty)):
    DUTY_CODES[_duty.rule] = DUTY_CODES.get(_duty.rule, frozenset()) | {_duty.obligation.code.value}


def obligation_tasks(s: Sources, p: Period, codes: frozenset[str] | None) -> Evidence:
    """The tasks of `codes` (every task when None): open and overdue on `today`, closed in the
    period and of those closed after their due date."""
    task = ObligationTask
    scope = () if codes is None else (task.code.in_(sorted(codes)),)
    is_open = task.status == TaskStatus.OPEN.value
    closed_in = (
        task.status == TaskStatus.DONE.value,
        task.closed_on >= p.since,
        task.closed_on <= p.until,
    )
    open_, overdue, closed, late = s.registry.execute(
        select(
            func.count().filter(is_open),
            func.count().filter(is_open, task.due_on < p.today),
            func.count().filter(*closed_in),
            func.count().filter(*closed_in, task.closed_on > task.due_on),
        )
        .select_from(task)
        .where(*scope)
    ).one()
    counts = {
        "open": int(open_ or 0),
        "overdue": int(overdue or 0),
        "closed_in_period": int(closed or 0),
        "closed_late_in_period": int(late or 0),
    }
    attention = counts["overdue"] + counts["closed_late_in_period"] > 0
    return _evidence(EvidenceSource.OBLIGATION_TASKS, counts, attention, p)


#: the duties of supervising a recipient that decisions open as tasks (R-SEC-4, R-MN-8,
#: R-TP-FX-3, R-PRI-2): an entrustment or Rule 16 provision to a recipient that is not yet
#: selected, contracted and checked shows here, even before the register holds it
SUPERVISION_CODES: Final = (
    ObligationCode.SUPERVISE_ENTRUSTEE.value,
    ObligationCode.PERIODIC_CHECK_FOREIGN_RECIPIENT.value,
)


def recipient_checks(s: Sources, p: Period) -> Evidence:
    """The entrustee and foreign-recipient register's checks (R-SEC-4, R-TP-FX-3), and the
    supervision tasks decisions opened that are still open past their due date."""
    figures = recipient_figures(session=s.registry, since=p.since, until=p.until, today=p.today)
    task = ObligationTask
    tasks_overdue = s.registry.execute(
        select(func.count())
        .select_from(task)
        .where(
            task.code.in_(SUPERVISION_CODES),
            task.status == TaskStatus.OPEN.value,
            task.due_on < p.today,
        )
    ).scalar_one()
    counts = {
        "entrustees": figures.entrustees,
        "foreign_recipients": figures.foreign_recipients,
        "checks_overdue": figures.checks_overdue,
        "checks_in_period": figures.checks_in_period,
        "issues_in_period": figures.issues_in_period,
        "failed_in_period": figures.failed_in_period,
        "supervision_tasks_overdue": int(tasks_overdue or 0),
    }
    attention = (
        figures.checks_overdue
        + figures.issues_in_period
        + figures.failed_in_period
        + counts["supervision_tasks_overdue"]
        > 0
    )
    return _evidence(EvidenceSource.RECIPIENT_CHECKS, counts, attention, p)


def risk_reviews(s: Sources, p: Period) -> Evidence:
    """Risk assessments per ledger row and their yearly review (R-PM-2)."""
    figures = risk_figures(s.registry, since=p.since, until=p.until, today=p.today)
    counts = figures.model_dump()
    attention = figures.rows_assessed < figures.rows or figures.reviews_overdue > 0
    return _evidence(EvidenceSource.RISK_REVIEWS, counts, attention, p)


def training(s: Sources, p: Period) -> Evidence:
    """Training records and who is overdue for the yearly round (R-PM-4)."""
    figures = training_figures(s.registry, since=p.since, until=p.until, today=p.today)
    counts = {
        "workers": figures.workers,
        "trained_in_period": figures.trained_in_period,
        "training_overdue": figures.overdue,
        "completion_percent": round(figures.completion_rate * 100),
    }
    return _evidence(EvidenceSource.TRAINING, counts, figures.overdue > 0, p)


Collector = Callable[[Sources, Period], Evidence]

#: the collector of each source that does not depend on the control
COLLECTORS: Final[dict[EvidenceSource, Collector]] = {
    EvidenceSource.PROVISION_RECORDS: provision_records,
    EvidenceSource.MYNUMBER_DISPOSALS: mynumber_disposals,
    EvidenceSource.INCIDENT_CLOCKS: incident_clocks,
    EvidenceSource.AUDIT_CHAIN: audit_chain,
    EvidenceSource.LEDGER_REVIEW: ledger_review,
    EvidenceSource.RECIPIENT_CHECKS: recipient_checks,
    EvidenceSource.RISK_REVIEWS: risk_reviews,
    EvidenceSource.TRAINING: training,
}


class EvidenceCache:
    """Collects each source once per audit (request deadlines once per set of kinds)."""

    def __init__(self, sources: Sources, period: Period) -> None:
        self.sources = sources
        self.period = period
        self._done: dict[object, Evidence] = {}

    def for_control(self, control: Control) -> Evidence:
        source = control.source
        if source is EvidenceSource.REQUEST_DEADLINES:
            kinds = CONTROL_KINDS.get(control.id, RIGHTS_KINDS)
            key: object = (source, kinds)
            if key not in self._done:
                self._done[key] = request_deadlines(self.sources, self.period, kinds)
            return self._done[key]
        if source is EvidenceSource.OBLIGATION_TASKS:
            codes = DUTY_CODES.get(control.id)
            key = (source, codes)
            if key not in self._done:
                self._done[key] = obligation_tasks(self.sources, self.period, codes)
            return self._done[key]
        if source not in self._done:
            collector = COLLECTORS.get(source)
            self._done[source] = (
                manual(source, self.period)
                if collector is None
                else collector(self.sources, self.period)
            )
        return self._done[source]
