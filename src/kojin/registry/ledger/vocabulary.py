"""The ledger speaks the policy's words: a row's category is one the policy declares and its
purposes are purpose ids the policy declares for that category.

The audit chain records a row's category, so nothing else may reach it. Problems name the field
(and the position in a list), never the value: a value that is not an id of the policy may be
anything a person typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kojin.law.policy_facts import PolicyFacts


@dataclass(frozen=True, slots=True)
class VocabularyProblem:
    """One value the policy does not declare: the field (``category``, ``purposes.2``) and why."""

    field: str
    message: str


def vocabulary_problems(
    *, policy: PolicyFacts, category: str, purposes: Sequence[str]
) -> list[VocabularyProblem]:
    """What in (`category`, `purposes`) the policy does not declare; empty when all is declared.

    Purposes are positions counted from 0, as in the request body.
    """
    declared = policy.categories.get(category)
    if declared is None:
        return [
            VocabularyProblem(
                "category",
                "not a category the policy declares (the value is not repeated here); "
                "the policy declares: " + ", ".join(sorted(policy.categories)),
            )
        ]
    return [
        VocabularyProblem(
            f"purposes.{at}",
            f"not a purpose the policy declares for category {category} (the value is not "
            f"repeated here); it declares: {', '.join(sorted(declared.purposes))}",
        )
        for at, purpose in enumerate(purposes)
        if purpose not in declared.purposes
    ]
