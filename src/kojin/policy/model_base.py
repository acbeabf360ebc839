"""Building blocks of the policy model: bilingual text, statements and the closed vocabularies."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Lang = Literal["en", "ja"]

#: Stable identifiers: lower-case ASCII words joined by underscores (``provide_services``).
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

#: ISO 3166-1 alpha-2 country code (``US``).
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

NonEmpty = Annotated[str, StringConstraints(min_length=1)]


class PolicyModel(BaseModel):
    """Base of every policy model: unknown keys are errors and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(PolicyModel):
    """One piece of text in English and Japanese; both are required."""

    en: NonEmpty
    ja: NonEmpty

    def get(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.ja


class Statement(PolicyModel):
    """A promise with a stable id, as a bullet or paragraph of the notice."""

    id: Identifier
    text: Text


class CategoryScope(StrEnum):
    """Which part of the notice a category belongs to."""

    GENERAL = "general"
    SPECIFIC_PERSONAL = "specific_personal"
    RETIRED_EMPLOYEE = "retired_employee"


class SecurityControlFamily(StrEnum):
    """The security-control families the basic policy promises (GL-General §10; R-SEC-2)."""

    ORGANIZATIONAL_HUMAN = "organizational_human"
    TECHNOLOGICAL = "technological"
    PHYSICAL = "physical"
    EXTERNAL_ENVIRONMENT = "external_environment"


class JointUseItem(StrEnum):
    """The matters published in advance for joint use (APPI Art. 27(5)(iii); R-TP-NT-1)."""

    ITEMS = "items"
    USERS = "users"
    PURPOSES = "purposes"
    RESPONSIBLE_PARTY = "responsible_party"


class AnonymizedPublication(StrEnum):
    """What is published about anonymized information (Arts. 43(3), 43(6), 44; R-AN-3/4/6)."""

    CREATED_ITEMS = "created_items"
    PROVIDED_ITEMS = "provided_items"
    PROVISION_METHODS = "provision_methods"
    SECURITY_MEASURES = "security_measures"


class ForeignConsentItem(StrEnum):
    """Information given before consent to foreign provision (Art. 28(2); Rule 17; R-TP-FX-2)."""

    COUNTRY_NAME = "country_name"
    COUNTRY_SYSTEM = "country_system"
    RECIPIENT_MEASURES = "recipient_measures"


class RequestType(StrEnum):
    """Requests a data subject may make about retained personal data (Arts. 32-35)."""

    PURPOSE_NOTIFICATION = "purpose_notification"
    DISCLOSURE = "disclosure"
    THIRD_PARTY_RECORD_DISCLOSURE = "third_party_record_disclosure"
    CORRECTION = "correction"
    STOP_USE = "stop_use"
    STOP_PROVISION = "stop_provision"


#: Request types for which a fee may be charged (APPI Art. 38; R-RT-9).
FEE_CHARGEABLE: frozenset[RequestType] = frozenset(
    {
        RequestType.PURPOSE_NOTIFICATION,
        RequestType.DISCLOSURE,
        RequestType.THIRD_PARTY_RECORD_DISCLOSURE,
    }
)


class RefusalGround(StrEnum):
    """Why a request may be refused in whole or part (Arts. 33(2), 37; R-RT-3, R-RT-8)."""

    DEFICIENT_PROCEDURE = "deficient_procedure"
    NOT_HELD = "not_held"
    HARM_TO_PERSONS = "harm_to_persons"
    BUSINESS_HINDRANCE = "business_hindrance"
    VIOLATES_LAW = "violates_law"


class CertificationKind(StrEnum):
    PRIVACY_MARK = "privacy_mark"
    ISO_IEC_27001 = "iso_iec_27001"
    OTHER = "other"


class ContactChannelKind(StrEnum):
    WEB_FORM = "web_form"
    POST = "post"
    TELEPHONE = "telephone"
    EMAIL = "email"


class ContactChannel(PolicyModel):
    kind: ContactChannelKind
    label: Text
    #: where the channel leads; a notice without it shows the label only
    url: str | None = None


class Address(PolicyModel):
    """A postal address; the postal code is shown where the notice gives one."""

    text: Text
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{3}-\d{4}$")] | None = None
    country: Text | None = None


class PersonRole(PolicyModel):
    """A named office holder (representative, management representative)."""

    name: Text
    title: Text


class Titled(PolicyModel):
    """A titled block of paragraphs."""

    title: Text
    paragraphs: list[Text] = Field(default_factory=list)


class TitledStatement(PolicyModel):
    """A section that opens with its title and one statement (subclasses add what follows)."""

    title: Text
    statement: Text


#: A list of texts with at least one entry.
NonEmptyList = Annotated[list[Text], Field(min_length=1)]


class TitledParagraphs(PolicyModel):
    """A section that opens with its title and at least one paragraph (subclasses add more)."""

    title: Text
    paragraphs: NonEmptyList
