"""Pydantic schemas of internal audits (JIS Q 15001; R-PM-5, R-PM-7).

Text fields are bounded and refuse a NUL, a lone surrogate and an individual number (My
Number), like every text the registry stores. :class:`AuditFigures` is what the management
review reads (R-PM-8).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kojin.law.controls import EvidenceSource
from kojin.registry.subjects.text import STORABLE

#: the longest free-text field (notes, description, root cause, action), in characters
MAX_TEXT: Final = 5000
#: the most departments an audit's scope names
MAX_DEPARTMENTS: Final = 50

Title = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]
Department = Annotated[
    str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True), STORABLE
]
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]
FreeText = Annotated[str, StringConstraints(max_length=MAX_TEXT), STORABLE]
RequiredText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT), STORABLE]


class AuditStatus(StrEnum):
    """Where an audit stands."""

    PLANNED = "planned"
    #: evidence collected or a result recorded
    IN_PROGRESS = "in_progress"
    #: reported to top management (R-PM-5)
    REPORTED = "reported"
    #: every corrective action verified, or none was needed
    CLOSED = "closed"


class ItemResult(StrEnum):
    """The auditor's result on one control."""

    CONFORM = "conform"
    NONCONFORM = "nonconform"
    OBSERVATION = "observation"
    NOT_APPLICABLE = "not_applicable"


class FindingKind(StrEnum):
    """A finding is a nonconformity (needs a corrective action, R-PM-7) or an observation."""

    NONCONFORMITY = "nonconformity"
    OBSERVATION = "observation"


class ActionStatus(StrEnum):
    """A corrective action's progress: done by its owner, then verified effective."""

    OPEN = "open"
    DONE = "done"
    VERIFIED = "verified"


class EvidenceStatus(StrEnum):
    """What the automatic evidence says at a glance."""

    #: the records show nothing wrong
    OK = "ok"
    #: the records show something an auditor must look at (a missing record, a late answer)
    ATTENTION = "attention"
    #: kojin keeps no record for this control: the auditor collects evidence by hand
    MANUAL = "manual"


class AuditFigures(BaseModel):
    """The internal audits of a period in numbers, for the management review (R-PM-8).

    ``audits`` are those performed (or, not yet performed, planned) in the period; ``items``,
    ``nonconformities`` and ``observations`` count their checklist items and results; the
    action counts are their corrective actions: still open, open past their due date, and done
    (done or verified)."""

    model_config = ConfigDict(frozen=True)

    audits: int = 0
    items: int = 0
    nonconformities: int = 0
    observations: int = 0
    actions_open: int = 0
    actions_overdue: int = 0
    actions_done: int = 0


class Evidence(BaseModel):
    """The automatic evidence of one control: counts from kojin's records in the audit period
    (never a value from a record), what they mean at a glance, and when they were counted."""

    model_config = ConfigDict(frozen=True)

    source: EvidenceSource
    status: EvidenceStatus
    #: named counts, e.g. ``{"records_required": 12, "records_present": 12, "missing": 0}``
    counts: dict[str, int] = Field(default_factory=dict)
    #: an ``ok`` boolean result where the source is a check (the audit chain's verification)
    collected_at: datetime


class AuditPlan(BaseModel):
    """What planning an audit takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Title
    period_from: date
    period_to: date
    scope_departments: list[Department] = Field(min_length=1, max_length=MAX_DEPARTMENTS)
    lead_auditor: PersonName
    lead_auditor_department: Department
    planned_on: date

    @model_validator(mode="after")
    def _check(self) -> AuditPlan:
        problems = []
        if self.period_to < self.period_from:
            problems.append("period_to must not be before period_from")
        if len(set(self.scope_departments)) != len(self.scope_departments):
            problems.append("scope_departments must not repeat a department")
        # R-PM-5: auditors do not audit their own department
        if self.lead_auditor_department in self.scope_departments:
            problems.append(
                "lead_auditor_department must not be in scope_departments: auditors do not "
                "audit their own department (JIS Q 15001 internal audit)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ItemResultIn(BaseModel):
    """The auditor's result on one control, with notes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    result: ItemResult
    notes: FreeText = ""


class FindingIn(BaseModel):
    """A finding on a checklist item (R-PM-7: the nonconformity and its root cause)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FindingKind
    description: RequiredText
    root_cause: FreeText = ""


class ActionIn(BaseModel):
    """A corrective action: what, by whom, by when (R-PM-7)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: RequiredText
    owner_department: Department
    owner_person: PersonName | None = None
    due_on: date
    follow_up_on: date | None = None


class ActionProgress(BaseModel):
    """A corrective action done by its owner, or verified effective by the auditor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: ActionStatus
    on: date
    #: the effectiveness check; required to verify an action (R-PM-7)
    effectiveness: FreeText = ""
    follow_up_on: date | None = None

    @model_validator(mode="after")
    def _check(self) -> ActionProgress:
        if self.status is ActionStatus.OPEN:
            raise ValueError("status must be done or verified")
        if self.status is ActionStatus.VERIFIED and not self.effectiveness.strip():
            raise ValueError("effectiveness is required to verify an action")
        return self


class ActionView(BaseModel):
    """A corrective action as the pages, the API and the report show it."""

    model_config = ConfigDict(frozen=True)

    id: str
    finding_id: str
    action: str
    owner_department: str
    owner_person: str | None
    due_on: date
    status: ActionStatus
    overdue: bool
    done_on: date | None
    verified_on: date | None
    effectiveness: str | None
    follow_up_on: date | None


class FindingView(BaseModel):
    """A finding with its corrective actions."""

    model_config = ConfigDict(frozen=True)

    id: str
    number: int
    item_id: str
    control_id: str
    kind: FindingKind
    description: str
    root_cause: str | None
    created_at: datetime
    created_by: str
    actions: list[ActionView]


class ItemView(BaseModel):
    """One control of the checklist with its evidence and result."""

    model_config = ConfigDict(frozen=True)

    id: str
    seq: int
    control_id: str
    section: str
    title_en: str
    title_ja: str
    source: EvidenceSource
    evidence: Evidence | None
    result: ItemResult | None
    notes: str | None
    recorded_by: str | None
    recorded_at: datetime | None


class AuditSummary(BaseModel):
    """An audit in a list."""

    model_config = ConfigDict(frozen=True)

    id: str
    reference: str
    title: str
    period_from: date
    period_to: date
    scope_departments: list[str]
    lead_auditor_department: str
    planned_on: date
    performed_on: date | None
    reported_on: date | None
    closed_on: date | None
    status: AuditStatus
    items: int
    results: int
    nonconformities: int
    actions_open: int


class AuditView(AuditSummary):
    """An audit with its checklist, findings and actions."""

    lead_auditor: str
    summary: str | None
    checklist: list[ItemView]
    findings: list[FindingView]
    created_at: datetime
    created_by: str


class AuditPage(BaseModel):
    """A page of audits, newest first."""

    model_config = ConfigDict(frozen=True)

    total: int
    audits: list[AuditSummary]
