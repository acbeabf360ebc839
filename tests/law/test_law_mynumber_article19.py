"""MNA Art. 19 as a closed list (R-MN-5): the items a business may name, what each asks of
consent, and how the engine decides and cites a provision of specific personal information —
group companies included, which are third parties."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest
from law_support import ask
from pydantic import ValidationError

from kojin.law import DecisionRequest
from kojin.law.citations import mna
from kojin.law.mynumber_article19 import (
    ENTRUSTMENT_IS_A_RELATION,
    FORMER_EMPLOYER_WITHOUT_CONSENT,
    ITEM_NOT_NAMED,
    LIFE_BODY_PROPERTY_WITHOUT_CONSENT,
)
from kojin.law.mynumber_rules import (
    ARTICLE_19,
    GROUP_COMPANY_IS_A_THIRD_PARTY,
    Article19Consent,
    article_19_finding,
)
from kojin.law.mynumber_vocabulary import Article19Item as Item

SP = "specific_personal"
AFFAIR = "remuneration_payment_records"
GROUP_SENTENCE = GROUP_COMPANY_IS_A_THIRD_PARTY.en
#: items that concern only government systems: not a business's to invoke
GOVERNMENT_ONLY = ["5", "7", "8", "9", "10", "11", "12", "14"]


def provide(
    item: str | None = None,
    *,
    relation: str = "third_party",
    group: bool = False,
    consent: bool = False,
    difficult: bool = False,
    exception: str | None = "mna_19",
    purpose: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "action": "provide",
        "category": SP,
        "recipient": {
            "name": "Group Payroll KK",
            "country": "JP",
            "relation": relation,
            "group_company": group,
        },
    }
    if exception is not None:
        body["exception"] = exception
    if item is not None:
        body["mna_19_item"] = item
    if consent:
        body["consent"] = {"given": True}
    if difficult:
        body["consent_difficult"] = True
    if purpose is not None:
        body["purpose"] = purpose
    return body


@pytest.mark.parametrize(
    ("item", "citation", "consent"),
    [
        (Item.USE_AFFAIRS, "MNA Art. 19(1)", Article19Consent.NOT_NEEDED),
        (Item.RELATED_AFFAIRS, "MNA Art. 19(2)", Article19Consent.NOT_NEEDED),
        (Item.PERSON_OR_AGENT, "MNA Art. 19(3)", Article19Consent.NOT_NEEDED),
        (Item.FORMER_EMPLOYER, "MNA Art. 19(4)", Article19Consent.REQUIRED),
        (Item.ENTRUSTMENT_OR_SUCCESSION, "MNA Art. 19(6)", Article19Consent.NOT_NEEDED),
        (Item.PPC_REQUEST, "MNA Art. 19(13)", Article19Consent.NOT_NEEDED),
        (Item.PUBLIC_INTEREST, "MNA Art. 19(15)", Article19Consent.NOT_NEEDED),
        (Item.LIFE_BODY_PROPERTY, "MNA Art. 19(16)", Article19Consent.REQUIRED_OR_DIFFICULT),
        (Item.PPC_RULES, "MNA Art. 19(17)", Article19Consent.NOT_NEEDED),
    ],
)
def test_article_19_table(item: Item, citation: str, consent: Article19Consent) -> None:
    case = ARTICLE_19[item]
    assert case.item is item
    assert case.number == int(item.value)
    assert case.citation == citation == mna(19, case.number)
    assert case.consent is consent
    assert case.consent_required is (consent is Article19Consent.REQUIRED)
    assert case.consent_or_difficult is (consent is Article19Consent.REQUIRED_OR_DIFFICULT)
    en, ja = case.label
    assert en.strip()
    assert ja.strip()
    assert case.rule.id == "R-MN-5"
    assert case.rule.citation == citation
    assert en in case.rule.en
    assert ja in case.rule.ja


def test_the_list_is_closed_and_in_the_articles_order() -> None:
    assert list(ARTICLE_19) == list(Item)
    assert [c.number for c in ARTICLE_19.values()] == [1, 2, 3, 4, 6, 13, 15, 16, 17]
    with pytest.raises(TypeError):
        ARTICLE_19[Item.USE_AFFAIRS] = ARTICLE_19[Item.PPC_RULES]  # type: ignore[index]


@pytest.mark.parametrize("item", GOVERNMENT_ONLY)
def test_government_only_items_cannot_be_named(item: str) -> None:
    with pytest.raises(ValidationError):
        DecisionRequest.model_validate(provide(item))


def test_the_missing_item_rule_lists_every_item() -> None:
    for case in ARTICLE_19.values():
        assert f"{case.item.value} (" in ITEM_NOT_NAMED.en
        assert f"第{case.item.value}号（" in ITEM_NOT_NAMED.ja


@pytest.mark.parametrize(
    ("item", "consent", "difficult", "holds", "rule"),
    [
        (None, True, True, False, ITEM_NOT_NAMED),
        (Item.RELATED_AFFAIRS, False, False, True, ARTICLE_19[Item.RELATED_AFFAIRS].rule),
        (Item.FORMER_EMPLOYER, False, False, False, FORMER_EMPLOYER_WITHOUT_CONSENT),
        (Item.FORMER_EMPLOYER, False, True, False, FORMER_EMPLOYER_WITHOUT_CONSENT),
        (Item.FORMER_EMPLOYER, True, False, True, ARTICLE_19[Item.FORMER_EMPLOYER].rule),
        (Item.LIFE_BODY_PROPERTY, False, False, False, LIFE_BODY_PROPERTY_WITHOUT_CONSENT),
        (Item.LIFE_BODY_PROPERTY, True, False, True, ARTICLE_19[Item.LIFE_BODY_PROPERTY].rule),
        (Item.LIFE_BODY_PROPERTY, False, True, True, ARTICLE_19[Item.LIFE_BODY_PROPERTY].rule),
        (Item.ENTRUSTMENT_OR_SUCCESSION, True, True, False, ENTRUSTMENT_IS_A_RELATION),
    ],
)
def test_article_19_finding(
    item: Item | None, consent: bool, difficult: bool, holds: bool, rule: object
) -> None:
    assert article_19_finding(item, consent=consent, consent_difficult=difficult) == (
        holds,
        rule,
    )


# the engine, through decide(): (request, allowed, the decisive citation)
ENGINE = [
    pytest.param(provide(), False, "MNA Art. 19", id="no-item"),
    pytest.param(provide(consent=True, difficult=True), False, "MNA Art. 19", id="no-item-any"),
    pytest.param(provide("1"), True, "MNA Art. 19(1)", id="item-1"),
    pytest.param(provide("2"), True, "MNA Art. 19(2)", id="item-2-tax-office"),
    pytest.param(provide("3"), True, "MNA Art. 19(3)", id="item-3"),
    pytest.param(provide("4"), False, "MNA Art. 19(4)", id="item-4-without-consent"),
    pytest.param(provide("4", difficult=True), False, "MNA Art. 19(4)", id="item-4-difficult"),
    pytest.param(provide("4", consent=True), True, "MNA Art. 19(4)", id="item-4-with-consent"),
    pytest.param(provide("6"), False, "MNA Art. 19(6)", id="item-6-to-a-third-party"),
    pytest.param(provide("13"), True, "MNA Art. 19(13)", id="item-13"),
    pytest.param(provide("15"), True, "MNA Art. 19(15)", id="item-15"),
    pytest.param(provide("16"), False, "MNA Art. 19(16)", id="item-16-neither"),
    pytest.param(provide("16", consent=True), True, "MNA Art. 19(16)", id="item-16-consent"),
    pytest.param(provide("16", difficult=True), True, "MNA Art. 19(16)", id="item-16-difficult"),
    pytest.param(provide("17"), True, "MNA Art. 19(17)", id="item-17"),
    # item 6 is the recipient's relation: entrustees of the affairs and successors
    pytest.param(
        provide("6", relation="entrustee", purpose=AFFAIR), True, "MNA Art. 19(6)", id="entrustee"
    ),
    pytest.param(
        provide("2", relation="entrustee", purpose="marketing"),
        False,
        "MNA Art. 19(6)",
        id="entrustee-for-another-purpose",
    ),
    pytest.param(provide("6", relation="successor"), True, "MNA Art. 19(6)", id="successor"),
    pytest.param(
        provide("2", relation="joint_user", consent=True), False, "MNA Art. 19", id="joint-use"
    ),
    # an item without invoking mna_19 is not a case: the request must invoke the exception
    pytest.param(provide("2", exception=None), False, "MNA Art. 19", id="item-without-mna-19"),
    pytest.param(
        provide("16", exception="life_body_property", consent=True),
        True,
        "MNA Art. 19(16)",
        id="life-exception",
    ),
]


@pytest.mark.parametrize(("body", "allowed", "citation"), ENGINE)
@pytest.mark.parametrize("group", [False, True], ids=["other", "group-company"])
def test_provision_of_specific_personal_information(
    body: dict[str, Any], allowed: bool, citation: str, group: bool
) -> None:
    """A group company is decided as any other recipient of the same relation; only a denial
    adds that it is a separate legal person."""
    body = deepcopy(body)
    body["recipient"]["group_company"] = group
    decision = ask(body)
    assert decision.allowed is allowed, decision.explanation.en
    assert decision.citations[0] == citation
    assert decision.rules[0] in ("R-MN-5", "R-MN-8")
    assert (GROUP_SENTENCE in decision.reasons) is (group and not allowed)
    entrusted = allowed and body["recipient"]["relation"] == "entrustee"
    assert [o.code for o in decision.obligations] == (["supervise_entrustee"] if entrusted else [])


def test_an_allowed_item_is_the_basis_and_the_first_citation() -> None:
    decision = ask(provide("2"))
    assert decision.basis.startswith("Allowed: The provision is a case of MNA Art. 19(2)")
    assert decision.basis.endswith("(MNA Art. 19(2)).")
    assert decision.citations == ["MNA Art. 19(2)", "MNA Art. 30(2)"]
    assert "番号法第19条第2号" in decision.explanation.ja


def test_a_missing_item_is_the_basis_of_the_denial() -> None:
    decision = ask(provide())
    assert decision.reasons == [ITEM_NOT_NAMED.en]
    assert "mna_19_item" in decision.basis
    assert "該当する号を示す必要がある" in decision.explanation.ja


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(provide(exception=None, consent=True), id="consent-alone"),
        pytest.param(provide(exception="law"), id="appi-exception"),
        pytest.param(provide(relation="joint_user"), id="joint-user"),
        pytest.param(provide("4"), id="item-4-without-consent"),
    ],
)
def test_a_group_company_denial_says_it_is_a_separate_legal_person(body: dict[str, Any]) -> None:
    body = deepcopy(body)
    body["recipient"]["group_company"] = True
    decision = ask(body)
    assert not decision.allowed
    assert decision.reasons[-1] == GROUP_SENTENCE
    assert "separate legal person" in decision.explanation.en
    assert "別の法人格" in decision.explanation.ja


def test_a_stop_provision_request_yields_only_to_a_named_item() -> None:
    stopped = {"stop_provision": True}
    assert ask(provide("15"), stopped).allowed
    assert ask(provide("15"), stopped).citations[0] == "MNA Art. 19(15)"
    denied = ask(provide(), stopped)
    assert not denied.allowed
    assert denied.rules == ["R-RT-6", "R-MN-5"]
    assert ITEM_NOT_NAMED.en in denied.reasons


def test_recorded_withdrawal_defeats_item_4() -> None:
    decision = ask(provide("4", consent=True), {"consent_withdrawn": True})
    assert not decision.allowed
    assert decision.citations[0] == "MNA Art. 19(4)"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "provide", "category": "customer", "consent": {"given": True}},
        {"action": "provide", "category": "customer"},
        {"action": "provide", "category": "customer", "exception": "law"},
    ],
)
def test_group_company_does_not_change_appi_decisions(body: dict[str, Any]) -> None:
    """Under the APPI a group company is already a third party unless a joint use covers it:
    the flag changes nothing there."""
    plain = ask({**body, "recipient": {"country": "JP"}})
    group = ask({**body, "recipient": {"country": "JP", "group_company": True}})
    assert plain == group
