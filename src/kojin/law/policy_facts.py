"""What the decision engine needs to know about an organization's declared policy.

``kojin.policy`` compiles its full policy model into :class:`PolicyFacts` once; the engine reads
only this. New fields must carry defaults so that older compilers keep working. Each compiled
:class:`PolicyFacts` also owns the :class:`~kojin.law.explain.Explainer` that keeps the decisions
rendered under it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kojin.law.explain import Explainer
from kojin.law.mynumber_vocabulary import PaymentRecordKind


@dataclass(frozen=True, slots=True)
class JointUseFacts:
    """One published joint-use arrangement (R-TP-NT-1, R-TP-NT-3(a)): a provision is joint use
    only when the arrangement covers its purpose, its recipient and its items."""

    id: str
    #: the users' purposes of use (purpose ids of the category)
    purposes: frozenset[str]
    #: the ids of the items jointly used
    items: frozenset[str]
    #: each joint user under its id and its names (normalized by ``joint_use.member_key``), to
    #: its (English, Japanese) name
    members: Mapping[str, tuple[str, str]]
    #: pseudonymized information is jointly used as well (published; R-PS-3)
    includes_pseudonymized: bool = False


@dataclass(frozen=True, slots=True)
class CategoryFacts:
    """One category of personal information as the policy declares it."""

    id: str
    #: ids of the declared purposes of use
    purposes: frozenset[str]
    #: specific personal information (My Number): purposes are number-related affairs (MNA Art. 9)
    specific_personal: bool = False
    #: data held on behalf of a client (commissioned services): used solely to perform the contract
    solely_for_contract: bool = False
    #: use beyond the purposes needs a separate notice or announcement as well as consent
    beyond_purpose_needs_notice: bool = False
    #: handling may be entrusted (outsourced) within the purposes (APPI Art. 27(5)(i))
    entrustment_allowed: bool = True
    #: the category's data may be passed to subcontractors or partners to perform the service
    subcontractor_provision_allowed: bool = False
    #: a complete joint-use arrangement covering this category is published (Art. 27(5)(iii))
    joint_use_published: bool = False
    #: the published arrangements covering this category
    joint_uses: tuple[JointUseFacts, ...] = ()
    #: pseudonymized information of this category may be jointly used (published)
    pseudonymized_joint_use_published: bool = False
    #: the policy states joint use never happens for this category (My Number)
    joint_use_prohibited: bool = False
    #: countries (ISO 3166-1 alpha-2) where the policy declares this category may be stored/handled
    foreign_storage_countries: frozenset[str] = frozenset()
    #: the policy declares that this category may be provided to third parties abroad (Art. 28)
    foreign_provision_declared: bool = False
    #: the purposes are published in advance (so Art. 21(1) notice after acquisition is met)
    purposes_published: bool = True
    #: the category is provided by the opt-out the policy declares (R-TP-OO-1)
    opt_out: bool = False
    #: the category's title in English and Japanese, for explanations
    title: tuple[str, str] = ("", "")
    #: each purpose id's text in English and Japanese, for explanations
    purpose_titles: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    #: specific personal information: the statutory payment record each purpose (a
    #: number-related affair) prepares, by purpose id
    payment_records: Mapping[str, PaymentRecordKind] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    """The organization-level declarations the law applies to."""

    categories: Mapping[str, CategoryFacts]
    #: the operator is an academic research institution (APPI Art. 16(8))
    academic_institution: bool = False
    #: anonymized information: the items and provision methods are published (Arts. 43(3), 44)
    anonymized_items_published: bool = False
    #: the policy declares anonymized information at all (its audit controls apply)
    anonymized_declared: bool = False
    #: the policy allows creating pseudonymized information for the declared purposes (Art. 41)
    pseudonymized_creation_declared: bool = False
    #: countries whose personal-information system the operator has documented
    documented_country_systems: frozenset[str] = frozenset()
    #: the operator filed an opt-out notification with the PPC and publishes the Rule 11 items
    #: (Art. 27(2); R-TP-OO-1)
    opt_out_filed: bool = False
    #: the policy's own wording of each statutory exception it names, in English and Japanese
    exception_titles: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)
    #: the decisions rendered under this policy (not part of the policy: a copy starts empty)
    explainer: Explainer = field(default_factory=Explainer, init=False, repr=False, compare=False)
