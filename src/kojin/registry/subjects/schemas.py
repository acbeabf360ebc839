"""Subject request and response bodies. Out schemas carry identifiers only when asked for.

Every text field is bounded and storable (:mod:`kojin.registry.subjects.text`); flags are
strict booleans (``0`` and ``"true"`` are refused).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, StrictBool

from kojin.registry.subjects.text import PolicyId, Text50, Text100, Text320, Text500, Text1000


class SubjectIdentifiers(BaseModel):
    """The identifying attributes, in clear: only ever inside a request or an explicit reveal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text500 | None = None
    email: Text320 | None = None
    customer_number: Text100 | None = None
    phone: Text50 | None = None
    address: Text1000 | None = None


class SubjectCreate(SubjectIdentifiers):
    """A new data subject of a category the policy declares (e.g. ``customer``)."""

    category: PolicyId


class FlagsUpdate(BaseModel):
    """Set or clear stop-use / stop-provision; None leaves a flag as it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stop_use: StrictBool | None = None
    stop_provision: StrictBool | None = None
    #: what caused the change (e.g. a request id); kept in ``subject_changes``, and only its
    #: digest in the audit chain
    reference: Text100 | None = None


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
