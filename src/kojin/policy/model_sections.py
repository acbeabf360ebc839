"""The sections of the notice about personal information other than My Number (numbered 1-10),
the inquiry procedure shared with the My Number section, contacts and the certified organization.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PositiveInt, ValidationInfo, field_validator

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


class ThirdPartyProvision(TitledStatement):
    exceptions: list[ExceptionClause]
    #: an opt-out notification has been filed with the PPC (Art. 27(2); R-TP-OO-1)
    opt_out_filed: bool = False


class JointUseNotice(PolicyModel):
    item: JointUseItem
    text: Text


class ResponsibleParty(PolicyModel):
    name: Text
    address: Address
    representative: Text | None = None


class JointUseArrangement(PolicyModel):
    """One joint use; published only when all four items are present (R-TP-NT-1)."""

    id: Identifier
    categories: Annotated[list[Identifier], Field(min_length=1)]
    includes_pseudonymized: bool = False
    items: list[Text] = Field(default_factory=list)
    users: Text | None = None
    purposes: list[Identifier] = Field(default_factory=list)
    responsible_party: ResponsibleParty | None = None

    @property
    def publishes_all_items(self) -> bool:
        return (
            bool(self.items)
            and self.users is not None
            and bool(self.purposes)
            and (self.responsible_party is not None)
        )


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
