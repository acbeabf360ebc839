"""Pydantic schemas of the training records (R-PM-4).

Text fields are bounded and refuse a NUL, a lone surrogate and an individual number (My Number).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kojin.registry.subjects.text import STORABLE

#: R-PM-4: the yearly round, every 365 days
ROUND_DAYS: Final = 365
#: a new joiner with no yearly course yet is due this many days after joining
JOINER_GRACE_DAYS: Final = 90

CourseCode = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"),
    STORABLE,
]
CourseTitle = Annotated[str, StringConstraints(min_length=1, max_length=300), STORABLE]
#: an employee number that happens to be a valid individual number is refused (STORABLE): write
#: it with a letter prefix
EmployeeNumber = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"),
    STORABLE,
]
WorkerName = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]
Department = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]


class WorkerKind(StrEnum):
    """Who the worker is: R-PM-4 trains all of them, officers and temporary staff included."""

    OFFICER = "officer"
    EMPLOYEE = "employee"
    TEMPORARY = "temporary"


class CourseInput(BaseModel):
    """A course to add."""

    model_config = ConfigDict(extra="forbid")

    code: CourseCode
    title: CourseTitle
    #: part of the yearly round (else a one-off course)
    yearly: bool = True


class CourseOut(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    code: str
    title: str
    yearly: bool


class WorkerInput(BaseModel):
    """A worker to add to the roster, or the new values of one already on it (by number)."""

    model_config = ConfigDict(extra="forbid")

    employee_number: EmployeeNumber
    name: WorkerName
    department: Department
    kind: WorkerKind = WorkerKind.EMPLOYEE
    joined_on: date
    active: bool = True


class WorkerOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    employee_number: str
    name: str
    department: str
    kind: WorkerKind
    joined_on: date
    active: bool
    #: the last completion of a yearly-round course
    last_yearly: date | None
    #: when the next yearly round is due (last + 365 days, or joined + the grace)
    due_on: date
    overdue: bool


class RecordInput(BaseModel):
    """A completion to record: who (employee number), which course (code), when."""

    model_config = ConfigDict(extra="forbid")

    employee_number: EmployeeNumber
    course: CourseCode
    completed_on: date


class RecordOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    worker_id: str
    employee_number: str
    course: str
    course_title: str
    completed_on: date
    #: recorded by this call (else it was recorded before)
    new: bool = False


class ImportResult(BaseModel):
    """What a CSV import did."""

    model_config = ConfigDict(frozen=True)

    added: int
    updated: int = 0
    unchanged: int = 0


class TrainingFigures(BaseModel):
    """The training figures for a period (audits and the management review)."""

    model_config = ConfigDict(frozen=True)

    #: active workers on the roster
    workers: int
    #: workers (active or not) who completed any course in the period
    trained_in_period: int
    #: active workers overdue for the yearly round on `today`
    overdue: int
    #: the share (0-1) of active workers who completed a yearly-round course in the period
    completion_rate: float = Field(ge=0.0, le=1.0)
