"""Compiling the policy into the facts the decision engine reads (:mod:`kojin.law.policy_facts`)."""

from __future__ import annotations

from kojin.law.joint_use import member_key
from kojin.law.policy_facts import CategoryFacts, JointUseFacts, PolicyFacts
from kojin.policy.model import Category, JointUseArrangement, Policy
from kojin.policy.model_base import AnonymizedPublication, CategoryScope

#: What must be promised for anonymized information to count as published (Arts. 43(3), 44).
_ANONYMIZED_REQUIRED = frozenset(AnonymizedPublication)


def to_facts(policy: Policy) -> PolicyFacts:
    """Compile `policy` once into :class:`PolicyFacts` for the decision engine."""
    general = policy.general
    anonymized = general.anonymized
    published = {n.item for n in anonymized.published_items} if anonymized else set()
    return PolicyFacts(
        categories={c.id: _category_facts(policy, c) for c in policy.categories},
        academic_institution=policy.organization.academic_institution,
        anonymized_items_published=published >= _ANONYMIZED_REQUIRED,
        anonymized_declared=anonymized is not None,
        pseudonymized_creation_declared=general.pseudonymized is not None,
        documented_country_systems=frozenset(
            s.country for s in general.external_environment.country_systems
        ),
        opt_out_filed=_opt_out_filed(policy),
        exception_titles={
            e.id.value: (e.text.en, e.text.ja) for e in general.third_party_provision.exceptions
        },
        extra={
            "organization": policy.organization.name.en,
            "revised_on": policy.organization.revised_on.isoformat(),
        },
    )


def _category_facts(policy: Policy, category: Category) -> CategoryFacts:
    general = policy.general
    specific = category.scope is CategoryScope.SPECIFIC_PERSONAL
    # R-TP-NT-1, R-TP-NT-3(a): joint use counts only when an arrangement covering the category
    # publishes every required item in advance; specific personal information is never jointly
    # used (R-MN-5).
    published = (
        []
        if specific
        else [
            a
            for a in general.joint_use.arrangements
            if category.id in a.categories and a.publishes_all_items
        ]
    )
    opt_out = general.third_party_provision.opt_out
    section = policy.specific_personal
    return CategoryFacts(
        id=category.id,
        purposes=frozenset(p.id for p in category.purposes),
        specific_personal=specific,
        solely_for_contract=category.solely_for_contract,
        beyond_purpose_needs_notice=category.beyond_purpose_notice is not None,
        entrustment_allowed=category.entrustment,
        subcontractor_provision_allowed=category.subcontractor_provision is not None,
        joint_use_published=bool(published),
        joint_uses=tuple(_joint_use_facts(a) for a in published),
        pseudonymized_joint_use_published=any(a.includes_pseudonymized for a in published),
        joint_use_prohibited=specific and section is not None and section.joint_use.prohibited,
        foreign_storage_countries=frozenset(
            country
            for storage in general.external_environment.storage
            if storage.category == category.id
            for country in storage.countries
        ),
        foreign_provision_declared=category.id in general.foreign_provision.categories,
        purposes_published=True,  # every category's purposes are part of the published notice
        opt_out=_opt_out_filed(policy)
        and opt_out is not None
        and category.id in opt_out.categories,
        title=(category.title.en, category.title.ja),
        purpose_titles={p.id: (p.text.en, p.text.ja) for p in category.purposes},
        payment_records={
            p.id: p.payment_record for p in category.purposes if p.payment_record is not None
        },
    )


def _opt_out_filed(policy: Policy) -> bool:
    """R-TP-OO-1: opt-out counts only when filed and its Rule 11 items are in the policy."""
    provision = policy.general.third_party_provision
    return provision.opt_out_filed and provision.opt_out is not None


def _joint_use_facts(arrangement: JointUseArrangement) -> JointUseFacts:
    members: dict[str, tuple[str, str]] = {}
    for member in arrangement.members:
        names = (member.name.en, member.name.ja)
        for key in (member.id, *names):
            members[member_key(key)] = names
    return JointUseFacts(
        id=arrangement.id,
        purposes=frozenset(arrangement.purposes),
        items=frozenset(item.id for item in arrangement.items),
        members=members,
        includes_pseudonymized=arrangement.includes_pseudonymized,
    )
