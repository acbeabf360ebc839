"""Provision record values."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

#: the most data items one provision record lists
MAX_ITEMS: Final = 200


def _storable(value: str) -> str:
    """`value` when a database can store it: no NUL character, no unpaired surrogate."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no unpaired surrogates)") from None
    return value


#: a data item of a provision record, in words (``name``, ``e-mail address``)
ItemText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_storable),
]
ReferenceText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_storable),
]


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

    #: the data items provided, in words (at most 200 items of 200 characters)
    items: list[ItemText] = Field(default_factory=list, max_length=MAX_ITEMS)
    record_form: RecordForm = RecordForm.PER_PROVISION
    #: the contract standing in for the record (``contract_substitute``), at most 200 characters
    contract_reference: ReferenceText | None = None


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
