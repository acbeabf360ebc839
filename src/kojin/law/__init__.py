"""The law as code: APPI and the My Number Act as data and pure rule functions.

Standard library and pydantic only (python-stdnum for the check digits, loaded on their first use:
deciding never needs it; ``holidays`` for Japan's national holidays, which move the due date of a
breach report in :mod:`kojin.law.breach_clock`). The organization's policy reaches this layer as
:class:`kojin.law.policy_facts.PolicyFacts`, built by ``kojin.policy``; nothing here imports it.
"""

from typing import TYPE_CHECKING

from kojin.law.decide import decide
from kojin.law.decision_schemas import (
    ConsentStatement,
    Decision,
    DecisionRequest,
    Explanation,
    Facts,
    Obligation,
    Recipient,
)
from kojin.law.policy_facts import CategoryFacts, PolicyFacts
from kojin.law.rule_ids import KNOWN_RULE_IDS
from kojin.law.vocabulary import (
    AcquisitionMethod,
    Action,
    Form,
    LegalException,
    ObligationCode,
    Outcome,
    Relation,
)

if TYPE_CHECKING:
    from kojin.law.check_digits import (
        corporate_check_digit,
        is_valid_corporate_number,
        is_valid_luhn,
        is_valid_my_number,
        my_number_check_digit,
    )

_CHECK_DIGITS = frozenset(
    {
        "corporate_check_digit",
        "is_valid_corporate_number",
        "is_valid_luhn",
        "is_valid_my_number",
        "my_number_check_digit",
    }
)


def __getattr__(name: str) -> object:
    """The check-digit functions, imported from :mod:`kojin.law.check_digits` when first asked."""
    if name in _CHECK_DIGITS:
        from kojin.law import check_digits

        return getattr(check_digits, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "KNOWN_RULE_IDS",
    "AcquisitionMethod",
    "Action",
    "CategoryFacts",
    "ConsentStatement",
    "Decision",
    "DecisionRequest",
    "Explanation",
    "Facts",
    "Form",
    "LegalException",
    "Obligation",
    "ObligationCode",
    "Outcome",
    "PolicyFacts",
    "Recipient",
    "Relation",
    "corporate_check_digit",
    "decide",
    "is_valid_corporate_number",
    "is_valid_luhn",
    "is_valid_my_number",
    "my_number_check_digit",
]
