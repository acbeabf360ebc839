"""What a request carries in and out: the person's form, the status they see, the staff views.

The form accepts what Japanese forms are filled with: full-width letters and digits in the
e-mail, phone and postal code (NFKC), a ``〒`` before the postal code, furigana in hiragana or
katakana (kept in katakana). A wrong value raises :class:`~kojin.errors.InputError` naming the
field, never the value (:meth:`RequestForm.parse` turns pydantic's own errors into the same).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final

import jaconv
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from kojin.errors import InputError
from kojin.law.breach_vocabulary import StopGround
from kojin.policy.model_base import Lang, RefusalGround
from kojin.requests.grounds import normalise_incident_reference, settled_ground
from kojin.requests.kinds import (
    METHOD_KINDS,
    AgentRelation,
    DisclosureMethod,
    DocumentPurpose,
    RequestKind,
)
from kojin.requests.package import Package as Package  # the contract names it here
from kojin.requests.states import RequestState, StaffAction

#: the longest value of each text field of the form, in characters
LIMITS: Final[Mapping[str, int]] = {
    "name": 100,
    "furigana": 100,
    "email": 254,
    "phone": 20,
    "postal_code": 20,
    "address": 300,
    "details": 5000,
    "agent_name": 100,
    "submission_key": 128,
    "note": 2000,
    "fee_reference": 100,
    "explanation": 5000,
    "subject_id": 32,
    "special_circumstances": 5000,
}
#: kinds whose form must say something in ``details``
DETAILS_REQUIRED: Final = frozenset(
    {RequestKind.CORRECTION, RequestKind.COMPLAINT, RequestKind.INQUIRY}
)

#: dashes people type in phone numbers and postal codes
_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70", "-")
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9][0-9-]{5,19}")
_POSTAL = re.compile(r"([0-9]{3})-?([0-9]{4})")
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fb\u30fc ]+")
_SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,128}")
_MULTILINE: Final = frozenset(
    {"address", "details", "note", "explanation", "special_circumstances"}
)


def clean_text(value: object, *, field: str, required: bool = False) -> str | None:
    """`value` stripped, or None when empty and not `required`; InputError naming `field` when
    it is not text, too long, or holds control characters (tabs and line breaks are allowed in
    the multi-line fields) or a lone surrogate."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InputError("must be text", field=field)
    text = value.strip()
    if not text:
        if required:
            raise InputError("is required", field=field)
        return None
    if len(text) > LIMITS[field]:
        raise InputError(f"must be at most {LIMITS[field]} characters", field=field)
    allowed = "\t\n\r" if field in _MULTILINE else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in text):
        raise InputError("must not contain control characters", field=field)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("must be valid Unicode text", field=field) from None
    return text


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


class RequestForm(BaseModel):
    """What a person submits; every text is stripped, empty optional texts become None."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: RequestKind
    lang: Lang
    #: a category the policy declares (the service checks), when the person knows it
    category: str | None = None
    name: str
    furigana: str | None = None
    email: str
    phone: str | None = None
    postal_code: str | None = None
    address: str | None = None
    details: str = ""
    #: required for purpose notification and disclosure (Art. 33(1); R-RT-3)
    disclosure_method: DisclosureMethod | None = None
    #: disclosure only: the records of provision to third parties as well (Art. 33(5))
    include_third_party_records: bool = True
    is_agent: bool = False
    agent_name: str | None = None
    agent_relation: AgentRelation | None = None
    #: stop kinds only: the ground of Art. 35 the request rests on, when the person knows it
    #: (R-RT-6); an incident reference without a ground implies the reportable breach
    stop_ground: StopGround | None = None
    #: stop kinds only, with the reportable-breach ground: the incident the request is about,
    #: as the individual notice prints it (``INC-2026-0001``; R-BR-8)
    incident_reference: str | None = None
    #: the form's one-time key: submitting the same form twice makes one request
    submission_key: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> RequestForm:
        """Validate `data`; InputError naming the first wrong field (no value in the message)."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            error = exc.errors(include_input=False, include_url=False)[0]
            loc = error.get("loc") or ("form",)
            raise InputError(str(error.get("msg", "is not valid")), field=str(loc[0])) from None

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object) -> str | None:
        return clean_text(value, field="name", required=True)

    @field_validator("address", "agent_name", mode="before")
    @classmethod
    def _optional_text(cls, value: object, info: Any) -> str | None:
        return clean_text(value, field=str(info.field_name))

    @field_validator("details", mode="before")
    @classmethod
    def _details(cls, value: object) -> str:
        return clean_text(value, field="details") or ""

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: object) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", value):
            raise InputError("is not a category of the policy", field="category")
        return value

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: object) -> str:
        text = clean_text(value, field="email", required=True)
        assert text is not None
        text = _nfkc(text)
        if not _EMAIL.fullmatch(text) or len(text) > LIMITS["email"]:
            raise InputError("is not an e-mail address", field="email")
        return text

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: object) -> str | None:
        text = clean_text(value, field="phone")
        if text is None:
            return None
        text = re.sub(r"[\s()]", "", _nfkc(text).translate(_DASHES))
        if not _PHONE.fullmatch(text):
            raise InputError("is not a telephone number", field="phone")
        return text

    @field_validator("postal_code", mode="before")
    @classmethod
    def _postal_code(cls, value: object) -> str | None:
        text = clean_text(value, field="postal_code")
        if text is None:
            return None
        text = re.sub(r"\s", "", _nfkc(text).translate(_DASHES)).removeprefix("〒")
        match = _POSTAL.fullmatch(text)
        if match is None:
            raise InputError("must be a postal code like 123-4567", field="postal_code")
        return f"{match[1]}-{match[2]}"

    @field_validator("furigana", mode="before")
    @classmethod
    def _furigana(cls, value: object) -> str | None:
        text = clean_text(value, field="furigana")
        if text is None:
            return None
        kana = re.sub(r" +", " ", jaconv.hira2kata(unicodedata.normalize("NFKC", text)))
        if not _KATAKANA.fullmatch(kana):
            raise InputError("must be written in kana", field="furigana")
        return kana

    @field_validator("stop_ground", mode="before")
    @classmethod
    def _stop_ground(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("incident_reference", mode="before")
    @classmethod
    def _incident_reference(cls, value: object) -> str | None:
        return normalise_incident_reference(value)

    @field_validator("submission_key", mode="before")
    @classmethod
    def _submission_key(cls, value: object) -> str:
        if not isinstance(value, str) or not _SUBMISSION_KEY.fullmatch(value):
            raise InputError("the form has expired: please reload it", field="submission_key")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RequestForm:
        if self.kind in METHOD_KINDS and self.disclosure_method is None:
            raise InputError("choose how you want to receive the answer", field="disclosure_method")
        if self.kind in DETAILS_REQUIRED and not self.details:
            raise InputError("is required", field="details")
        if self.is_agent:
            if self.agent_name is None:
                raise InputError("is required for an agent", field="agent_name")
            if self.agent_relation is None:
                raise InputError("is required for an agent", field="agent_relation")
        ground = settled_ground(self.kind, self.stop_ground, self.incident_reference)
        if ground is not self.stop_ground:  # a reference implies the reportable breach
            object.__setattr__(self, "stop_ground", ground)
        return self


@dataclass(frozen=True)
class UploadIn:
    """One uploaded file as received: the bytes decide its type, not the name."""

    purpose: DocumentPurpose
    filename: str
    declared_type: str | None
    data: bytes


class SubmitResult(BaseModel):
    request_id: str
    reference: str
    #: False when the same form was submitted before: this is the first request
    created: bool


class Awaited(StrEnum):
    """What a request waits for."""

    EMAIL_CODE = "email_code"
    DOCUMENTS = "documents"
    FEE = "fee"
    STAFF = "staff"


class RequestStatus(BaseModel):
    """What the person sees on the status page."""

    kind: RequestKind
    state: RequestState
    lang: Lang
    submitted_at: datetime
    received_at: datetime | None
    due_on: date | None
    #: stop kinds: the ground of Art. 35 the request rests on, and the incident it names
    stop_ground: StopGround | None = None
    incident_reference: str | None = None
    awaiting: list[Awaited]
    fee_yen: int | None
    fee_recorded: bool
    outcome: str | None
    refusal_ground: RefusalGround | None
    refusal_text: str | None
    has_package: bool
    has_refusal_notice: bool
    can_upload: bool


class QueueFilter(BaseModel):
    state: RequestState | None = None
    kind: RequestKind | None = None
    open_only: bool = True
    overdue_only: bool = False
    #: only the requests that name this incident (already normalised; R-BR-8)
    incident_reference: str | None = None


class QueueRow(BaseModel):
    id: str
    short_id: str
    kind: RequestKind
    state: RequestState
    received_at: datetime | None
    due_on: date | None
    #: business days left until `due_on` (negative when overdue); None when closed or unarrived
    days_left: int | None
    #: Art. 39(1): the first day a suit may be brought (R-RT-10)
    suit_from: date | None
    overdue: bool
    #: stop kinds: the ground of Art. 35 and the incident the request names
    stop_ground: StopGround | None = None
    incident_reference: str | None = None


class DocumentOut(BaseModel):
    id: str
    purpose: DocumentPurpose
    media_type: str
    size: int
    uploaded_at: datetime
    #: the content was removed after the holding period
    deleted: bool


class EventOut(BaseModel):
    at: datetime
    actor: str
    action: str
    from_state: RequestState | None
    to_state: RequestState | None
    #: the staff's note on the action, if any (never shown to the person)
    note: str | None = None


class ApplicantOut(BaseModel):
    name: str | None
    furigana: str | None
    email: str | None
    phone: str | None
    postal_code: str | None
    address: str | None
    is_agent: bool
    agent_name: str | None
    agent_relation: AgentRelation | None


class RequestDetail(BaseModel):
    """A request as staff see it, decrypted."""

    id: str
    short_id: str
    kind: RequestKind
    state: RequestState
    lang: Lang
    applicant: ApplicantOut
    category: str | None
    details: str
    disclosure_method: DisclosureMethod | None
    include_third_party_records: bool
    #: stop kinds: the ground of Art. 35 the request rests on, and the incident it names
    stop_ground: StopGround | None = None
    incident_reference: str | None = None
    fee_yen: int | None
    fee_reference: str | None
    subject_id: str | None
    submitted_at: datetime
    received_at: datetime | None
    due_on: date | None
    suit_from: date | None
    days_left: int | None
    documents: list[DocumentOut]
    history: list[EventOut]
    allowed_actions: list[StaffAction]
    refusal_ground: RefusalGround | None
    refusal_explanation: str | None
    outcome: str | None
    has_package: bool
    #: the personal fields were cleared after the retention period
    purged: bool = False
    #: the linked subject is one the viewer's role may not see (My Number, R-MN-9): the link is
    #: not shown and no action is offered
    subject_restricted: bool = False


class ActionIn(BaseModel):
    """A staff action with what it needs."""

    model_config = ConfigDict(extra="forbid")

    action: StaffAction
    #: an internal note kept with the history
    note: str | None = None
    #: RECORD_FEE: the bank transfer or postal order reference (required)
    fee_reference: str | None = None
    #: REFUSE: one of the policy's grounds (required)
    refusal_ground: RefusalGround | None = None
    #: REFUSE and FULFIL_PARTLY: the reasons given to the person (required; Art. 36, R-RT-7);
    #: APPROVE: an optional message to the person
    explanation: str | None = None
    #: APPROVE / FULFIL_PARTLY: the registry subject the request is about (required for stop
    #: use, stop provision, erasure, disclosure and purpose notification unless linked before)
    subject_id: str | None = None
    #: REFUSE of a stop request on a ground of Art. 35(5): the special circumstances that
    #: outweigh the person's interest (required; added to the reasons given to the person)
    special_circumstances: str | None = None
    #: SET_STOP_GROUND: the ground of Art. 35 (required unless a reference implies it)
    stop_ground: StopGround | None = None
    #: SET_STOP_GROUND: the incident the request is about (with the reportable breach only)
    incident_reference: str | None = None

    @field_validator(
        "note", "fee_reference", "explanation", "subject_id", "special_circumstances", mode="before"
    )
    @classmethod
    def _text(cls, value: object, info: Any) -> str | None:
        return clean_text(value, field=str(info.field_name))

    @field_validator("stop_ground", mode="before")
    @classmethod
    def _stop_ground(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("incident_reference", mode="before")
    @classmethod
    def _incident_reference(cls, value: object) -> str | None:
        return normalise_incident_reference(value)


class DashboardFigures(BaseModel):
    by_state: dict[RequestState, int]
    #: buckets "overdue", "0-2", "3-5", "6-10", "11+" of open, arrived requests
    by_days_left: list[tuple[str, int]]
    open_total: int
    overdue_total: int
    ledger_due_for_review: int
    chain_head_seq: int
    last_checkpoint_at: datetime | None
    checkpoint_matches: bool | None
