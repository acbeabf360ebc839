"""The decision contract: what a caller asks and what kojin answers, as pydantic models."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator

from kojin import countries
from kojin.law.mynumber_vocabulary import Article19Item
from kojin.law.vocabulary import (
    AcquisitionMethod,
    Action,
    Form,
    LegalException,
    ObligationCode,
    Outcome,
    Relation,
)

#: the longest id the registry gives (a subject's or a dataset's: 32 hexadecimal digits)
MAX_ID = 32
#: the longest category or item id (the policy's identifiers are at most 64 characters)
MAX_NAME = 64
#: the longest free text: a purpose, a recipient's name, a contract reference
MAX_FREE_TEXT = 200
#: the longest data item named in a provision record (as long as a ledger item)
MAX_RECORD_ITEM = 300
#: the most items a request or a provision record names
MAX_ITEMS = 200
#: a string no database column refuses: no NUL character (PostgreSQL text cannot hold it).
#: The check runs in pydantic's core, which also refuses a lone surrogate (no encoding holds it)
STORABLE = r"^[^\x00]*$"


def bounded(max_length: int, *, min_length: int = 0) -> StringConstraints:
    """The constraints of a contract string: at most `max_length` characters, storable."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=STORABLE)


#: a registry id (subject, dataset)
Id = Annotated[str, bounded(MAX_ID, min_length=1)]
#: a policy id (category, item)
Name = Annotated[str, bounded(MAX_NAME, min_length=1)]
#: free text the caller writes
FreeText = Annotated[str, bounded(MAX_FREE_TEXT)]
#: a data item as a provision record names it
RecordItem = Annotated[str, bounded(MAX_RECORD_ITEM, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Recipient(_Strict):
    """Who receives the data in a provision (or where it is stored)."""

    #: the recipient's name; a joint user is named as the policy's joint-use arrangement lists it
    name: FreeText | None = None
    #: where the recipient handles the data: required for a provision or storage abroad, never
    #: assumed (``JP`` for a recipient in Japan)
    country: Annotated[str, bounded(16)] | None = Field(
        default=None, description="ISO 3166-1 alpha-2 country code"
    )
    relation: Relation = Relation.THIRD_PARTY
    #: the recipient keeps a Rule 16 system (contract, group rules or APEC CBPR certification)
    equivalent_measures: StrictBool = False
    #: the recipient is expected to acquire the data as personal data (PRI, Art. 31)
    will_identify: StrictBool = False
    #: the recipient is a government body (provider records are not required, Art. 29(1))
    government: StrictBool = False
    #: the recipient is another company of the operator's group: a separate legal person, so a
    #: third party (R-MN-5: a transfer between group companies is provision, not use)
    group_company: StrictBool = False

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str | None) -> str | None:
        return None if value is None else countries.normalize(value)


class ConsentStatement(_Strict):
    """Consent as the caller states it (the registry's records take precedence when known)."""

    given: StrictBool = False
    #: for foreign provision: the country, its system and the recipient's measures were shown
    foreign_information_provided: StrictBool = False


class DecisionRequest(_Strict):
    """A question: may we do `action` with data of `category` for `purpose`?"""

    action: Action
    category: Name
    purpose: FreeText | None = None
    form: Form = Form.PERSONAL
    special_care: StrictBool = False
    subject_id: Id | None = None
    #: who receives the data: required, with its country, for ``provide`` and ``store_abroad``
    recipient: Recipient | None = None
    consent: ConsentStatement | None = None
    exception: LegalException | None = None
    #: with ``exception: mna_19``: the item of MNA Art. 19 relied on (a closed list, R-MN-5)
    mna_19_item: Article19Item | None = None
    consent_difficult: StrictBool = False
    acquisition_method: AcquisitionMethod | None = None
    #: My Number acquisition: the identity was verified as MNA Art. 16 requires
    identity_verified: StrictBool = False
    #: the ids of the items provided, as the policy's joint-use arrangement lists them
    items: list[Name] | None = Field(default=None, max_length=MAX_ITEMS)
    #: the data was acquired in breach of Art. 20(1) (deceit or other improper means)
    acquired_improperly: StrictBool = False
    #: the data was itself received from another operator's opt-out provision (R-TP-OO-2)
    received_by_opt_out: StrictBool = False
    #: a de-identified dataset recorded in the registry: its form and category then apply
    dataset_id: Id | None = None


class Facts(_Strict):
    """What is known about the data subject: from the request now, from the registry later."""

    consent_given: StrictBool = False
    foreign_information_provided: StrictBool = False
    consent_withdrawn: StrictBool = False
    stop_use: StrictBool = False
    stop_provision: StrictBool = False

    @classmethod
    def from_request(cls, request: DecisionRequest) -> Facts:
        """What the request itself states (its consent). Facts are frozen, so the four possible
        answers are built once and shared."""
        consent = request.consent
        if consent is None:
            return _STATED[False, False]
        return _STATED[consent.given, consent.foreign_information_provided]


#: Facts.from_request for each (consent given, foreign information provided)
_STATED: Mapping[tuple[bool, bool], Facts] = MappingProxyType(
    {
        (given, foreign): Facts(consent_given=given, foreign_information_provided=foreign)
        for given in (False, True)
        for foreign in (False, True)
    }
)


class Obligation(_Strict):
    code: ObligationCode
    citation: str
    text: str


class Explanation(_Strict):
    en: str
    ja: str


class Decision(_Strict):
    """The answer, with the legal basis, citations, rule ids and the duties it creates."""

    allowed: bool
    outcome: Outcome
    basis: str
    citations: list[str]
    rules: list[str]
    obligations: list[Obligation]
    reasons: list[str]
    explanation: Explanation
