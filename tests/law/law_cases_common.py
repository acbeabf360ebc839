"""Helpers and policy variants shared by the decision-table case lists."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from law_support import SEED, policy_variant

from kojin.law import PolicyFacts

ACADEMIC = replace(SEED, academic_institution=True)
JOINT_PUBLISHED = policy_variant(joint_use_published=True, pseudonymized_joint_use_published=True)
OPT_OUT = replace(SEED, opt_out_filed=True)
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


def r(action: str, category: str = "customer", **fields: Any) -> dict[str, Any]:
    return {"action": action, "category": category, **fields}


def to(country: str = "JP", relation: str = "third_party", **fields: Any) -> dict[str, Any]:
    return {"name": "Recipient Co", "country": country, "relation": relation, **fields}


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
