"""Pydantic schemas of the incident register (APPI Art. 26; MNA Art. 29-4; R-BR-0..8).

One model, :class:`IncidentFields`, serves both recording and updating an incident: every field
is optional, an update changes only the fields the caller set (``model_fields_set``). Text
fields are bounded and refuse a NUL, a lone surrogate and an individual number (My Number):
numbers live in the vault alone (R-CD-1), not in an incident's description.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kojin.law.breach import BreachAssessment
from kojin.law.breach_vocabulary import BreachRole, Certainty, IncidentKind, StopGround
from kojin.policy.model_base import Lang
from kojin.registry.subjects.text import STORABLE, RowId
from kojin.requests.kinds import RequestKind
from kojin.requests.states import RequestState

#: the longest free-text field (summary, cause, actions taken ...), in characters
MAX_TEXT: Final = 5000
#: the most entries a list field holds
MAX_ITEMS: Final = 100

Title = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]
Department = Annotated[str, StringConstraints(min_length=1, max_length=100), STORABLE]
Name200 = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]
Item100 = Annotated[str, StringConstraints(min_length=1, max_length=100), STORABLE]
FreeText = Annotated[str, StringConstraints(max_length=MAX_TEXT), STORABLE]
Justification = Annotated[str, StringConstraints(max_length=2000), STORABLE]
Email = Annotated[
    str,
    StringConstraints(min_length=3, max_length=254, pattern=r"^[^@\s,;<>\"()]+@[^@\s,;<>\"()]+$"),
]
PostalAddress = Annotated[str, StringConstraints(min_length=1, max_length=500), STORABLE]


class IncidentStatus(StrEnum):
    """Whether the incident is still being handled."""

    OPEN = "open"
    CLOSED = "closed"


class IncidentStep(StrEnum):
    """The dated steps staff record on an incident."""

    #: the company (an entrustee) told its entruster: sets ``entruster_notified_on``
    ENTRUSTER_NOTIFIED = "entruster_notified"
    PRELIMINARY_REPORTED = "preliminary_reported"
    FINAL_REPORTED = "final_reported"
    PEOPLE_NOTIFIED = "people_notified"
    #: the alternative measures (publication, an inquiry desk) were taken (R-BR-7)
    PUBLISHED = "published"
    CLOSED = "closed"
    REOPENED = "reopened"


class ReportStage(StrEnum):
    """Which report to the Commission a draft is for (Rule 8(1), 8(2))."""

    PRELIMINARY = "preliminary"
    FINAL = "final"


class KnowledgeInput(BaseModel):
    """When a department learned of the incident (the earliest one starts the clocks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    department: Department
    known_on: date


class IncidentFields(BaseModel):
    """What is known of an incident. Every field is optional: on update only the fields set
    change; on record `title`, `kind` and at least one `knowledge` entry are required."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    kind: IncidentKind | None = None
    certainty: Certainty | None = None
    role: BreachRole | None = None
    occurred_on: date | None = None
    #: replaces the list on update
    knowledge: Annotated[list[KnowledgeInput], Field(max_length=MAX_ITEMS)] | None = None
    entruster_notified_on: date | None = None
    entrustee_notice_received_on: date | None = None
    #: the entruster's or the entrustee's name
    counterpart: Name200 | None = None
    #: entrustees involved
    entrustees: Annotated[list[Name200], Field(max_length=MAX_ITEMS)] | None = None
    special_care: bool | None = None
    property_damage_risk: bool | None = None
    wrongful_purpose: bool | None = None
    acquisition_stage: bool | None = None
    my_number: bool | None = None
    number_systems: bool | None = None
    unspecified_exposure: bool | None = None
    encrypted: bool | None = None
    retrieved_unseen: bool | None = None
    intact_copy_exists: bool | None = None
    persons: Annotated[int, Field(ge=0, le=10**10)] | None = None
    persons_upper: Annotated[int, Field(ge=0, le=10**10)] | None = None
    #: e.g. "氏名", "メールアドレス"
    data_items: Annotated[list[Item100], Field(max_length=MAX_ITEMS)] | None = None
    #: ids of the personal-information ledger's rows involved
    ledger_rows: Annotated[list[RowId], Field(max_length=MAX_ITEMS)] | None = None
    #: paper, e-mail, database ...
    data_medium: Name200 | None = None
    #: customers, employees ...
    subjects_kind: Name200 | None = None
    systems: Annotated[list[Name200], Field(max_length=MAX_ITEMS)] | None = None
    discoverer: Name200 | None = None
    summary: FreeText | None = None
    cause: FreeText | None = None
    caused_by: FreeText | None = None
    actions_taken: FreeText | None = None
    secondary_damage: FreeText | None = None
    response_to_persons: FreeText | None = None
    publication: FreeText | None = None
    recurrence_prevention: FreeText | None = None
    other: FreeText | None = None
    people_in_charge: Annotated[list[Name200], Field(max_length=MAX_ITEMS)] | None = None
    #: why the encryption counts as advanced (the exemption needs it)
    encryption_justification: Justification | None = None


class LinkedRequest(BaseModel):
    """A data request made about the incident (R-BR-8)."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: RequestKind
    state: RequestState
    stop_ground: StopGround | None
    submitted_at: datetime


class IncidentEventView(BaseModel):
    """One entry of an incident's history: who did what, and which fields (names only)."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    actor: str
    action: str
    fields: tuple[str, ...]


class IncidentView(BaseModel):
    """An incident as staff see it: its facts decrypted, the assessment on them, the clocks."""

    model_config = ConfigDict(frozen=True)

    id: str
    reference: str
    status: IncidentStatus
    #: everything decrypted, every field set
    fields: IncidentFields
    assessment: BreachAssessment
    #: the earliest department knowledge
    known_on: date | None
    preliminary_reported_on: date | None
    final_reported_on: date | None
    people_notified_on: date | None
    published_on: date | None
    closed_on: date | None
    #: to ``assessment.preliminary_by`` (None when there is no clock or it was reported)
    days_left_preliminary: int | None
    #: to ``assessment.final_due`` (None when there is no clock or it was reported)
    days_left_final: int | None
    people_total: int
    people_notified: int
    people_unreachable: int
    linked_requests: list[LinkedRequest]
    history: list[IncidentEventView]
    created_at: datetime
    updated_at: datetime


class IncidentSummary(BaseModel):
    """One line of the register."""

    model_config = ConfigDict(frozen=True)

    id: str
    reference: str
    title: str
    kind: IncidentKind
    status: IncidentStatus
    certainty: Certainty
    must_report: bool
    reportable_appi: bool
    reportable_mn: bool
    preliminary_by: date | None
    final_due: date | None
    days_left_preliminary: int | None
    days_left_final: int | None
    #: the effective count (the upper bound when one is given)
    persons: int
    request_count: int


class IncidentFigures(BaseModel):
    """The dashboard's figures."""

    model_config = ConfigDict(frozen=True)

    open_count: int
    must_report_open: int
    #: a report's due date passed without the report
    overdue: list[IncidentSummary]
    #: a report due within 7 days
    due_soon: list[IncidentSummary]
    open: list[IncidentSummary]


class PersonInput(BaseModel):
    """An affected person to notify (Art. 26(2))."""

    model_config = ConfigDict(extra="forbid")

    name: Name200
    email: Email | None = None
    postal_address: PostalAddress | None = None
    lang: Lang = "ja"
    subject_id: RowId | None = None


class PersonView(BaseModel):
    """An affected person, decrypted, with how they were told."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    email: str | None
    postal_address: str | None
    lang: Lang
    notified_at: datetime | None
    #: "email" or "post"
    method: str | None
    unreachable: bool


class NoticeReport(BaseModel):
    """What one run of :func:`kojin.incidents.service.send_notices` did."""

    model_config = ConfigDict(frozen=True)

    #: e-mailed now
    sent: int
    #: only a postal address: to be sent by post (the letter is the same notice)
    by_post: int
    #: neither: alternative measures (publication, R-BR-7) are advised
    unreachable: int
    #: told before
    already: int
