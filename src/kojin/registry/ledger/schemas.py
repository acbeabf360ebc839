"""Ledger request and response bodies (the ledger holds no personal data, only descriptions).

Every string a client sends is bounded and storable: no NUL character, no unpaired surrogate
(PostgreSQL cannot store either, and the audit chain cannot encode the second). Categories,
purposes and kinds are identifiers; :mod:`kojin.registry.ledger.vocabulary` checks the category
and purposes against the policy in force. The stored row (:class:`LedgerEntryOut`) is read back
without these limits, so rows stored before a limit existed stay readable.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
)

from kojin import countries

#: the shape of a policy id (a category or purpose) and of a discovery kind
IDENTIFIER_PATTERN: Final = r"^[a-z][a-z0-9_]*$"
#: the most purposes, kinds and data locations one row lists
MAX_PURPOSES: Final = 50
MAX_KINDS: Final = 100
MAX_LOCATIONS: Final = 200
#: a ledger row's record count is an INTEGER column
MAX_RECORD_COUNT: Final = 2**31 - 1
#: the dates a review can carry (the review list counts a year back from them)
EARLIEST_DATE: Final = date(1900, 1, 1)
LATEST_DATE: Final = date(9998, 12, 31)


def storable(value: str) -> str:
    """`value` when a database can store it: no NUL character, no unpaired surrogate."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no unpaired surrogates)") from None
    return value


def in_date_range(value: date) -> date:
    """`value` when it lies between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(
            f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"
        )
    return value


#: a policy id or a discovery kind (``customer``, ``provide_services``, ``email``)
Identifier = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=64, pattern=IDENTIFIER_PATTERN)
]
#: free text of a ledger cell, at most 300 characters
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(storable),
]
#: free text of a ledger cell, at most 200 characters
ShortDescription = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(storable),
]
#: a data location: a file glob or ``table.column`` pattern
Location = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(storable),
]
CountryCode = Annotated[str, StringConstraints(max_length=8), AfterValidator(storable)]
RecordCount = Annotated[int, Field(ge=0, le=MAX_RECORD_COUNT)]
ReviewDate = Annotated[date, AfterValidator(in_date_range)]


class LedgerAcquisition(StrEnum):
    """How the information is acquired (R-PM-1 recommended item; APPI Art. 21(2))."""

    WRITTEN_DIRECT = "written_direct"
    DIRECT_OTHER = "direct_other"
    INDIRECT = "indirect"
    PUBLIC = "public"
    #: received from a client to perform commissioned services (APPI Art. 27(5)(i))
    ENTRUSTED = "entrusted"


class Medium(StrEnum):
    ELECTRONIC = "electronic"
    PAPER = "paper"
    BOTH = "both"


def _country(value: str) -> str:
    return countries.normalize(value)


def _purposes(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("at least one purpose is required")
    return value


class LedgerEntryCreate(BaseModel):
    """A ledger row: the R-PM-1 items plus common-practice columns."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    item: Description
    #: a category id the policy declares
    category: Identifier
    #: purpose ids the policy declares for the category
    purposes: list[Identifier] = Field(max_length=MAX_PURPOSES)
    acquisition_method: LedgerAcquisition
    storage_location: Description
    #: ISO 3166-1 alpha-2 code of the country where the data is stored
    storage_country: CountryCode = "JP"
    medium: Medium
    access: Description
    retention_period: ShortDescription
    disposal_method: ShortDescription
    record_count: RecordCount
    special_care: StrictBool = False
    responsible_department: ShortDescription
    last_reviewed: ReviewDate | None = None
    #: where the data lives, for discovery (``kojin scan --against-ledger``): file globs such as
    #: ``exports/crm/*.csv`` or ``table.column`` patterns such as ``customers.*``
    data_locations: list[Location] = Field(default_factory=list, max_length=MAX_LOCATIONS)
    #: the kinds of personal data declared at those locations (discovery kinds such as
    #: ``email``, ``phone_number``); empty means any kind
    pi_kinds: list[Identifier] = Field(default_factory=list, max_length=MAX_KINDS)

    @field_validator("storage_country")
    @classmethod
    def _check_country(cls, value: str) -> str:
        return _country(value)

    @field_validator("purposes")
    @classmethod
    def _check_purposes(cls, value: list[str]) -> list[str]:
        return _purposes(value)


class LedgerEntryUpdate(BaseModel):
    """A partial change to a ledger row; fields left None are kept."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    item: Description | None = None
    category: Identifier | None = None
    purposes: list[Identifier] | None = Field(default=None, max_length=MAX_PURPOSES)
    acquisition_method: LedgerAcquisition | None = None
    storage_location: Description | None = None
    storage_country: CountryCode | None = None
    medium: Medium | None = None
    access: Description | None = None
    retention_period: ShortDescription | None = None
    disposal_method: ShortDescription | None = None
    record_count: RecordCount | None = None
    special_care: StrictBool | None = None
    responsible_department: ShortDescription | None = None
    last_reviewed: ReviewDate | None = None
    data_locations: list[Location] | None = Field(default=None, max_length=MAX_LOCATIONS)
    pi_kinds: list[Identifier] | None = Field(default=None, max_length=MAX_KINDS)

    @field_validator("storage_country")
    @classmethod
    def _check_country(cls, value: str | None) -> str | None:
        return None if value is None else _country(value)

    @field_validator("purposes")
    @classmethod
    def _check_purposes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _purposes(value)


class LedgerEntryOut(BaseModel):
    """A stored ledger row."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    item: str
    category: str
    purposes: list[str]
    acquisition_method: LedgerAcquisition
    storage_location: str
    storage_country: str
    medium: Medium
    access: str
    retention_period: str
    disposal_method: str
    record_count: int
    special_care: bool
    responsible_department: str
    last_reviewed: date | None
    data_locations: list[str]
    pi_kinds: list[str]
    created_at: datetime
    updated_at: datetime


class LedgerImportResult(BaseModel):
    """What an import did."""

    model_config = ConfigDict(frozen=True)

    created: int
    updated: int
