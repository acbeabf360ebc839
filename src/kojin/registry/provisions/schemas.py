"""Provision record values."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ProvisionKind(StrEnum):
    """Which statutory record this is."""

    #: provider record of a provision to a third party in Japan (Art. 29; R-TP-REC-1)
    THIRD_PARTY = "third_party"
    #: provider record of a provision to a third party abroad (Arts. 28, 29; R-TP-REC-1)
    FOREIGN_THIRD_PARTY = "foreign_third_party"
    #: provider record of person-related information (Art. 31(3); R-PRI-3)
    PERSON_RELATED = "person_related"


class RecordForm(StrEnum):
    """How the record is kept (Rules 19-21, 27-29); decides the retention period."""

    PER_PROVISION = "per_provision"
    #: one record for continuous or repeated provision (3 years after the last provision)
    BATCH = "batch"
    #: a contract or other document stands in for the record (1 year after the last provision)
    CONTRACT_SUBSTITUTE = "contract_substitute"


class ProvisionDetails(BaseModel):
    """What the caller adds to a provision decision for its record: the data items and form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    items: list[str] = Field(default_factory=list, max_length=200)
    record_form: RecordForm = RecordForm.PER_PROVISION
    contract_reference: str | None = Field(default=None, max_length=200)


class ProvisionOut(BaseModel):
    """A stored provision record."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    decision_id: str
    kind: ProvisionKind
    basis: str
    provided_at: datetime
    subject_id: str | None
    category: str
    purpose: str | None
    recipient_name: str | None
    recipient_country: str
    recipient_relation: str
    items: list[str]
    consent_confirmed: bool
    foreign_information_provided: bool
    record_form: RecordForm
    contract_reference: str | None
    retention_years: int
    purge_after: datetime
    citations: list[str]
