"""What the vault takes and gives. Only :class:`RevealOut` carries a number; every other value
shows a record masked (:data:`~kojin.mynumber.numbers.MASKED`) or not at all."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictBool, field_validator

from kojin.law.decision_schemas import Id, Name, Recipient, bounded
from kojin.law.mynumber_vocabulary import Article19Item, IdentityDocument, VerificationRoute
from kojin.law.vocabulary import AcquisitionMethod

#: the most affairs one record or one designation names
MAX_AFFAIRS = 20
#: the most people one designation may be limited to, and the most records one disposal takes
MAX_SUBJECTS = 10_000
MAX_DISPOSAL = 1_000

#: why a number is revealed, provided or disposed of: kept out of the audit chain (hashed)
Reason = Annotated[str, bounded(500, min_length=1)]
#: a department's name
Department = Annotated[str, bounded(200, min_length=1)]
#: how the audit chain names a person or system: ``staff:<username>`` or ``token:<id>``
ActorLabel = Annotated[
    str, Field(min_length=7, max_length=200, pattern=r"^(staff|token):[A-Za-z0-9._@+-]{1,190}$")
]
#: the media types of identity-document images the vault keeps
ContentType = Annotated[
    str, Field(pattern=r"^(image/(png|jpeg|gif|webp|tiff|heic)|application/pdf)$")
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class RegistrationIn(_In):
    """A number received from the person (or their agent, or a former employer) for affairs."""

    subject_id: Id
    #: the number as written: full-width digits, spaces and hyphens are accepted
    number: SecretStr
    affairs: list[Name] = Field(min_length=1, max_length=MAX_AFFAIRS)
    route: VerificationRoute
    document_types: list[IdentityDocument] = Field(default_factory=list, max_length=10)
    #: the purpose of use was stated to the person (notified or published) on acquisition
    purpose_stated: StrictBool
    acquired_on: date
    acquisition_method: AcquisitionMethod | None = None

    @field_validator("affairs")
    @classmethod
    def _affairs_once(cls, value: list[str]) -> list[str]:
        return _unique(value)


class RecordOut(BaseModel):
    """A record as anyone allowed to list it sees it: never the number."""

    model_config = ConfigDict(frozen=True)

    id: str
    subject_id: str
    category: str
    affairs: list[str]
    status: str
    #: the masked number while the record is active; None once disposed of
    masked: str | None
    route: str
    document_types: list[str]
    acquired_on: date
    registered_at: datetime
    registered_by: str
    affairs_ended_on: date | None
    disposed_at: datetime | None
    disposed_by: str | None
    disposal_reason: str | None = None
    disposal_method: str | None = None


class RegistrationOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    record: RecordOut
    #: the ``acquire`` decision recorded for each affair
    decision_ids: list[str]


class RevealIn(_In):
    affair: Name
    reason: Reason


class RevealOut(BaseModel):
    """The one value that carries a number: an authorized reveal, audited before it is sent."""

    model_config = ConfigDict(frozen=True)

    record_id: str
    subject_id: str
    affair: str
    number: str
    decision_id: str


class ProvisionIn(_In):
    """A provision of the number (MNA Art. 19): to whom, under which item, for which affair."""

    affair: Name
    recipient: Recipient
    #: the item of MNA Art. 19 relied on (not needed for an entrustee or a successor)
    mna_19_item: Article19Item | None = None
    consent_difficult: StrictBool = False
    reason: Reason


class ProvisionOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    record_id: str
    subject_id: str
    affair: str
    decision_id: str
    basis: str
    citations: list[str]


class AffairsEndIn(_In):
    ended_on: date


class DisposalIn(_In):
    record_ids: list[Id] = Field(min_length=1, max_length=MAX_DISPOSAL)
    reason: Reason

    @field_validator("record_ids")
    @classmethod
    def _ids_once(cls, value: list[str]) -> list[str]:
        return _unique(value)


class DocumentIn(_In):
    """An identity-document image for the API: its content in base64."""

    document_type: IdentityDocument
    content_type: ContentType
    content_base64: str = Field(min_length=4)


class DocumentOut(BaseModel):
    """An identity-document image's description (never its content)."""

    model_config = ConfigDict(frozen=True)

    id: str
    record_id: str
    document_type: str
    content_type: str
    size: int
    added_at: datetime
    added_by: str
    purge_after: datetime
    purged_at: datetime | None


class HandlerIn(_In):
    """A designation of a person in charge (R-MN-9)."""

    actor: ActorLabel
    affairs: list[Name] = Field(min_length=1, max_length=MAX_AFFAIRS)
    #: only these people (registry subject ids); omitted: every person of those affairs
    subject_ids: list[Id] | None = Field(default=None, min_length=1, max_length=MAX_SUBJECTS)
    department: Department

    @field_validator("affairs")
    @classmethod
    def _affairs_once(cls, value: list[str]) -> list[str]:
        return _unique(value)


class HandlerOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    actor: str
    affairs: list[str]
    subject_ids: list[str] | None
    department: str
    designated_by: str
    designated_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None


class RotationOut(BaseModel):
    """A vault-key rotation: the new key, how many data keys it re-wrapped, the keys destroyed."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    rewrapped: int
    destroyed: list[str]
