"""One request read against the policy and the facts: what every rule module looks at."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from kojin.law.decision_schemas import DecisionRequest, Facts, Recipient

if TYPE_CHECKING:  # the policy facts own the explainer, which reads situations
    from kojin.law.policy_facts import CategoryFacts, PolicyFacts


class PurposeStatus(Enum):
    DECLARED = "declared"  # one of the category's purpose ids
    UNDECLARED = "undeclared"  # free text or an id of another category
    MISSING = "missing"  # the request names no purpose


DOMESTIC = Recipient(country="JP")


class Situation(NamedTuple):
    request: DecisionRequest
    policy: PolicyFacts
    category: CategoryFacts
    facts: Facts
    purpose: PurposeStatus
    #: consent stated in the request or recorded, and not withdrawn
    consent: bool
    #: the Rule 17 foreign information was given with that consent
    foreign_information: bool
    recipient: Recipient


# module-level aliases: enum member lookups are comparatively slow on the hot path
DECLARED = PurposeStatus.DECLARED
UNDECLARED = PurposeStatus.UNDECLARED
MISSING = PurposeStatus.MISSING


def situation(
    request: DecisionRequest, policy: PolicyFacts, category: CategoryFacts, facts: Facts
) -> Situation:
    purpose = request.purpose
    if purpose is None:
        status = MISSING
    elif purpose in category.purposes:
        status = DECLARED
    else:
        status = UNDECLARED
    if facts.consent_withdrawn:
        consent = foreign_information = False
    else:
        stated = request.consent
        if stated is None:
            consent = facts.consent_given
            foreign_information = consent and facts.foreign_information_provided
        else:
            consent = facts.consent_given or stated.given
            foreign_information = consent and (
                facts.foreign_information_provided or stated.foreign_information_provided
            )
    recipient = request.recipient
    return Situation(
        request,
        policy,
        category,
        facts,
        status,
        consent,
        foreign_information,
        DOMESTIC if recipient is None else recipient,
    )
