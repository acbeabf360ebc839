"""Compiling the policy into the facts the decision engine reads (:mod:`kojin.law.policy_facts`)."""

from __future__ import annotations

from kojin.law.policy_facts import CategoryFacts, PolicyFacts
from kojin.policy.model import Category, Policy
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
        pseudonymized_creation_declared=general.pseudonymized is not None,
        documented_country_systems=frozenset(
            s.country for s in general.external_environment.country_systems
        ),
        opt_out_filed=general.third_party_provision.opt_out_filed,
        extra={
            "organization": policy.organization.name.en,
            "revised_on": policy.organization.revised_on.isoformat(),
        },
    )


def _category_facts(policy: Policy, category: Category) -> CategoryFacts:
    general = policy.general
    # R-TP-NT-1: joint use counts only when an arrangement covering the category publishes all
    # four items (items, users, purposes, responsible party) in advance.
    published = [
        a
        for a in general.joint_use.arrangements
        if category.id in a.categories and a.publishes_all_items
    ]
    specific = category.scope is CategoryScope.SPECIFIC_PERSONAL
    section = policy.specific_personal
    return CategoryFacts(
        id=category.id,
        purposes=frozenset(p.id for p in category.purposes),
        specific_personal=specific,
        solely_for_contract=category.solely_for_contract,
        beyond_purpose_needs_notice=category.beyond_purpose_notice is not None,
        entrustment_allowed=category.entrustment,
        subcontractor_provision_allowed=category.subcontractor_provision is not None,
        joint_use_published=bool(published) and not specific,
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
    )
