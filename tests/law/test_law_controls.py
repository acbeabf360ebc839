"""The control catalogue of internal audits: one control per ``R-…`` id of the specification,
and the policy decides which apply."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from kojin.law.controls import (
    BY_ID,
    CONTROLS,
    Applies,
    Control,
    EvidenceSource,
    applicable_controls,
)
from kojin.law.policy_facts import CategoryFacts, PolicyFacts
from kojin.policy import load_policy
from kojin.policy.compile import to_facts

SPEC_IDS_COPY = Path(__file__).with_name("appi_spec_rule_ids.txt")
SPEC = Path(__file__).resolve().parents[3] / "shared" / "APPI-SPEC.md"
#: every id the specification defines, ``R-BR-IMPL`` (the classifier's output) included
ANY_ID = re.compile(r"R-[A-Z]+(?:-[A-Z0-9]+)+")
#: the one id without a number, which the copy (numbered ids only) leaves out
UNNUMBERED = {"R-BR-IMPL"}


def test_one_control_per_id_of_the_spec_copy() -> None:
    ids = [c.id for c in CONTROLS]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(SPEC_IDS_COPY.read_text(encoding="utf-8").split()) | UNNUMBERED


def test_one_control_per_id_of_the_spec() -> None:
    if not SPEC.exists():
        pytest.skip(f"the shared specification is not beside the repository ({SPEC})")
    assert {c.id for c in CONTROLS} == set(ANY_ID.findall(SPEC.read_text(encoding="utf-8")))


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_control_is_well_formed(control: Control) -> None:
    c = control
    assert c is BY_ID[c.id]
    assert c.en.strip()
    assert c.ja.strip()
    assert c.en != c.ja
    assert re.fullmatch(r"\d+", c.section)
    # the section a control names is the section of the spec its id is defined in
    prefix = c.id.split("-")[1]
    sections = {"CH": "0", "DEF": "1", "PUR": "2", "ACQ": "2", "ACC": "2", "SEC": "3"}
    sections |= {"BR": "4", "TP": "5", "PRI": "6", "RT": "7", "PS": "8", "AN": "9"}
    sections |= {"MN": "10", "CD": "11", "PM": "12", "SC": "14"}
    assert c.section == sections[prefix]


def test_evidence_sources_named_by_the_brief() -> None:
    assert BY_ID["R-TP-REC-1"].source is EvidenceSource.PROVISION_RECORDS
    assert BY_ID["R-MN-7"].source is EvidenceSource.MYNUMBER_DISPOSALS
    assert all(
        c.source is EvidenceSource.REQUEST_DEADLINES
        for c in CONTROLS
        if c.id.startswith("R-RT-") and c.id != "R-RT-1"
    )
    assert all(
        c.source is EvidenceSource.INCIDENT_CLOCKS for c in CONTROLS if c.id.startswith("R-BR-")
    )
    assert {c.source for c in CONTROLS} == set(EvidenceSource)


def _bare() -> PolicyFacts:
    return PolicyFacts(
        categories={"customers": CategoryFacts(id="customers", purposes=frozenset())}
    )


def test_a_bare_policy_gets_only_the_controls_that_always_apply() -> None:
    chosen = applicable_controls(_bare())
    assert chosen == tuple(c for c in CONTROLS if c.applies is Applies.ALWAYS)
    assert "R-MN-7" not in {c.id for c in chosen}
    assert "R-TP-REC-1" in {c.id for c in chosen}


@pytest.mark.parametrize(
    ("change", "condition"),
    [
        ({"academic_institution": True}, Applies.ACADEMIC),
        ({"opt_out_filed": True}, Applies.OPT_OUT),
        ({"anonymized_declared": True}, Applies.ANONYMIZED),
        ({"pseudonymized_creation_declared": True}, Applies.PSEUDONYMIZED),
    ],
)
def test_a_declaration_adds_its_controls(change: dict[str, bool], condition: Applies) -> None:
    policy = replace(_bare(), **change)  # type: ignore[arg-type]
    added = {c.id for c in applicable_controls(policy)} - {
        c.id for c in applicable_controls(_bare())
    }
    assert added == {c.id for c in CONTROLS if c.applies is condition}


@pytest.mark.parametrize(
    ("category", "condition"),
    [
        ({"specific_personal": True}, Applies.MY_NUMBER),
        ({"foreign_provision_declared": True}, Applies.FOREIGN),
        ({"foreign_storage_countries": frozenset({"US"})}, Applies.FOREIGN),
        ({"joint_use_published": True}, Applies.JOINT_USE),
    ],
)
def test_a_category_adds_its_controls(category: dict[str, object], condition: Applies) -> None:
    extra = CategoryFacts(id="extra", purposes=frozenset(), **category)  # type: ignore[arg-type]
    policy = PolicyFacts(categories={**_bare().categories, "extra": extra})
    added = {c.id for c in applicable_controls(policy)} - {
        c.id for c in applicable_controls(_bare())
    }
    assert added == {c.id for c in CONTROLS if c.applies is condition}


def test_the_seed_policy() -> None:
    facts = to_facts(load_policy(None))
    chosen = {c.id for c in applicable_controls(facts)}
    # the seed keeps My Number for payroll, so its controls apply
    assert any(c.specific_personal for c in facts.categories.values())
    assert {"R-MN-7", "R-BR-MN-1"} <= chosen
    assert chosen <= set(BY_ID)
