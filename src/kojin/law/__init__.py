"""The law as code: APPI and the My Number Act as data and pure rule functions.

Standard library and pydantic only. The organization's policy reaches this layer as
:class:`kojin.law.policy_facts.PolicyFacts`, built by ``kojin.policy``; nothing here imports it.
"""

from kojin.law.check_digits import (
    corporate_check_digit,
    is_valid_corporate_number,
    is_valid_luhn,
    is_valid_my_number,
    my_number_check_digit,
)
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
