"""Test support: a hand-built PolicyFacts mirroring the seed policy, and `ask` to decide a request.

Category and purpose ids are the fixed ids of the default policy. Variants of it are built with
``dataclasses.replace`` where a test needs a policy the seed does not state.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kojin.law import (
    CategoryFacts,
    Decision,
    DecisionRequest,
    Facts,
    PolicyFacts,
    decide,
)


def seed_policy() -> PolicyFacts:
    categories = [
        CategoryFacts(
            id="customer",
            purposes=frozenset(
                {
                    "provide_services",
                    "develop_services",
                    "research_feedback",
                    "satisfaction_surveys",
                    "building_security",
                }
            ),
            foreign_storage_countries=frozenset({"US"}),
            foreign_provision_declared=True,
        ),
        CategoryFacts(
            id="partner_employee",
            purposes=frozenset(
                {
                    "contract_management",
                    "work_instruction",
                    "skill_check",
                    "facility_security",
                    "confidentiality_measures",
                    "security_measures",
                }
            ),
            foreign_storage_countries=frozenset({"US"}),
            foreign_provision_declared=True,
        ),
        CategoryFacts(
            id="commissioned",
            purposes=frozenset({"commissioned_support", "contract_performance"}),
            solely_for_contract=True,
            subcontractor_provision_allowed=True,
        ),
        CategoryFacts(
            id="specific_personal",
            purposes=frozenset(
                {
                    "remuneration_payment_records",
                    "real_estate_fee_records",
                    "real_estate_compensation_records",
                    "real_estate_brokerage_records",
                }
            ),
            specific_personal=True,
            joint_use_prohibited=True,
        ),
        CategoryFacts(
            id="retired_employee",
            purposes=frozenset(
                {
                    "retiree_inquiries",
                    "company_information",
                    "personnel_records",
                    "tax_social_insurance",
                    "retiree_management",
                }
            ),
            beyond_purpose_needs_notice=True,
        ),
    ]
    titled = _default_titles()
    return PolicyFacts(
        categories={
            c.id: replace(
                c,
                title=titled.categories[c.id].title,
                purpose_titles=titled.categories[c.id].purpose_titles,
            )
            for c in categories
        },
        anonymized_items_published=True,
        pseudonymized_creation_declared=True,
        documented_country_systems=frozenset({"US"}),
        exception_titles=titled.exception_titles,
    )


def _default_titles() -> PolicyFacts:
    """The embedded policy, compiled: the Japanese titles its sentences use come from it, while
    every legal fact of the seed above is stated by hand."""
    from kojin.policy import load_policy, to_facts

    return to_facts(load_policy(None))


SEED = seed_policy()


def policy_variant(**category_changes: Any) -> PolicyFacts:
    """The seed with every category changed as given (e.g. joint_use_published=True)."""
    return replace(
        SEED,
        categories={k: replace(v, **category_changes) for k, v in SEED.categories.items()},
    )


def ask(
    request: dict[str, Any],
    facts: dict[str, Any] | None = None,
    policy: PolicyFacts = SEED,
) -> Decision:
    """Validate a JSON-shaped request as a caller would and decide it."""
    parsed = DecisionRequest.model_validate(request)
    known = Facts.from_request(parsed)
    if facts:
        known = known.model_copy(update=facts)
    return decide(parsed, policy, known)
