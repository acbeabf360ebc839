"""The sections of the notice about personal information other than My Number (numbered 1-10),
the inquiry procedure shared with the My Number section, contacts and the certified organization.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import (
    ConfigDict,
    Field,
    PositiveInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from kojin.law.vocabulary import LegalException
from kojin.policy.model_base import (
    FEE_CHARGEABLE,
    Address,
    AnonymizedPublication,
    ContactChannel,
    CountryCode,
    ForeignConsentItem,
    Identifier,
    JointUseItem,
    NonEmptyList,
    PolicyModel,
    RefusalGround,
    RequestType,
    Statement,
    Text,
    Titled,
    TitledParagraphs,
    TitledStatement,
)


class ExceptionClause(PolicyModel):
    """An exception to the consent rule, mapped to the engine's vocabulary (R-PUR-4, R-TP-1)."""

    id: LegalException
    text: Text


class OptOut(PolicyModel):
    """Provision to third parties by opt-out (Art. 27(2)-(4); Rule 11; R-TP-OO-1..3): the items
    notified to the people and filed with the PPC in advance. The operator's name, address and
    representative (item 1) come from ``organization``."""

    title: Text
    #: the categories provided by opt-out; never special-care information (R-TP-OO-2)
    categories: Annotated[list[Identifier], Field(min_length=1)]
    #: item 2: that provision to third parties is a purpose of use
    purpose: Text
    #: item 3: the items of personal data provided (exhaustive)
    items: NonEmptyList
    #: item 4: how the personal data is acquired (source and method)
    acquisition_method: Text
    #: item 5: how it is provided (printed matter, online, ...)
    provision_method: Text
    #: item 6: that provision stops at the person's request
    stop_on_request: Text
    #: item 7: how such requests are received
    request_method: Text
    #: item 8: how the personal data is updated
    update_method: Text
    #: item 8: when provision by opt-out starts
    start_date: date
    #: when the notification was filed with the PPC (Rule 11(1)); unset while not yet filed
    filed_on: date | None = None


class ThirdPartyProvision(TitledStatement):
    exceptions: list[ExceptionClause]
    #: an opt-out notification has been filed with the PPC (Art. 27(2); R-TP-OO-1); requires the
    #: Rule 11 items in `opt_out`
    opt_out_filed: bool = False
    opt_out: OptOut | None = None


class JointUseNotice(PolicyModel):
    item: JointUseItem
    text: Text


class ResponsibleParty(PolicyModel):
    """The person or party responsible for managing jointly used data (R-TP-NT-1 item 5)."""

    name: Text
    address: Address
    #: a corporation must publish its representative's name as well (R-TP-NT-3(a))
    corporation: bool = True
    representative: Text | None = None


class ArrangementItem(PolicyModel):
    """An item of personal data jointly used, with the id a decision request names it by."""

    id: Identifier
    text: Text


class JointUser(PolicyModel):
    """A party within the users of a joint use, as a decision request names its recipient."""

    id: Identifier
    name: Text


class JointUseArrangement(PolicyModel):
    """One joint use. It counts as published only when every required item is present
    (R-TP-NT-1, R-TP-NT-3(a)); :attr:`missing` says what is not."""

    id: Identifier
    categories: Annotated[list[Identifier], Field(min_length=1)]
    includes_pseudonymized: bool = False
    items: list[ArrangementItem] = Field(default_factory=list)
    #: the scope of the joint users, as published
    users: Text | None = None
    #: the joint users by name, so that kojin can tell whether a recipient is within the scope
    members: list[JointUser] = Field(default_factory=list)
    purposes: list[Identifier] = Field(default_factory=list)
    responsible_party: ResponsibleParty | None = None

    @property
    def missing(self) -> list[tuple[str, str]]:
        """(field, what is missing) for every required item the arrangement lacks."""
        lacking: list[tuple[str, str]] = []
        if not self.items:
            lacking.append(("items", "the items jointly used"))
        if self.users is None:
            lacking.append(("users", "the scope of the joint users"))
        if not self.members:
            lacking.append(("members", "the joint users by name"))
        if not self.purposes:
            lacking.append(("purposes", "the users' purposes of use"))
        party = self.responsible_party
        if party is None:
            lacking.append(("responsible_party", "the party responsible for management"))
        elif party.corporation and party.representative is None:
            lacking.append(
                (
                    "responsible_party.representative",
                    "the name of the responsible corporation's representative",
                )
            )
        return lacking

    @property
    def publishes_all_items(self) -> bool:
        return not self.missing


class JointUse(TitledParagraphs):
    published_items: list[JointUseNotice]
    arrangements_title: Text
    arrangements: list[JointUseArrangement] = Field(default_factory=list)


class Entrustment(TitledParagraphs):
    """Entrusting the handling of personal data (Art. 27(5)(i), Art. 25; R-SEC-4)."""


class AnonymizedNotice(PolicyModel):
    item: AnonymizedPublication
    text: Text


class Anonymized(TitledParagraphs):
    """Anonymized information (Arts. 43-46; R-AN-3, R-AN-4, R-AN-6)."""

    published_items: list[AnonymizedNotice]
    supervision: Text
    created_items: list[Text] = Field(default_factory=list)
    provision_methods: list[Text] = Field(default_factory=list)
    security_measures: list[Text] = Field(default_factory=list)


class Pseudonymized(PolicyModel):
    """Pseudonymized information (Art. 41; R-PS-3): creation and announced changes of purpose."""

    title: Text
    creation: Text
    beyond_purpose_announcement: Text


class PersonRelated(PolicyModel):
    """Person-related information (Art. 31; R-PRI-1, R-PRI-2)."""

    title: Text
    definition: Text
    provision: Titled
    acquisition: Titled


class ForeignConsentNotice(PolicyModel):
    item: ForeignConsentItem
    text: Text


class ForeignConsent(PolicyModel):
    title: Text
    text: Text
    items: list[ForeignConsentNotice]


class ForeignProvision(TitledStatement):
    """Provision to third parties abroad (Art. 28; R-TP-FX-1..3)."""

    categories: list[Identifier] = Field(default_factory=list)
    consent: ForeignConsent
    recipient_systems: Titled


class ForeignStorage(PolicyModel):
    """Where a category may be stored or handled abroad (R-SEC-2 external environment)."""

    category: Identifier
    countries: Annotated[list[CountryCode], Field(min_length=1)]
    purposes: list[Identifier] = Field(default_factory=list)
    text: Text


class CountrySystem(PolicyModel):
    """What the operator documents of a country's personal-information system (R-TP-FX-2)."""

    country: CountryCode
    name: Text
    summary: Text


class ExternalEnvironment(TitledStatement):
    storage: list[ForeignStorage] = Field(default_factory=list)
    country_systems: list[CountrySystem] = Field(default_factory=list)


class Fee(PolicyModel):
    """A fee for one request type; only purpose notification and disclosure (R-RT-9)."""

    request_type: RequestType
    amount_yen: PositiveInt
    tax_included: bool = True

    @field_validator("amount_yen")
    @classmethod
    def _chargeable(cls, value: int, info: ValidationInfo) -> int:
        kind = info.data.get("request_type")
        if kind is not None and kind not in FEE_CHARGEABLE:
            allowed = ", ".join(sorted(FEE_CHARGEABLE))
            raise ValueError(
                f"no fee may be charged for {kind} requests (APPI Art. 38, R-RT-9); "
                f"fees are allowed only for: {allowed}"
            )
        return value


class RefusalClause(PolicyModel):
    ground: RefusalGround
    text: Text


#: a day of the year, ``MM-DD``
MonthDay = Annotated[str, StringConstraints(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
#: the longest day of each month (29 February counts: it is a day in leap years)
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class ClosureDays(PolicyModel):
    """Days the office is closed every year, ``from`` to ``to`` inclusive (``MM-DD``); a range
    whose ``to`` comes before its ``from`` crosses the year end (``12-29`` to ``01-03``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: MonthDay = Field(alias="from")
    to: MonthDay

    @field_validator("from_", "to")
    @classmethod
    def _real_day(cls, value: str) -> str:
        month, day = (int(part) for part in value.split("-"))
        if day > _MONTH_DAYS[month - 1]:
            raise ValueError("no such day in that month")
        return value

    @property
    def start(self) -> tuple[int, int]:
        """(month, day) of the first closed day."""
        month, day = self.from_.split("-")
        return int(month), int(day)

    @property
    def end(self) -> tuple[int, int]:
        """(month, day) of the last closed day."""
        month, day = self.to.split("-")
        return int(month), int(day)


def _year_end_closure() -> list[ClosureDays]:
    return [ClosureDays.model_validate({"from": "12-29", "to": "01-03"})]


class RequestHandling(PolicyModel):
    """How requests are handled in time (R-RT-10, R-RT-11) and how long what they brought in
    is kept (the documents, and what was learned only to answer an inquiry)."""

    #: the office's target for "without delay", in business days after arrival
    target_business_days: int = Field(default=10, ge=1, le=60)
    #: days the office is closed besides weekends and Japanese public holidays
    closure_days: list[ClosureDays] = Field(default_factory=_year_end_closure)
    #: identity and authority documents are deleted this many days after the request closes
    document_holding_days: int = Field(default=30, ge=0, le=3650)
    #: complaints and inquiries lose their personal data this many days after closing
    inquiry_retention_days: int = Field(default=90, ge=0, le=3650)


class Inquiries(TitledStatement):
    """Requests and complaints about retained data (Arts. 32-40; R-RT-1, R-RT-8, R-RT-9)."""

    #: the procedure sentence; ``{documents}`` and ``{fee}`` are filled from the fields below
    procedure: Text
    required_documents: list[Statement] = Field(default_factory=list)
    fees: list[Fee] = Field(default_factory=list)
    refusal_intro: Text
    refusal_grounds: list[RefusalClause] = Field(default_factory=list)
    note: Text | None = None
    contact_title: Text
    contact: Identifier
    #: the clock and the holding periods of requests (defaults when the policy omits them)
    handling: RequestHandling = Field(default_factory=RequestHandling)


class Contact(PolicyModel):
    id: Identifier
    department: Text
    address: Address
    channels: list[ContactChannel] = Field(default_factory=list)


class CertifiedOrganization(PolicyModel):
    """The certified personal information protection organization (Art. 32(1); R-RT-1 (6))."""

    title: Text
    name_heading: Text
    name: Text
    contact_heading: Text
    office: Text
    address: Address
    phones: Annotated[list[Annotated[str, Field(pattern=r"^[0-9][0-9-]+$")]], Field(min_length=1)]
    notes: list[Text] = Field(default_factory=list)
