"""Consent request and response bodies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from kojin import countries


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

    country: str
    country_system: str = Field(min_length=1, max_length=300)
    recipient_measures: str = Field(min_length=1, max_length=300)

    @field_validator("country")
    @classmethod
    def _check_country(cls, value: str) -> str:
        code = _country(value)
        assert code is not None
        return code


class ConsentCreate(BaseModel):
    """A consent as given: scope, the notice shown, how and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject_id: str = Field(min_length=1, max_length=32)
    category: str = Field(min_length=1, max_length=100)
    purpose: str | None = Field(default=None, max_length=100)
    recipient: str | None = Field(default=None, max_length=300)
    country: str | None = None
    notice_version: str = Field(min_length=1, max_length=100)
    foreign_information: ForeignInformation | None = None
    method: ConsentMethod
    #: given by a legal representative (R-CH-6)
    by_representative: StrictBool = False
    given_at: datetime | None = None

    @field_validator("country")
    @classmethod
    def _check_country(cls, value: str | None) -> str | None:
        return _country(value)

    @model_validator(mode="after")
    def _foreign_matches(self) -> ConsentCreate:
        info = self.foreign_information
        if info is not None and info.country != self.country:
            raise ValueError("foreign_information.country must equal the consent's country")
        if self.given_at is not None and self.given_at.tzinfo is None:
            raise ValueError("given_at must carry a time zone")
        return self


class WithdrawalCreate(BaseModel):
    """How and when a consent was withdrawn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: ConsentMethod
    withdrawn_at: datetime | None = None

    @field_validator("withdrawn_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("withdrawn_at must carry a time zone")
        return value


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
