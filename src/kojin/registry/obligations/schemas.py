"""Pydantic schemas of the obligation tasks: a task as shown, the page of a list, the figures of
the dashboard and the management review, and what staff send to assign or close a task."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kojin.registry.subjects.text import STORABLE

#: the longest owner name, document description or reference
MAX_NAME: Final = 200
MAX_TEXT: Final = 2000

OwnerName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME), STORABLE]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT), STORABLE]
DocumentText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT), STORABLE]


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class OwnerKind(StrEnum):
    DEPARTMENT = "department"
    PERSON = "person"


class EvidenceKind(StrEnum):
    #: a document outside kojin: its description and a reference (file name, URL, number)
    DOCUMENT = "document"
    #: a kojin record, checked to exist
    RECORD = "record"


class RecordKind(StrEnum):
    """The kojin records a task's evidence may link to."""

    DECISION = "decision"
    PROVISION = "provision"
    DATASET = "dataset"
    INCIDENT = "incident"
    REQUEST = "request"


class TaskFigures(BaseModel):
    """Counts of the obligation tasks for the dashboard and the management review."""

    model_config = ConfigDict(frozen=True)

    #: open tasks now
    open: int
    #: open tasks whose due date has passed (`today` after the due date)
    overdue: int
    #: tasks created in the period (every round counts)
    opened_in_period: int
    #: tasks closed in the period
    closed_in_period: int
    #: of those, closed after their due date
    closed_late_in_period: int
    #: open tasks per obligation code
    by_code: dict[str, int]


class Owner(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: OwnerKind
    name: OwnerName


class Evidence(BaseModel):
    """What closed a task: a document, or a kojin record."""

    model_config = ConfigDict(extra="forbid")

    kind: EvidenceKind
    #: for a document: what it is
    description: DocumentText | None = None
    #: for a document: where it is (file name, URL, number)
    reference: DocumentText | None = None
    #: for a record: its kind and id
    record_kind: RecordKind | None = None
    record_id: Annotated[str, StringConstraints(max_length=40)] | None = None


class TaskEvent(BaseModel):
    at: datetime
    actor: str
    action: str
    fields: list[str]
    note: str | None = None


class TaskOut(BaseModel):
    """A task as lists and pages show it."""

    id: str
    code: str
    rule: str
    citation: str
    timing: str
    text_en: str
    text_ja: str
    round: int
    category: str
    purpose: str | None
    recipient_name: str | None
    recipient_country: str | None
    dataset_id: str | None
    subject_id: str | None
    first_decision_id: str | None
    last_decision_id: str | None
    decision_count: int
    owner: Owner | None
    due_on: date
    status: TaskStatus
    overdue: bool
    days_left: int
    evidence: Evidence | None
    closed_by: str | None
    closed_at: datetime | None
    created_at: datetime


class TaskDetail(TaskOut):
    history: list[TaskEvent] = Field(default_factory=list)


class TaskPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[TaskOut]


class AssignTask(BaseModel):
    """A change of owner and/or due date; a due-date change needs a reason."""

    model_config = ConfigDict(extra="forbid")

    owner: Owner | None = None
    due_on: date | None = None
    reason: Reason | None = None


class CloseTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evidence: Evidence


class ReopenTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason | None = None
