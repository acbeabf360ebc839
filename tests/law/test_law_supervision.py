"""What the recipient register adds to a decision (R-SEC-4, R-MN-8, R-TP-FX-3, R-PRI-2): reasons
for an entrustee that is not registered, whose check is overdue or failed; and a Rule 16 recipient
whose last check failed loses its equivalent measures (Rule 18(1)(ii))."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from law_support import seed_policy

from kojin.law import DecisionRequest, Facts, PolicyFacts, decide
from kojin.law.supervision import (
    CHECK_OVERDUE,
    ENDED,
    MEASURES_NOT_KEPT,
    NOT_NAMED,
    NOT_REGISTERED,
    NOT_REGISTERED_MN,
    RULE16_CHECK_OVERDUE,
    RULE16_FAILED,
    RULE16_FAILED_PRI,
    RULE16_NOT_REGISTERED,
    SupervisionFacts,
    needs_supervision,
    supervise,
)

POLICY: PolicyFacts = seed_policy()
DUE = date(2027, 3, 31)
KEPT = SupervisionFacts(registered=True, entrustee=True, next_check_due=date(2028, 1, 1))
RULE16_KEPT = SupervisionFacts(registered=True, foreign_rule16=True, next_check_due=DUE)


def _request(**overrides: Any) -> DecisionRequest:
    body: dict[str, Any] = {
        "action": "provide",
        "category": "customer",
        "purpose": "provide_services",
        "recipient": {"name": "配送サービス", "country": "JP", "relation": "entrustee"},
    }
    body.update(overrides)
    return DecisionRequest.model_validate(body)


def _rule16_request(**overrides: Any) -> DecisionRequest:
    recipient = {
        "name": "Example Cloud",
        "country": "US",
        "relation": "entrustee",
        "equivalent_measures": True,
    }
    return _request(recipient=recipient, **overrides)


def _supervised(request: DecisionRequest, facts: SupervisionFacts) -> Any:
    plain = decide(request, POLICY, Facts.from_request(request))
    return plain, supervise(request, plain, facts, policy=POLICY, facts=Facts.from_request(request))


def test_only_provisions_to_entrustees_and_rule16_recipients_need_the_register() -> None:
    assert needs_supervision(_request())
    assert needs_supervision(_rule16_request())
    third = {"name": "Partner", "country": "JP"}
    assert not needs_supervision(_request(recipient=third))
    assert not needs_supervision(_request(action="use", recipient=None))
    # anonymized information is not the provider's personal data (Arts. 25 and 28 do not apply)
    assert not needs_supervision(_request(form="anonymized"))
    assert not needs_supervision(_rule16_request(form="anonymized"))
    assert needs_supervision(_request(form="pseudonymized"))
    # equivalent measures claimed in an equivalent country (Rule 15) or in Japan: not Rule 16
    assert not needs_supervision(
        _request(recipient={"name": "EU Co", "country": "FR", "equivalent_measures": True})
    )


def test_a_registered_entrustee_with_its_checks_kept_changes_nothing() -> None:
    plain, supervised = _supervised(_request(), KEPT)
    assert supervised == plain


@pytest.mark.parametrize(
    ("facts", "rules"),
    [
        (SupervisionFacts(), [NOT_REGISTERED]),
        (SupervisionFacts(named=False), [NOT_NAMED]),
        (SupervisionFacts(ended=True, entrustee=True), [ENDED]),
        # registered only as a foreign recipient: not as an entrustee
        (SupervisionFacts(registered=True, foreign_rule16=True), [NOT_REGISTERED]),
        (
            SupervisionFacts(
                registered=True, entrustee=True, check_overdue=True, next_check_due=DUE
            ),
            [CHECK_OVERDUE],
        ),
        (
            SupervisionFacts(registered=True, entrustee=True, last_check_failed=True),
            [MEASURES_NOT_KEPT],
        ),
    ],
)
def test_an_entrustee_lapse_adds_its_reason_but_the_entrustment_stays_allowed(
    facts: SupervisionFacts, rules: list[Any]
) -> None:
    plain, supervised = _supervised(_request(), facts)
    assert plain.allowed
    assert supervised.allowed
    assert supervised.basis == plain.basis
    added = supervised.reasons[len(plain.reasons) :]
    due = " It was due on 2027-03-31."
    assert added == [rule.en + (due if rule is CHECK_OVERDUE else "") for rule in rules]
    assert "R-SEC-4" in supervised.rules
    assert "APPI Art. 25" in supervised.citations
    assert supervised.explanation.en.endswith(" ".join(added))
    assert rules[0].ja in supervised.explanation.ja
    # the recipient's name is never repeated
    assert "配送サービス" not in supervised.explanation.en + supervised.explanation.ja


def test_the_overdue_reason_gives_the_due_date() -> None:
    facts = SupervisionFacts(
        registered=True, entrustee=True, check_overdue=True, next_check_due=DUE
    )
    _, supervised = _supervised(_request(), facts)
    assert any("2027-03-31" in reason for reason in supervised.reasons)
    assert "期限は2027-03-31であった。" in supervised.explanation.ja


def test_my_number_affairs_need_an_entrustee_registered_for_them() -> None:
    request = _request(category="specific_personal", purpose="remuneration_payment_records")
    plain, unregistered = _supervised(request, SupervisionFacts())
    assert plain.allowed, plain.explanation.en
    assert unregistered.reasons[len(plain.reasons) :] == [NOT_REGISTERED.en, NOT_REGISTERED_MN.en]
    assert "R-MN-8" in unregistered.rules
    assert "MNA Art. 11" in unregistered.citations
    _, not_covered = _supervised(request, KEPT)
    assert not_covered.reasons[len(plain.reasons) :] == [NOT_REGISTERED_MN.en]
    covered = SupervisionFacts(registered=True, entrustee=True, my_number_affairs=True)
    assert _supervised(request, covered)[1] == plain


def test_a_rule16_recipient_kept_changes_nothing_and_an_unregistered_one_is_noted() -> None:
    registered_both = SupervisionFacts(
        registered=True, entrustee=True, foreign_rule16=True, next_check_due=date(2028, 1, 1)
    )
    plain, supervised = _supervised(_rule16_request(), registered_both)
    assert plain.allowed
    assert supervised == plain
    plain, unregistered = _supervised(_rule16_request(), SupervisionFacts())
    assert unregistered.allowed
    added = unregistered.reasons[len(plain.reasons) :]
    assert added[0] == RULE16_NOT_REGISTERED.en.format_map({"country": "US"})
    assert added[1] == NOT_REGISTERED.en
    assert {"R-TP-FX-3", "R-SEC-4"} <= set(unregistered.rules)
    assert "APPI Art. 28(3)" in unregistered.citations


def test_a_rule16_check_overdue_is_noted_and_the_outcome_stands() -> None:
    facts = SupervisionFacts(
        registered=True, foreign_rule16=True, entrustee=True, check_overdue=True, next_check_due=DUE
    )
    plain, supervised = _supervised(_rule16_request(), facts)
    assert supervised.allowed
    added = supervised.reasons[len(plain.reasons) :]
    assert added == [
        RULE16_CHECK_OVERDUE.en.format_map({"country": "US"}) + " It was due on 2027-03-31.",
        CHECK_OVERDUE.en + " It was due on 2027-03-31.",
    ]


def test_a_rule16_recipient_whose_check_failed_no_longer_has_equivalent_measures() -> None:
    failed = SupervisionFacts(
        registered=True, entrustee=True, foreign_rule16=True, last_check_failed=True
    )
    # entrustment abroad relied on the Rule 16 system: without it, Art. 28 needs consent
    plain, supervised = _supervised(_rule16_request(), failed)
    assert plain.allowed
    assert not supervised.allowed
    assert "R-TP-FX-1" in supervised.rules
    assert "R-TP-FX-3" in supervised.rules
    assert supervised.reasons[-2:] == [
        RULE16_FAILED.en.format_map({"country": "US"}),
        MEASURES_NOT_KEPT.en,
    ]
    assert "APPI Art. 28(3)" in supervised.citations
    assert supervised.explanation.en.startswith("Denied.")
    # the same request stated without equivalent measures decides the same way
    stated = _request(recipient={"name": "Example Cloud", "country": "US", "relation": "entrustee"})
    assert decide(stated, POLICY, Facts()).basis == supervised.basis
    # with the consent and the Rule 17 information Art. 28 asks for, it is allowed again
    consented = _rule16_request(consent={"given": True, "foreign_information_provided": True})
    _, allowed = _supervised(consented, failed)
    assert allowed.allowed
    assert RULE16_FAILED.en.format_map({"country": "US"}) in allowed.reasons


def test_person_related_information_cites_article_31_when_the_check_failed() -> None:
    request = _request(
        form="person_related",
        consent={"given": True},
        recipient={
            "name": "Example Cloud",
            "country": "US",
            "equivalent_measures": True,
            "will_identify": True,
        },
    )
    failed = SupervisionFacts(registered=True, foreign_rule16=True, last_check_failed=True)
    plain, supervised = _supervised(request, failed)
    assert supervised.reasons[-1] == RULE16_FAILED_PRI.en.format_map({"country": "US"})
    assert "R-PRI-2" in supervised.rules
    # consent without the Rule 17 information was enough for a Rule 16 recipient, not now
    assert plain.allowed
    assert not supervised.allowed
