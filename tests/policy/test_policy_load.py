"""The embedded default policy: the seed's promises as structured, bilingual data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pydantic
import pytest
import yaml

from kojin.errors import PolicyError
from kojin.law.vocabulary import LegalException
from kojin.policy import Policy, load_policy, parse_policy
from kojin.policy.load import default_policy_text
from kojin.policy.model_base import (
    CategoryScope,
    CertificationKind,
    RefusalGround,
    RequestType,
    SecurityControlFamily,
    Text,
)

#: The fixed category and purpose ids shared with the decision engine.
FIXED_IDS = {
    "customer": [
        "provide_services", "develop_services", "research_feedback", "satisfaction_surveys",
        "building_security",
    ],
    "partner_employee": [
        "contract_management", "work_instruction", "skill_check", "facility_security",
        "confidentiality_measures", "security_measures",
    ],
    "commissioned": ["commissioned_support", "contract_performance"],
    "specific_personal": [
        "remuneration_payment_records", "real_estate_fee_records",
        "real_estate_compensation_records", "real_estate_brokerage_records",
    ],
    "retired_employee": [
        "retiree_inquiries", "company_information", "personnel_records", "tax_social_insurance",
        "retiree_management",
    ],
}  # fmt: skip


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def _texts(value: object) -> list[Text]:
    """Every Text inside a model, found by walking its fields."""
    if isinstance(value, Text):
        return [value]
    if isinstance(value, pydantic.BaseModel):
        return [t for name in type(value).model_fields for t in _texts(getattr(value, name))]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def test_fixed_category_and_purpose_ids(policy: Policy) -> None:
    assert {c.id: [p.id for p in c.purposes] for c in policy.categories} == FIXED_IDS


def test_scopes(policy: Policy) -> None:
    scopes = {c.id: c.scope for c in policy.categories}
    assert scopes["specific_personal"] is CategoryScope.SPECIFIC_PERSONAL
    assert scopes["retired_employee"] is CategoryScope.RETIRED_EMPLOYEE
    assert {cid for cid, s in scopes.items() if s is CategoryScope.GENERAL} == {
        "customer",
        "partner_employee",
        "commissioned",
    }


def test_every_text_is_bilingual_and_japanese_is_japanese(policy: Policy) -> None:
    texts = _texts(policy)
    assert len(texts) > 150
    for text in texts:
        assert text.en.strip()
        assert JAPANESE.search(text.ja), text.ja
        assert JAPANESE.search(text.en) is None, text.en


def test_organization(policy: Policy) -> None:
    org = policy.organization
    assert org.established_on == date(1999, 2, 15)
    assert org.revised_on == date(2022, 3, 9)
    assert org.representative.name.en == "Masato Kuroiwa"
    assert org.representative.title.en == "President, Executive Officer"
    assert "1-9-1 Konan, Minato-ku, Tokyo" in org.address.text.en
    assert {c.kind for c in org.certifications} == {
        CertificationKind.PRIVACY_MARK,
        CertificationKind.ISO_IEC_27001,
    }
    assert policy.management.protection_management_representative.name.en == "Kousei Watanabe"
    assert policy.management.security_implementation_managers.per_organization


def test_security_control_families(policy: Policy) -> None:
    families = [c.family for c in policy.basic_policy.security.controls]
    assert families == list(SecurityControlFamily)


def test_third_party_exceptions_map_to_the_engine_vocabulary(policy: Policy) -> None:
    """R-PUR-4 / R-TP-1: E1-E4 and the three academic cases; MNA Art. 19 for My Number."""
    ids = [e.id for e in policy.general.third_party_provision.exceptions]
    assert ids == [e for e in LegalException if e is not LegalException.MNA_19]
    assert policy.specific_personal is not None
    assert policy.specific_personal.provision.exceptions == [LegalException.MNA_19]
    assert policy.specific_personal.joint_use.prohibited


def test_inquiries_fee_and_refusal_grounds(policy: Policy) -> None:
    assert policy.specific_personal is not None
    for inquiries in (policy.general.inquiries, policy.specific_personal.inquiries):
        assert [(f.request_type, f.amount_yen, f.tax_included) for f in inquiries.fees] == [
            (RequestType.DISCLOSURE, 1000, True)
        ]
        assert [r.ground for r in inquiries.refusal_grounds] == list(RefusalGround)
        assert inquiries.contact == "general_affairs"


def test_certified_organization(policy: Policy) -> None:
    org = policy.certified_organization
    assert org is not None
    assert org.phones == ["03-5860-7565", "0120-700-779"]
    assert org.address.postal_code == "106-0032"
    assert "Roppongi First Building" in org.address.text.en


def test_load_from_a_file_equals_the_embedded_policy(tmp_path: Path, policy: Policy) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(default_policy_text(), encoding="utf-8")
    assert load_policy(path) == policy


def test_dumped_policy_loads_back(policy: Policy) -> None:
    dumped = yaml.safe_dump(policy.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    assert parse_policy(dumped, source="dumped.yaml") == policy


def test_policy_is_immutable(policy: Policy) -> None:
    with pytest.raises(pydantic.ValidationError):
        policy.organization.academic_institution = True  # type: ignore[misc]


def test_direct_construction_checks_references(policy: Policy) -> None:
    data = policy.model_dump(mode="json")
    data["retired_employees"]["contact"] = "nobody"
    with pytest.raises(
        pydantic.ValidationError,
        match=re.escape("retired_employees.contact: undefined contact 'nobody'"),
    ):
        Policy.model_validate(data)


def test_joint_use_of_my_number_is_refused(policy: Policy) -> None:
    """R-MN-5: specific personal information is never jointly used."""
    data = policy.model_dump(mode="json")
    data["general"]["joint_use"]["arrangements"] = [
        {"id": "group", "categories": ["specific_personal"]}
    ]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="p.yaml")
    issues = [str(i) for i in caught.value.issues]
    (issue,) = [i for i in issues if "categories[0]" in i]
    assert "general.joint_use.arrangements[0].categories[0]" in issue
    assert "R-MN-5" in issue
