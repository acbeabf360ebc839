"""The policy model: every promise of a published personal-information policy, validated.

A policy file is YAML that validates against :class:`Policy`. Unknown keys are errors; ids are
stable (`customer`, `provide_services`); every text is given in English and Japanese.
Cross-references (categories, purposes, contacts) are checked by :mod:`kojin.policy.references`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, model_validator

from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.law.vocabulary import LegalException
from kojin.policy.model_base import (
    Address,
    CategoryScope,
    CertificationKind,
    Identifier,
    NonEmptyList,
    PersonRole,
    PolicyModel,
    SecurityControlFamily,
    Statement,
    Text,
    Titled,
    TitledParagraphs,
    TitledStatement,
)
from kojin.policy.model_sections import (
    Anonymized,
    ArrangementItem,
    CertifiedOrganization,
    Contact,
    Entrustment,
    ExternalEnvironment,
    Fee,
    ForeignProvision,
    Inquiries,
    JointUse,
    JointUseArrangement,
    JointUser,
    OptOut,
    PersonRelated,
    Pseudonymized,
    ResponsibleParty,
    ThirdPartyProvision,
)


class Certification(PolicyModel):
    kind: CertificationKind
    name: Text


class Organization(PolicyModel):
    """The operator (APPI Art. 32(1)(i); R-RT-1): name, address, representative."""

    name: Text
    short_name: Text
    address: Address
    representative: PersonRole
    established_on: date
    revised_on: date
    effected_areas_title: Text
    effected_areas: NonEmptyList
    certifications: list[Certification] = Field(default_factory=list)
    website: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    #: the operator is an academic research institution (APPI Art. 16(8))
    academic_institution: bool = False

    @model_validator(mode="after")
    def _revised_after_established(self) -> Organization:
        if self.revised_on < self.established_on:
            raise ValueError("revised_on must not be earlier than established_on")
        return self


class SecurityImplementationManagers(PolicyModel):
    """Security implementation managers: one per organization unit (JIS Q 15001)."""

    per_organization: bool = True
    organizations: list[Text] = Field(default_factory=list)


class Management(PolicyModel):
    protection_management_representative: PersonRole
    representative_label: Text
    security_implementation_managers: SecurityImplementationManagers


class Principle(PolicyModel):
    """One numbered paragraph of the basic policy, with optional bullets."""

    id: Identifier
    title: Text
    paragraphs: list[Text] = Field(default_factory=list)
    items: list[Statement] = Field(default_factory=list)


class SecurityControl(PolicyModel):
    family: SecurityControlFamily
    title: Text
    text: Text


class SecurityPrinciple(TitledParagraphs):
    controls: list[SecurityControl]


class BasicPolicy(PolicyModel):
    title: Text
    preamble: Text
    principles: Annotated[list[Principle], Field(min_length=1)]
    security: SecurityPrinciple
    established_label: Text
    revised_label: Text


class Purpose(PolicyModel):
    id: Identifier
    text: Text
    #: a number-related affair that prepares a statutory payment record (specific personal
    #: information only): which one
    payment_record: PaymentRecordKind | None = None


class Category(PolicyModel):
    """A category of personal information: its data subjects and purposes of use (Art. 17)."""

    id: Identifier
    scope: CategoryScope = CategoryScope.GENERAL
    title: Text
    data_subjects: Text
    introduction: list[Text] = Field(default_factory=list)
    purposes: Annotated[list[Purpose], Field(min_length=1)]
    #: data held for a client: used solely to perform the contract
    solely_for_contract: bool = False
    #: statement that the data may be passed to subcontractors or partners to perform the service
    subcontractor_provision: Text | None = None
    #: statement that use beyond the purposes needs a separate notice/announcement and consent
    beyond_purpose_notice: Text | None = None
    #: handling may be entrusted within the purposes (APPI Art. 27(5)(i))
    entrustment: bool = True

    @model_validator(mode="after")
    def _payment_records_are_affairs(self) -> Category:
        if self.scope is not CategoryScope.SPECIFIC_PERSONAL and any(
            p.payment_record is not None for p in self.purposes
        ):
            raise ValueError(
                "payment_record is declared only on purposes of a specific_personal category "
                "(number-related affairs)"
            )
        return self


class GeneralHandling(PolicyModel):
    """The handling of personal information other than My Number (numbered sections 1-10)."""

    title: Text
    purposes_title: Text
    third_party_provision: ThirdPartyProvision
    joint_use: JointUse
    entrustment: Entrustment
    #: omitted when the organization neither creates nor provides anonymized information
    anonymized: Anonymized | None = None
    #: omitted when the organization does not create pseudonymized information (Art. 41)
    pseudonymized: Pseudonymized | None = None
    person_related: PersonRelated
    foreign_provision: ForeignProvision
    external_environment: ExternalEnvironment
    inquiries: Inquiries


class SpecificPersonalProvision(TitledStatement):
    #: the only cases in which specific personal data is provided (MNA Art. 19; R-MN-5)
    exceptions: list[LegalException] = Field(default_factory=lambda: [LegalException.MNA_19])


class SpecificPersonalJointUse(TitledStatement):
    prohibited: bool = True


class SpecificPersonalHandling(PolicyModel):
    """Individual numbers and specific personal information (MNA; R-MN-1..R-MN-8)."""

    title: Text
    definition: Text
    purposes_title: Text
    written_acquisition: Text
    provision: SpecificPersonalProvision
    joint_use: SpecificPersonalJointUse
    entrustment: TitledStatement
    inquiries: Inquiries


class RetiredEmployeesHandling(PolicyModel):
    title: Text
    purposes_title: Text
    contact_title: Text
    contact: Identifier


class Front(PolicyModel):
    """The notice's title and its opening section."""

    title: Text
    introduction: Titled


class Policy(PolicyModel):
    """A whole personal-information handling policy."""

    version: Literal[1] = 1
    notice: Front
    organization: Organization
    management: Management
    basic_policy: BasicPolicy
    categories: Annotated[list[Category], Field(min_length=1)]
    contacts: list[Contact] = Field(default_factory=list)
    certified_organization: CertifiedOrganization | None = None
    general: GeneralHandling
    specific_personal: SpecificPersonalHandling | None = None
    retired_employees: RetiredEmployeesHandling | None = None

    def categories_in(self, scope: CategoryScope) -> list[Category]:
        return [category for category in self.categories if category.scope is scope]

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def contact(self, contact_id: str) -> Contact | None:
        return next((c for c in self.contacts if c.id == contact_id), None)

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Policy:
        # The loader checks references itself so that each problem gets a file position.
        if info.context and info.context.get("defer_references"):
            return self
        from kojin.policy.references import find_reference_problems

        problems = find_reference_problems(self)
        if problems:
            raise ValueError("; ".join(f"{p.dotted}: {p.message}" for p in problems))
        return self


__all__ = [
    "Anonymized",
    "ArrangementItem",
    "BasicPolicy",
    "Category",
    "CertifiedOrganization",
    "Contact",
    "Entrustment",
    "ExternalEnvironment",
    "Fee",
    "ForeignProvision",
    "GeneralHandling",
    "Inquiries",
    "JointUse",
    "JointUseArrangement",
    "JointUser",
    "OptOut",
    "Organization",
    "PersonRelated",
    "Policy",
    "Pseudonymized",
    "Purpose",
    "ResponsibleParty",
    "SpecificPersonalHandling",
    "ThirdPartyProvision",
]
