"""Subject request and response bodies. Out schemas carry identifiers only when asked for."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class SubjectIdentifiers(BaseModel):
    """The identifying attributes, in clear: only ever inside a request or an explicit reveal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=320)
    customer_number: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=1000)


class SubjectCreate(SubjectIdentifiers):
    """A new data subject of a policy category (e.g. ``customer``)."""

    category: str = Field(min_length=1, max_length=100)


class FlagsUpdate(BaseModel):
    """Set or clear stop-use / stop-provision; None leaves a flag as it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stop_use: StrictBool | None = None
    stop_provision: StrictBool | None = None
    #: the id of what caused the change (e.g. a request id), recorded in the audit chain
    reference: str | None = Field(default=None, max_length=100)


class SubjectOut(BaseModel):
    """A subject as the API shows it; `identifiers` is None unless a reveal was asked for."""

    model_config = ConfigDict(frozen=True)

    id: str
    category: str
    created_at: datetime
    stop_use: bool
    stop_provision: bool
    flags_updated_at: datetime | None = None
    identifiers: SubjectIdentifiers | None = None
