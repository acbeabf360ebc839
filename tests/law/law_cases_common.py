"""Helpers and policy variants shared by the decision-table case lists."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from law_support import SEED, policy_variant

from kojin.law import PolicyFacts
from kojin.law.joint_use import member_key
from kojin.law.policy_facts import JointUseFacts

ACADEMIC = replace(SEED, academic_institution=True)

#: the joint user every joint-use case names, as the arrangement lists it
JOINT_USER_NAME = "Group Research Co"
JOINT_ITEMS = ["name", "email"]


def _arrangement(*, pseudonymized: bool) -> JointUseFacts:
    names = (JOINT_USER_NAME, "グループ研究株式会社")
    return JointUseFacts(
        id="group_surveys",
        purposes=frozenset({"satisfaction_surveys", "research_feedback"}),
        items=frozenset({"name", "email", "purchase_history"}),
        members={member_key(k): names for k in ("group_research", *names)},
        includes_pseudonymized=pseudonymized,
    )


def _with_joint_use(*, pseudonymized: bool) -> PolicyFacts:
    """The seed plus one complete arrangement covering the customer category."""
    customer = replace(
        SEED.categories["customer"],
        joint_use_published=True,
        joint_uses=(_arrangement(pseudonymized=pseudonymized),),
    )
    commissioned = replace(
        SEED.categories["commissioned"],
        joint_use_published=True,
        joint_uses=(
            replace(
                _arrangement(pseudonymized=pseudonymized),
                purposes=frozenset({"commissioned_support"}),
            ),
        ),
    )
    return replace(
        SEED, categories={**SEED.categories, "customer": customer, "commissioned": commissioned}
    )


JOINT_PUBLISHED = _with_joint_use(pseudonymized=True)
JOINT_PERSONAL_ONLY = _with_joint_use(pseudonymized=False)
OPT_OUT = replace(
    SEED,
    opt_out_filed=True,
    categories={
        **SEED.categories,
        "customer": replace(SEED.categories["customer"], opt_out=True),
    },
)
NOT_PUBLISHED = policy_variant(purposes_published=False)
NO_ENTRUSTMENT = policy_variant(entrustment_allowed=False)

FREE_TEXT = "send partner offers to the customer"
CONSENT = {"given": True}
CONSENT_FX = {"given": True, "foreign_information_provided": True}

STATE = "state_purpose_in_advance"
NOTIFY = "notify_or_publish_purpose"
RECORD = "record_provision"
RECORD_PRI = "record_pri_provision"
SUPERVISE = "supervise_entrustee"
UNDERSTAND = "understand_foreign_system"
PERIODIC = "periodic_check_foreign_recipient"
VERIFY = "verify_identity_mynumber"
PUBLISH_AN = "publish_anonymized_items"
ANNOUNCE = "announce_purpose_change"
INFORM_PS = "inform_entrustee_pseudonymized"


def r(action: str, category: str = "customer", **fields: Any) -> dict[str, Any]:
    return {"action": action, "category": category, **fields}


def to(country: str = "JP", relation: str = "third_party", **fields: Any) -> dict[str, Any]:
    return {"name": "Recipient Co", "country": country, "relation": relation, **fields}


def joint(country: str = "JP", name: str = JOINT_USER_NAME, **fields: Any) -> dict[str, Any]:
    """A recipient named among the joint users of the published arrangement."""
    return to(country, "joint_user", name=name, **fields)


def case(
    rule: str,
    request: dict[str, Any],
    allowed: bool,
    obligations: tuple[str, ...] = (),
    *,
    facts: dict[str, Any] | None = None,
    policy: PolicyFacts = SEED,
    id: str,
) -> Any:
    return pytest.param(rule, request, facts, policy, allowed, frozenset(obligations), id=id)
