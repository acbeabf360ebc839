"""to_facts: the policy's statements become the facts the decision engine reads."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pydantic import ValidationError

from kojin.law.joint_use import member_key
from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.law.policy_facts import CategoryFacts, PolicyFacts
from kojin.policy import Policy, load_policy, to_facts
from kojin.policy.model import ArrangementItem, JointUseArrangement, JointUser, ResponsibleParty
from kojin.policy.model_base import Address, Text


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="module")
def facts(policy: Policy) -> PolicyFacts:
    return to_facts(policy)


def _with_general(policy: Policy, **changes: Any) -> Policy:
    general = policy.general.model_copy(update=changes)
    return Policy.model_validate(policy.model_copy(update={"general": general}).model_dump())


def test_every_category_and_purpose_is_compiled(policy: Policy, facts: PolicyFacts) -> None:
    assert list(facts.categories) == [c.id for c in policy.categories]
    for category in policy.categories:
        assert facts.categories[category.id].purposes == {p.id for p in category.purposes}


def test_category_statements(facts: PolicyFacts) -> None:
    c = facts.categories
    assert c["commissioned"].solely_for_contract
    assert c["commissioned"].subcontractor_provision_allowed
    assert not c["customer"].solely_for_contract
    assert not c["customer"].subcontractor_provision_allowed
    assert c["retired_employee"].beyond_purpose_needs_notice
    assert not c["customer"].beyond_purpose_needs_notice
    # R-MN-1, R-MN-5: My Number is flagged, never jointly used, entrustment allowed
    assert c["specific_personal"].specific_personal
    assert c["specific_personal"].joint_use_prohibited
    assert c["specific_personal"].entrustment_allowed
    assert [cid for cid, f in c.items() if f.specific_personal] == ["specific_personal"]
    assert [cid for cid, f in c.items() if f.joint_use_prohibited] == ["specific_personal"]


def test_foreign_storage_and_provision(facts: PolicyFacts) -> None:
    c = facts.categories
    assert c["customer"].foreign_storage_countries == {"US"}
    assert c["partner_employee"].foreign_storage_countries == {"US"}
    assert c["commissioned"].foreign_storage_countries == frozenset()
    assert c["specific_personal"].foreign_storage_countries == frozenset()
    assert facts.documented_country_systems == {"US"}
    assert c["customer"].foreign_provision_declared
    assert not c["specific_personal"].foreign_provision_declared
    assert not c["retired_employee"].foreign_provision_declared


def test_organization_level_facts(facts: PolicyFacts) -> None:
    assert facts.anonymized_items_published
    assert facts.anonymized_declared
    assert facts.pseudonymized_creation_declared
    assert not facts.academic_institution
    assert not facts.opt_out_filed


def test_default_policy_publishes_no_joint_use(facts: PolicyFacts) -> None:
    """The seed states how joint use would be published but declares no arrangement."""
    assert not any(f.joint_use_published for f in facts.categories.values())


def _arrangement(**overrides: Any) -> JointUseArrangement:
    values: dict[str, Any] = {
        "id": "group_marketing",
        "categories": ["customer"],
        "items": [ArrangementItem(id="name", text=Text(en="name", ja="氏名"))],
        "users": Text(en="group companies", ja="グループ会社"),
        "members": [JointUser(id="example_sub", name=Text(en="Example Sub", ja="例子会社"))],
        "purposes": ["satisfaction_surveys"],
        "responsible_party": ResponsibleParty(
            name=Text(en="Example Corp.", ja="例株式会社"),
            address=Address(text=Text(en="Tokyo", ja="東京都")),
            representative=Text(en="Taro Example", ja="例 太郎"),
        ),
        "includes_pseudonymized": True,
    }
    values.update(overrides)
    return JointUseArrangement(**values)


def test_a_complete_arrangement_is_compiled_with_its_purposes_members_and_items(
    policy: Policy,
) -> None:
    """R-TP-NT-1, R-TP-NT-3(a): what the engine checks a joint-use provision against."""
    joint = policy.general.joint_use.model_copy(update={"arrangements": [_arrangement()]})
    facts = to_facts(_with_general(policy, joint_use=joint))
    customer = facts.categories["customer"]
    assert customer.joint_use_published
    (use,) = customer.joint_uses
    assert use.purposes == {"satisfaction_surveys"}
    assert use.items == {"name"}
    assert use.includes_pseudonymized
    # the joint user is known by its id and by either name, however it is spaced or cased
    for key in ("example_sub", "example sub", "例子会社"):
        assert member_key(key) in use.members
    assert not facts.categories["partner_employee"].joint_uses


@pytest.mark.parametrize(
    "overrides",
    [
        {"items": []},
        {"users": None},
        {"members": []},
        {"purposes": []},
        {"responsible_party": None},
        {
            "responsible_party": ResponsibleParty(
                name=Text(en="Example Corp.", ja="例株式会社"),
                address=Address(text=Text(en="Tokyo", ja="東京都")),
            )
        },
    ],
    ids=["items", "users", "members", "purposes", "party", "representative"],
)
def test_an_incomplete_arrangement_is_never_compiled_as_published(
    policy: Policy, overrides: dict[str, Any]
) -> None:
    """R-TP-NT-3(a): even a policy object built without the loader's check publishes nothing."""
    joint = policy.general.joint_use.model_copy(
        update={"arrangements": [_arrangement(**overrides)]}
    )
    general = policy.general.model_copy(update={"joint_use": joint})
    facts = to_facts(policy.model_copy(update={"general": general}))
    assert not facts.categories["customer"].joint_use_published
    assert not facts.categories["customer"].joint_uses


def test_a_responsible_individual_needs_no_representative(policy: Policy) -> None:
    party = ResponsibleParty(
        name=Text(en="Hanako Example", ja="例 花子"),
        address=Address(text=Text(en="Tokyo", ja="東京都")),
        corporation=False,
    )
    joint = policy.general.joint_use.model_copy(
        update={"arrangements": [_arrangement(responsible_party=party)]}
    )
    facts = to_facts(_with_general(policy, joint_use=joint))
    assert facts.categories["customer"].joint_use_published


def test_without_anonymized_and_pseudonymized_sections(policy: Policy) -> None:
    facts = to_facts(_with_general(policy, anonymized=None, pseudonymized=None))
    assert not facts.anonymized_items_published
    assert not facts.anonymized_declared
    assert not facts.pseudonymized_creation_declared


def test_payment_records_are_compiled_from_the_affairs(facts: PolicyFacts) -> None:
    records = facts.categories["specific_personal"].payment_records
    assert records == {
        "remuneration_payment_records": PaymentRecordKind.REMUNERATION,
        "real_estate_fee_records": PaymentRecordKind.REAL_ESTATE_USAGE,
        "real_estate_compensation_records": PaymentRecordKind.REAL_ESTATE_TRANSFER,
        "real_estate_brokerage_records": PaymentRecordKind.REAL_ESTATE_BROKERAGE,
    }
    assert facts.categories["customer"].payment_records == {}


def test_payment_record_only_on_number_related_affairs(policy: Policy) -> None:
    customer = next(c for c in policy.categories if c.id == "customer")
    data = customer.model_dump()
    data["purposes"][0]["payment_record"] = "remuneration"
    with pytest.raises(ValidationError, match="specific_personal"):
        type(customer).model_validate(data)


def test_every_field_of_the_facts_is_set_from_the_policy(facts: PolicyFacts) -> None:
    """Guards against fields added to PolicyFacts later: each must be known to the compiler."""
    known_category = {
        "id", "purposes", "specific_personal", "solely_for_contract",
        "beyond_purpose_needs_notice", "entrustment_allowed", "subcontractor_provision_allowed",
        "joint_use_published", "pseudonymized_joint_use_published", "joint_use_prohibited",
        "foreign_storage_countries", "foreign_provision_declared", "purposes_published",
        "joint_uses", "opt_out", "title", "purpose_titles", "payment_records",
    }  # fmt: skip
    known_policy = {
        "categories", "academic_institution", "anonymized_items_published",
        "pseudonymized_creation_declared", "documented_country_systems", "opt_out_filed", "extra",
        "exception_titles", "anonymized_declared",
    }  # fmt: skip
    assert {f.name for f in dataclasses.fields(CategoryFacts)} == known_category
    assert {f.name for f in dataclasses.fields(PolicyFacts) if f.init} == known_policy
    # the one field the compiler does not set: the decisions rendered under the policy
    assert [f.name for f in dataclasses.fields(PolicyFacts) if not f.init] == ["explainer"]
    assert facts.extra["revised_on"] == "2022-03-09"
