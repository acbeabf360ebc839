"""``decide(request, policy, facts) -> Decision``: APPI and the My Number Act applied to a request.

Pure and fast: the request is already validated, the policy is compiled once into
:class:`PolicyFacts`, and the answer is a frozen :class:`Decision` shared through the policy's
:class:`~kojin.law.explain.Explainer`. Dispatch is by the information's form, then by the action;
the rule modules say which article each answer rests on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kojin.errors import RequestError
from kojin.law import (
    anonymized,
    appi_foreign,
    appi_provision,
    appi_purpose,
    mynumber,
    person_related,
    pseudonymized,
)
from kojin.law.citations import Verdict, with_notes
from kojin.law.decision_schemas import Decision, DecisionRequest, Facts
from kojin.law.policy_facts import PolicyFacts
from kojin.law.situation import Situation, situation
from kojin.law.stops import CONSENT_WITHDRAWN_PROVIDE, CONSENT_WITHDRAWN_USE
from kojin.law.vocabulary import Action, Form

RuleSet = Callable[[Situation], Verdict]

_PERSONAL: Mapping[Action, RuleSet] = {
    Action.ACQUIRE: appi_purpose.acquire,
    Action.USE: appi_purpose.use,
    Action.CONTACT: appi_purpose.use,
    # personal data already identifies the person: collating more is a use like any other
    Action.REIDENTIFY: appi_purpose.use,
    Action.PROVIDE: appi_provision.provide,
    Action.STORE_ABROAD: appi_foreign.store_abroad,
}
_MY_NUMBER: Mapping[Action, RuleSet] = {
    Action.ACQUIRE: mynumber.acquire,
    Action.USE: mynumber.use,
    Action.CONTACT: mynumber.use,
    Action.REIDENTIFY: mynumber.use,
    Action.PROVIDE: mynumber.provide,
    Action.STORE_ABROAD: appi_foreign.store_abroad,
}
_PSEUDONYMIZED: Mapping[Action, RuleSet] = {
    Action.ACQUIRE: pseudonymized.acquire,
    Action.USE: pseudonymized.use,
    Action.CONTACT: pseudonymized.contact,
    Action.REIDENTIFY: pseudonymized.reidentify,
    Action.PROVIDE: pseudonymized.provide,
    Action.STORE_ABROAD: pseudonymized.store_abroad,
}
_ANONYMIZED: Mapping[Action, RuleSet] = {
    Action.ACQUIRE: anonymized.acquire,
    Action.USE: anonymized.use,
    Action.CONTACT: anonymized.contact,
    Action.REIDENTIFY: anonymized.reidentify,
    Action.PROVIDE: anonymized.provide,
    Action.STORE_ABROAD: anonymized.store_abroad,
}
_PERSON_RELATED: Mapping[Action, RuleSet] = {
    Action.ACQUIRE: person_related.own_handling,
    Action.USE: person_related.use,
    Action.CONTACT: person_related.use,
    Action.REIDENTIFY: person_related.reidentify,
    Action.PROVIDE: person_related.provide,
    Action.STORE_ABROAD: person_related.own_handling,
}
_BY_FORM: Mapping[Form, Mapping[Action, RuleSet]] = {
    Form.PSEUDONYMIZED: _PSEUDONYMIZED,
    Form.ANONYMIZED: _ANONYMIZED,
    Form.PERSON_RELATED: _PERSON_RELATED,
}


_PERSONAL_FORM = Form.PERSONAL
#: actions whose answer depends on where the data goes
_GOES_SOMEWHERE = frozenset({Action.PROVIDE, Action.STORE_ABROAD})
_PROVIDE = Action.PROVIDE


def decide(request: DecisionRequest, policy: PolicyFacts, facts: Facts) -> Decision:
    """Decide whether `request` may go ahead under the law and `policy`, given `facts`.

    Raises :class:`~kojin.errors.RequestError` (field ``category``) for a category the policy
    does not declare.
    """
    category = policy.categories.get(request.category)
    if category is None:
        declared = ", ".join(sorted(policy.categories))
        raise RequestError(
            f"not a category the policy declares (the value is not repeated here); "
            f"the policy declares: {declared}",
            field="category",
        )
    if request.action in _GOES_SOMEWHERE:
        recipient = request.recipient
        if recipient is None or recipient.country is None:
            raise RequestError(
                f"a '{request.action.value}' request must say where the data goes: give "
                "recipient.country as an ISO 3166-1 alpha-2 code (JP for a recipient in Japan)",
                field="recipient.country",
            )
    s = situation(request, policy, category, facts)
    form = request.form
    if form is _PERSONAL_FORM:
        table = _MY_NUMBER if category.specific_personal else _PERSONAL
    else:
        table = _BY_FORM[form]
    verdict = table[request.action](s)
    if facts.consent_withdrawn and not verdict.allowed:
        withdrawn = (
            CONSENT_WITHDRAWN_PROVIDE if request.action is _PROVIDE else CONSENT_WITHDRAWN_USE
        )
        verdict = with_notes(verdict, (withdrawn,))
    return policy.explainer.render(verdict, s)
