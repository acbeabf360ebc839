"""The decision table: one row per situation, each naming the APPI-SPEC rule it exercises.

Each row (in law_cases_personal.py and law_cases_forms.py): the rule id that must appear in the
decision, the JSON-shaped request, facts, policy, whether it is allowed, and the exact set of
obligation codes.
"""

from __future__ import annotations

from typing import Any

import pytest
from law_cases_fidelity import FIDELITY_CASES
from law_cases_forms import FORM_CASES
from law_cases_personal import PERSONAL_CASES
from law_support import ask

from kojin.law import PolicyFacts

ALL_CASES = PERSONAL_CASES + FORM_CASES + FIDELITY_CASES


@pytest.mark.parametrize(
    ("rule", "request_body", "facts", "policy", "allowed", "obligations"), ALL_CASES
)
def test_decision_table(
    rule: str,
    request_body: dict[str, Any],
    facts: dict[str, Any] | None,
    policy: PolicyFacts,
    allowed: bool,
    obligations: frozenset[str],
) -> None:
    decision = ask(request_body, facts, policy)
    assert decision.allowed is allowed, decision.explanation.en
    assert decision.outcome == ("allow" if allowed else "deny")
    assert rule in decision.rules, (rule, decision.rules)
    assert {o.code.value for o in decision.obligations} == obligations, decision.obligations


def test_table_is_large_and_covers_the_vocabulary() -> None:
    assert len(ALL_CASES) >= 80
    bodies = [p.values[1] for p in ALL_CASES]
    assert {b["action"] for b in bodies} >= {
        "acquire",
        "use",
        "provide",
        "store_abroad",
        "contact",
        "reidentify",
    }
    assert {b.get("form", "personal") for b in bodies} >= {
        "personal",
        "pseudonymized",
        "anonymized",
        "person_related",
    }
    relations = {b["recipient"]["relation"] for b in bodies if "recipient" in b}
    assert relations >= {"third_party", "entrustee", "joint_user", "successor"}
    exceptions = {b["exception"] for b in bodies if "exception" in b}
    assert len(exceptions) == 8
