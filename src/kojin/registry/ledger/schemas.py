"""Ledger request and response bodies (the ledger holds no personal data, only descriptions)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from kojin import countries


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


def _clean_list(value: list[str]) -> list[str]:
    return [v.strip() for v in value if v.strip()]


def _purposes(value: list[str]) -> list[str]:
    cleaned = [p.strip() for p in value if p.strip()]
    if not cleaned:
        raise ValueError("at least one purpose is required")
    return cleaned


class LedgerEntryCreate(BaseModel):
    """A ledger row: the R-PM-1 items plus common-practice columns."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    item: str = Field(min_length=1, max_length=300)
    category: str = Field(min_length=1, max_length=100)
    purposes: list[str]
    acquisition_method: LedgerAcquisition
    storage_location: str = Field(min_length=1, max_length=300)
    storage_country: str = "JP"
    medium: Medium
    access: str = Field(min_length=1, max_length=300)
    retention_period: str = Field(min_length=1, max_length=200)
    disposal_method: str = Field(min_length=1, max_length=200)
    record_count: int = Field(ge=0)
    special_care: StrictBool = False
    responsible_department: str = Field(min_length=1, max_length=200)
    last_reviewed: date | None = None
    #: where the data lives, for discovery (``kojin scan --against-ledger``): file globs such as
    #: ``exports/crm/*.csv`` or ``table.column`` patterns such as ``customers.*``
    data_locations: list[str] = Field(default_factory=list)
    #: the kinds of personal data declared at those locations (``email``, ``phone_number``, ...);
    #: empty means any kind
    pi_kinds: list[str] = Field(default_factory=list)

    @field_validator("storage_country")
    @classmethod
    def _check_country(cls, value: str) -> str:
        return _country(value)

    @field_validator("data_locations", "pi_kinds")
    @classmethod
    def _check_lists(cls, value: list[str]) -> list[str]:
        return _clean_list(value)

    @field_validator("purposes")
    @classmethod
    def _check_purposes(cls, value: list[str]) -> list[str]:
        return _purposes(value)


class LedgerEntryUpdate(BaseModel):
    """A partial change to a ledger row; fields left None are kept."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    item: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    purposes: list[str] | None = None
    acquisition_method: LedgerAcquisition | None = None
    storage_location: str | None = Field(default=None, min_length=1, max_length=300)
    storage_country: str | None = None
    medium: Medium | None = None
    access: str | None = Field(default=None, min_length=1, max_length=300)
    retention_period: str | None = Field(default=None, min_length=1, max_length=200)
    disposal_method: str | None = Field(default=None, min_length=1, max_length=200)
    record_count: int | None = Field(default=None, ge=0)
    special_care: StrictBool | None = None
    responsible_department: str | None = Field(default=None, min_length=1, max_length=200)
    last_reviewed: date | None = None
    data_locations: list[str] | None = None
    pi_kinds: list[str] | None = None

    @field_validator("storage_country")
    @classmethod
    def _check_country(cls, value: str | None) -> str | None:
        return None if value is None else _country(value)

    @field_validator("data_locations", "pi_kinds")
    @classmethod
    def _check_lists(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _clean_list(value)

    @field_validator("purposes")
    @classmethod
    def _check_purposes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _purposes(value)


class LedgerEntryOut(LedgerEntryCreate):
    """A stored ledger row."""

    model_config = ConfigDict(extra="ignore", frozen=True, from_attributes=True)

    id: str
    created_at: datetime
    updated_at: datetime


class LedgerImportResult(BaseModel):
    """What an import did."""

    model_config = ConfigDict(frozen=True)

    created: int
    updated: int
