"""Invariants of `decide` over generated requests (hypothesis), and the rule-id table."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from law_support import SEED, ask

from kojin.errors import RequestError
from kojin.law import KNOWN_RULE_IDS, Decision, DecisionRequest, Facts, PolicyFacts, decide
from kojin.law.mynumber_rules import GROUP_COMPANY_IS_A_THIRD_PARTY
from kojin.law.mynumber_vocabulary import Article19Item
from kojin.law.vocabulary import AcquisitionMethod, Action, Form, LegalException, Relation

SPEC_IDS_COPY = Path(__file__).with_name("appi_spec_rule_ids.txt")
SPEC = Path(__file__).resolve().parents[3] / "shared" / "APPI-SPEC.md"
CITATION = re.compile(r"^(APPI|MNA) Art\. \d+(\(\d+\))?(\((i|ii|iii|iv|v|vi|vii|viii)\))?$")
SECRET_PURPOSE = "call Taro Yamada at 090-1234-5678"

ALL_PURPOSES = sorted({p for c in SEED.categories.values() for p in c.purposes})
COUNTRIES = ["JP", "US", "DE", "GB", "CN", "SG", "NO"]

recipients = st.fixed_dictionaries(
    {
        "country": st.sampled_from(COUNTRIES),
        "relation": st.sampled_from([r.value for r in Relation]),
        "equivalent_measures": st.booleans(),
        "will_identify": st.booleans(),
        "government": st.booleans(),
        "group_company": st.booleans(),
    }
)
consents = st.fixed_dictionaries(
    {"given": st.booleans(), "foreign_information_provided": st.booleans()}
)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


requests = st.fixed_dictionaries(
    {
        "action": st.sampled_from([a.value for a in Action]),
        "category": st.sampled_from(sorted(SEED.categories)),
        "form": st.sampled_from([f.value for f in Form]),
    },
    optional={
        "purpose": st.one_of(st.sampled_from(ALL_PURPOSES), st.just(SECRET_PURPOSE)),
        "special_care": st.booleans(),
        "recipient": recipients,
        "consent": consents,
        "exception": st.sampled_from([e.value for e in LegalException]),
        "mna_19_item": st.sampled_from([i.value for i in Article19Item]),
        "consent_difficult": st.booleans(),
        "acquisition_method": st.sampled_from([m.value for m in AcquisitionMethod]),
        "identity_verified": st.booleans(),
    },
)
fact_sets = st.fixed_dictionaries(
    {
        "consent_given": st.booleans(),
        "foreign_information_provided": st.booleans(),
        "consent_withdrawn": st.booleans(),
        "stop_use": st.booleans(),
        "stop_provision": st.booleans(),
    }
)


def decide_with(
    body: dict[str, Any], facts: dict[str, Any], policy: PolicyFacts = SEED
) -> Decision:
    """Decide `body`; a provision or storage that names no recipient goes to one in Japan, as a
    caller must now say (the engine refuses to assume it)."""
    if body["action"] in ("provide", "store_abroad"):
        recipient = body.get("recipient") or {}
        body = {**body, "recipient": {"country": "JP", **recipient}}
    return decide(DecisionRequest.model_validate(body), policy, Facts.model_validate(facts))


@given(requests, fact_sets)
@settings(max_examples=400)
def test_every_decision_is_complete_and_valid(body: dict[str, Any], facts: dict[str, Any]) -> None:
    decision = decide_with(body, facts)
    assert decision.rules
    assert decision.citations
    assert set(decision.rules) <= KNOWN_RULE_IDS
    assert all(CITATION.match(c) for c in decision.citations), decision.citations
    assert all(CITATION.match(o.citation) for o in decision.obligations)
    assert decision.reasons
    assert decision.basis
    assert decision.explanation.en
    assert decision.explanation.ja
    assert decision.outcome == ("allow" if decision.allowed else "deny")
    # built without validation: it must still be exactly what validation would accept
    dumped = decision.model_dump(mode="json")
    assert Decision.model_validate(dumped).model_dump(mode="json") == dumped
    # a free-text purpose may describe a person: it is never echoed
    assert SECRET_PURPOSE not in repr(dumped)


@given(requests, fact_sets)
def test_no_consent_no_exception_means_no_third_party_provision(
    body: dict[str, Any], facts: dict[str, Any]
) -> None:
    body = {
        **body,
        "action": "provide",
        "form": "personal",
        "recipient": {**body.get("recipient", {}), "relation": "third_party"},
    }
    body.pop("exception", None)
    body.pop("consent", None)
    facts = {**facts, "consent_given": False}
    assert not decide_with(body, facts).allowed


@given(requests, fact_sets)
def test_my_number_use_outside_the_affairs_is_never_allowed(
    body: dict[str, Any], facts: dict[str, Any]
) -> None:
    affairs = SEED.categories["specific_personal"].purposes
    body = {**body, "category": "specific_personal", "form": "personal"}
    body["action"] = body["action"] if body["action"] in ("use", "contact") else "use"
    if body.get("purpose") in affairs:
        body["purpose"] = SECRET_PURPOSE
    if body.get("exception") == "life_body_property":
        body.pop("exception")
    assert not decide_with(body, facts).allowed


@given(requests, fact_sets)
def test_my_number_is_never_jointly_used(body: dict[str, Any], facts: dict[str, Any]) -> None:
    body = {**body, "category": "specific_personal", "form": "personal", "action": "provide"}
    body["recipient"] = {**body.get("recipient", {}), "relation": "joint_user"}
    assert not decide_with(body, facts).allowed


@given(requests, fact_sets)
def test_my_number_goes_to_a_third_party_only_in_a_named_article_19_case(
    body: dict[str, Any], facts: dict[str, Any]
) -> None:
    """Provided to a third party (a group company included), specific personal information
    goes only under an item of MNA Art. 19 the decision cites first."""
    body = {**body, "category": "specific_personal", "form": "personal", "action": "provide"}
    body["recipient"] = {**body.get("recipient", {}), "relation": "third_party"}
    decision = decide_with(body, facts)
    if decision.allowed:
        assert re.fullmatch(r"MNA Art\. 19\((1|2|3|4|13|15|16|17)\)", decision.citations[0])
        assert body.get("exception") in ("mna_19", "life_body_property")


@given(requests, fact_sets)
def test_a_group_company_only_adds_its_reason_to_a_denial(
    body: dict[str, Any], facts: dict[str, Any]
) -> None:
    """The flag never changes an outcome: a group company is a third party already. A denied
    My Number provision to one says that it is a separate legal person; nothing else does."""
    recipient = body.get("recipient") or {"country": "JP"}
    plain = decide_with({**body, "recipient": {**recipient, "group_company": False}}, facts)
    group = decide_with({**body, "recipient": {**recipient, "group_company": True}}, facts)
    assert group.allowed is plain.allowed
    noted = (
        body["action"] == "provide"
        and body["category"] == "specific_personal"
        and body.get("form", "personal") == "personal"
        and not plain.allowed
    )
    if noted:
        # the note joins the My Number verdict's reasons; notes the engine adds afterwards
        # (a recorded withdrawal of consent) still follow it
        note = GROUP_COMPANY_IS_A_THIRD_PARTY.en
        assert group.reasons.count(note) == 1
        assert [r for r in group.reasons if r != note] == plain.reasons
    else:
        assert group == plain


@given(requests, fact_sets)
def test_recorded_withdrawal_outweighs_the_stated_consent(
    body: dict[str, Any], facts: dict[str, Any]
) -> None:
    facts = {**facts, "consent_withdrawn": True, "consent_given": True}
    with_consent = {**body, "consent": {"given": True, "foreign_information_provided": True}}
    without = {k: v for k, v in body.items() if k != "consent"}
    assert decide_with(with_consent, facts).allowed == decide_with(without, facts).allowed


@given(requests, fact_sets)
def test_stop_use_denies_use_without_an_exception(
    body: dict[str, Any], facts: dict[str, Any]
) -> None:
    body = {**body, "action": "use", "form": "personal"}
    body.pop("exception", None)
    assert not decide_with(body, {**facts, "stop_use": True}).allowed


@given(requests, fact_sets)
def test_reidentifying_anonymized_or_pseudonymized_data_is_never_allowed(
    body: dict[str, Any], facts: dict[str, Any]
) -> None:
    for form in ("anonymized", "pseudonymized"):
        assert not decide_with({**body, "action": "reidentify", "form": form}, facts).allowed
    assert not decide_with({**body, "action": "contact", "form": "pseudonymized"}, facts).allowed


@given(requests, fact_sets)
def test_provision_records_only_with_consent_or_opt_out(
    body: dict[str, Any], facts: dict[str, Any]
) -> None:
    """A provision record is owed only when the provision rests on consent or the opt-out, never
    on a statutory exception that holds (Art. 29(1) proviso). A claimed exception whose
    conditions are not met (e.g. life, body or property when the person did consent, so consent
    was not difficult to obtain) leaves the decision as it would be without the claim."""
    decision = decide_with(body, facts)
    codes = {o.code.value for o in decision.obligations}
    if "record_provision" in codes:
        assert decision.allowed
        assert body["action"] == "provide"
        assert body.get("form", "personal") == "personal"
        if body.get("exception") is not None:
            without = decide_with({k: v for k, v in body.items() if k != "exception"}, facts)
            assert without.allowed
            assert "record_provision" in {o.code.value for o in without.obligations}
            assert set(without.rules) <= set(decision.rules)


variations = st.fixed_dictionaries(
    {},
    optional={
        "category": st.sampled_from(sorted(SEED.categories)),
        "purpose": st.sampled_from(ALL_PURPOSES),
        "exception": st.sampled_from([e.value for e in LegalException]),
        "recipient": recipients,
    },
)


@given(requests, variations, fact_sets)
def test_shared_decisions_equal_freshly_rendered_ones(
    first: dict[str, Any], changes: dict[str, Any], facts: dict[str, Any]
) -> None:
    """Rendered decisions are shared per verdict and the values their sentences mention: a
    decision served after a similar request must equal one rendered by a fresh explainer."""
    second = {**first, **changes}
    decide_with(first, facts)
    served = decide_with(second, facts)
    fresh = replace(SEED)  # the same policy facts with their own, empty explainer
    assert len(fresh.explainer) == 0
    assert decide_with(second, facts, fresh) == served


def test_repeated_requests_get_equal_decisions() -> None:
    body = {"action": "provide", "category": "customer", "recipient": {"country": "US"}}
    first = ask(body)
    second = ask(body)
    assert first == second
    assert not first.allowed


def test_unknown_category_names_the_field(seed_policy: PolicyFacts) -> None:
    request = DecisionRequest.model_validate({"action": "use", "category": "suppliers"})
    with pytest.raises(RequestError) as excinfo:
        decide(request, seed_policy, Facts.from_request(request))
    assert excinfo.value.field == "category"
    assert "suppliers" not in excinfo.value.message  # a submitted value is never echoed
    assert "customer" in excinfo.value.message  # the declared categories are listed


def test_known_rule_ids_exist_in_the_spec_copy() -> None:
    spec_ids = set(SPEC_IDS_COPY.read_text(encoding="utf-8").split())
    assert spec_ids >= KNOWN_RULE_IDS, sorted(KNOWN_RULE_IDS - spec_ids)


def test_spec_copy_matches_the_spec() -> None:
    if not SPEC.exists():
        pytest.skip(f"the shared specification is not beside the repository ({SPEC})")
    ids = set(re.findall(r"R-[A-Z]+(?:-[A-Z]+)*-\d+", SPEC.read_text(encoding="utf-8")))
    assert ids == set(SPEC_IDS_COPY.read_text(encoding="utf-8").split())
