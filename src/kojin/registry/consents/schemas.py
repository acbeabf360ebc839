"""Consent request and response bodies."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema

from kojin import countries
from kojin.registry.subjects.text import STORABLE, Label100, Label300, PolicyId, RowId, Text300

#: the instants a consent or withdrawal may carry (UTC); outside them a date is refused (422),
#: before any arithmetic can overflow
EARLIEST: Final = datetime(1900, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


#: the start an instant must have (RFC 3339 date and time); anything else, numbers included
#: (which would otherwise be read as epoch seconds), is refused
_RFC3339_START = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _instant_text(value: Any) -> Any:
    """Let only RFC 3339 date-time strings (or datetimes, from Python callers) through."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) <= 40 and _RFC3339_START.match(value):
        return value
    raise ValueError("must be an ISO 8601 date-time string such as 2026-04-01T09:00:00+09:00")


def _instant_range(value: datetime) -> datetime:
    """`value` when it carries a time zone and lies between :data:`EARLIEST` and
    :data:`LATEST`; checked before any arithmetic on it can overflow."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a time zone")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    if not EARLIEST <= utc <= LATEST:
        raise ValueError(f"must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)")
    return value


#: a consent's or withdrawal's time: RFC 3339 with a time zone, 1900-01-01 to 2199-12-31 (UTC)
Instant = Annotated[
    datetime,
    BeforeValidator(_instant_text),
    AfterValidator(_instant_range),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "with a time zone; from 1900-01-01 to 2199-12-31 (UTC)",
        }
    ),
]
#: a country as sent: normalized to an ISO 3166-1 alpha-2 code by the validators below
CountryText = Annotated[str, StringConstraints(max_length=8), STORABLE]


class ConsentMethod(StrEnum):
    """How consent (or its withdrawal) was expressed (R-CH-6)."""

    WRITTEN = "written"
    ELECTRONIC_RECORD = "electronic_record"
    EMAIL = "email"
    CHECKBOX = "checkbox"
    BUTTON = "button"
    ORAL = "oral"
    VOICE_OR_TOUCH = "voice_or_touch"


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    return countries.normalize(value)


class ForeignInformation(BaseModel):
    """What was shown before consent to a provision abroad (APPI Art. 28(2); R-TP-FX-2).

    The two texts are references (document ids or versions) to what the person was shown.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: CountryText
    country_system: Label300
    recipient_measures: Label300

    @field_validator("country")
    @classmethod
    def _check_country(cls, value: str) -> str:
        code = _country(value)
        assert code is not None
        return code


class ConsentCreate(BaseModel):
    """A consent as given: scope, the notice shown, how and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject_id: RowId
    #: a category the policy declares (checked by the service)
    category: PolicyId
    #: a purpose the policy declares for `category` (checked by the service)
    purpose: PolicyId | None = None
    recipient: Text300 | None = None
    country: CountryText | None = None
    #: the version of the notice shown; kept in the consent row, the chain holds its digest
    notice_version: Label100
    foreign_information: ForeignInformation | None = None
    method: ConsentMethod
    #: given by a legal representative (R-CH-6)
    by_representative: StrictBool = False
    given_at: Instant | None = None

    @field_validator("country")
    @classmethod
    def _check_country(cls, value: str | None) -> str | None:
        return _country(value)

    @model_validator(mode="after")
    def _foreign_matches(self) -> ConsentCreate:
        info = self.foreign_information
        if info is not None and info.country != self.country:
            raise ValueError("foreign_information.country must equal the consent's country")
        return self


class WithdrawalCreate(BaseModel):
    """How and when a consent was withdrawn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: ConsentMethod
    withdrawn_at: Instant | None = None


class ConsentOut(BaseModel):
    """A consent record with its withdrawal, if any."""

    model_config = ConfigDict(frozen=True)

    id: str
    subject_id: str
    category: str
    purpose: str | None
    recipient: str | None
    country: str | None
    notice_version: str
    foreign_information: ForeignInformation | None
    method: ConsentMethod
    by_representative: bool
    given_at: datetime
    recorded_by: str
    withdrawn_at: datetime | None = None
    withdrawal_method: ConsentMethod | None = None

    @property
    def active(self) -> bool:
        """Given and not withdrawn."""
        return self.withdrawn_at is None
