"""Pydantic schemas of the recipient register (APPI Arts. 25, 28(3); Rule 18; MNA Art. 11).

:class:`RecipientFields` serves both registering and changing a recipient: every field is
optional, a change touches only the fields the caller set (``model_fields_set``). Text fields
are bounded and refuse a NUL, a lone surrogate and an individual number (My Number).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from kojin import countries
from kojin.registry.subjects.text import STORABLE

#: the longest free-text field, in characters
MAX_TEXT: Final = 5000
#: the most entries a list field holds
MAX_ITEMS: Final = 100
#: the customary interval between checks: about once a year (Rule 18(1); R-TP-FX-3, R-PM-11)
DEFAULT_CHECK_INTERVAL_DAYS: Final = 365

Name200 = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]
Text200 = Annotated[str, StringConstraints(max_length=200), STORABLE]
FreeText = Annotated[str, StringConstraints(max_length=MAX_TEXT), STORABLE]
CategoryId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
]
#: an ISO 3166-1 alpha-2 code, upper-cased
Country = Annotated[
    str, StringConstraints(min_length=2, max_length=16), AfterValidator(countries.normalize)
]


class RecipientStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class ContractItem(StrEnum):
    """What an entrustment contract must provide for (R-MN-8; GL-General §10)."""

    CONFIDENTIALITY = "confidentiality"
    NO_TAKING_OFF_SITE = "no_taking_off_site"
    NO_OUT_OF_PURPOSE_USE = "no_out_of_purpose_use"
    SUB_ENTRUSTMENT_CONDITIONS = "sub_entrustment_conditions"
    INCIDENT_LIABILITY = "incident_liability"
    RETURN_OR_DELETION = "return_or_deletion"
    STAFF_DESIGNATION = "staff_designation"
    REPORTING_AND_AUDIT = "reporting_and_audit"


class EvaluationResult(StrEnum):
    """The selection evaluation's conclusion (R-SEC-4: selection after verifying §10 items)."""

    SUITABLE = "suitable"
    CONDITIONAL = "conditional"
    UNSUITABLE = "unsuitable"


class Rule16Basis(StrEnum):
    """How a foreign recipient's system of equivalent measures is ensured (Rule 16)."""

    CONTRACT = "contract"
    GROUP_RULES = "group_rules"
    CBPR = "cbpr"


class CheckKind(StrEnum):
    #: status grasping of an entrustee (R-SEC-4, R-MN-8, R-PM-11)
    SUPERVISION = "supervision"
    #: the foreign recipient's implementation of its measures (Rule 18(1)(i))
    FOREIGN_MEASURES = "foreign_measures"
    #: the foreign laws that may affect that implementation (Rule 18(1)(i))
    FOREIGN_SYSTEM = "foreign_system"


class CheckResult(StrEnum):
    SATISFACTORY = "satisfactory"
    #: problems found, to remedy (Rule 18(1)(ii) first half)
    ISSUES = "issues"
    #: the measures are not kept: for a Rule 16 recipient, provision must stop (Rule 18(1)(ii))
    FAILED = "failed"


class Statement(BaseModel):
    """What the company tells a person who asks about a Rule 16 recipient (Art. 28(3); Rule
    18(3)): each item as staff write it, in both languages where they have both."""

    model_config = ConfigDict(extra="forbid")

    #: how the system of equivalent measures was set up (contract, group rules, CBPR)
    setup: FreeText | None = None
    #: an outline of the measures the recipient takes
    measures: FreeText | None = None
    #: how often and how the company checks them
    check_method: FreeText | None = None
    #: the foreign laws that may affect the measures
    foreign_laws: FreeText | None = None
    #: impediments to the measures and the company's responses
    impediments: FreeText | None = None


class RecipientFields(BaseModel):
    """A recipient as staff register it. On registration `name`, `country` and at least one of
    `entrustee` / `foreign_rule16` are required."""

    model_config = ConfigDict(extra="forbid")

    name: Name200 | None = None
    entrustee: bool | None = None
    foreign_rule16: bool | None = None
    country: Country | None = None
    #: what is entrusted or provided
    entrusted: FreeText | None = None
    categories: Annotated[list[CategoryId], Field(max_length=MAX_ITEMS)] | None = None
    my_number_affairs: bool | None = None
    contract_reference: Text200 | None = None
    contract_date: date | None = None
    contract_items: Annotated[list[ContractItem], Field(max_length=MAX_ITEMS)] | None = None
    evaluated_on: date | None = None
    evaluation_result: EvaluationResult | None = None
    evaluation_notes: FreeText | None = None
    sub_entrustment_allowed: bool | None = None
    permitted_subentrustees: Annotated[list[Name200], Field(max_length=MAX_ITEMS)] | None = None
    rule16_basis: Rule16Basis | None = None
    check_interval_days: Annotated[int, Field(ge=1, le=3660)] | None = None
    statement_en: Statement | None = None
    statement_ja: Statement | None = None


class CheckInput(BaseModel):
    """A check staff record."""

    model_config = ConfigDict(extra="forbid")

    kind: CheckKind
    checked_on: date
    result: CheckResult
    notes: FreeText | None = None
    #: what was done or asked about what the check found
    actions: FreeText | None = None
    #: when the next check is due; by default the recipient's interval after `checked_on`
    next_due: date | None = None


class CheckView(BaseModel):
    id: str
    kind: CheckKind
    checked_on: date
    result: CheckResult
    next_due: date
    recorded_by: str
    notes: str | None
    actions: str | None
    created_at: datetime


class RecipientSummary(BaseModel):
    """A register line: no free text but the name."""

    id: str
    name: str
    entrustee: bool
    foreign_rule16: bool
    country: str
    my_number_affairs: bool
    status: RecipientStatus
    last_check_on: date | None
    last_check_result: CheckResult | None
    next_check_due: date
    check_overdue: bool
    #: days to the next check (negative: overdue)
    days_left: int


class RecipientView(RecipientSummary):
    """A recipient with everything recorded about it, its missing contract items and checks."""

    fields: RecipientFields
    contract_items_missing: list[ContractItem]
    registered_on: date
    ended_on: date | None
    checks: list[CheckView]
    created_at: datetime
    updated_at: datetime


class StatementView(BaseModel):
    """The Art. 28(3) information for a person who asks, in one language."""

    recipient_id: str
    name: str
    lang: str
    country: str
    country_name: str
    basis: Rule16Basis | None
    check_interval_days: int
    last_check_on: date | None
    items: Statement


class RecipientFigures(BaseModel):
    """The register's figures for a period, for the management review and the audits."""

    #: active entrustees (today)
    entrustees: int
    #: active foreign recipients with a Rule 16 system (today)
    foreign_recipients: int
    #: active recipients whose next check is past due (today)
    checks_overdue: int
    #: checks recorded with a date in the period
    checks_in_period: int
    #: of those, found issues
    issues_in_period: int
    #: of those, found the measures not kept
    failed_in_period: int
