"""Every rule and duty the engine can cite: known ids, well-formed citations, both languages."""

from __future__ import annotations

import importlib
import pkgutil
import re
from string import Formatter
from types import ModuleType

import pytest

import kojin.law
from kojin.law import KNOWN_RULE_IDS, obligations, statutory_exceptions
from kojin.law.citations import Duty, Rule, appi, mna
from kojin.law.mynumber_rules import ARTICLE_19
from kojin.law.policy_facts import PolicyFacts
from kojin.law.statutory_exceptions import Context, check_exception
from kojin.law.vocabulary import LegalException, ObligationCode

CITATION = re.compile(r"^(APPI|MNA) Art\. \d+(\(\d+\))?(\((i|ii|iii|iv|v|vi|vii|viii)\))?$")
#: what English sentences may mention (ids, as the request gives them)
PLACEHOLDERS = {"category", "purpose", "purpose_id", "country", "exception", "relation"}
#: what Japanese sentences may mention: the policy's own Japanese titles and Japanese names
PLACEHOLDERS_JA = {"category_ja", "purpose_ja", "country_ja", "exception_ja", "relation_ja"}
#: every module of kojin.law, so that a new rule module is checked without being listed here
LAW_MODULES: list[ModuleType] = [
    importlib.import_module(f"kojin.law.{info.name}")
    for info in pkgutil.iter_modules(kojin.law.__path__)
]


def _exception_rules() -> list[Rule]:
    policy = PolicyFacts(categories={}, academic_institution=True)
    found: list[Rule] = []
    for context in Context:
        for exception in LegalException:
            for difficult in (False, True):
                check = check_exception(
                    exception, context, policy=policy, consent_difficult=difficult, consent=False
                )
                found += [r for r in (check.applies, check.note) if r is not None]
    return found


#: each rule once, also where a module imports another's
RULES = list(
    {id(v): v for m in LAW_MODULES for v in vars(m).values() if isinstance(v, Rule)}.values()
)
RULES += _exception_rules()
RULES += [case.rule for case in ARTICLE_19.values()]
DUTIES = [v for v in vars(obligations).values() if isinstance(v, Duty)]


def test_catalogue_is_not_empty() -> None:
    assert len(RULES) > 80
    assert {d.obligation.code for d in DUTIES} == set(ObligationCode)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.id}:{r.en[:30]}")
def test_rule_is_well_formed(rule: Rule) -> None:
    assert rule.id in KNOWN_RULE_IDS
    for citation in rule.citation.split("; "):
        assert CITATION.match(citation), citation
    for text, allowed in ((rule.en, PLACEHOLDERS), (rule.ja, PLACEHOLDERS_JA)):
        assert text.strip()
        names = {name for _, name, _, _ in Formatter().parse(text) if name}
        assert names <= allowed, names
    assert rule.ja != rule.en


@pytest.mark.parametrize("duty", DUTIES, ids=lambda d: f"{d.rule}:{d.obligation.code}")
def test_duty_is_well_formed(duty: Duty) -> None:
    assert duty.rule in KNOWN_RULE_IDS
    assert CITATION.match(duty.obligation.citation)
    assert duty.obligation.text.strip()
    assert duty.ja.strip()


@pytest.mark.parametrize(
    ("citation", "expected"),
    [
        (appi(27, 1, 2), "APPI Art. 27(1)(ii)"),
        (appi(25), "APPI Art. 25"),
        (appi(20, 2, 8), "APPI Art. 20(2)(viii)"),
        (mna(19, 16), "MNA Art. 19(16)"),
        (mna(9), "MNA Art. 9"),
    ],
)
def test_citation_format(citation: str, expected: str) -> None:
    assert citation == expected


def test_exception_contexts_cover_every_exception() -> None:
    appi_contexts = [Context.USE, Context.ACQUIRE_SPECIAL_CARE, Context.PROVIDE]
    for context in appi_contexts:
        available = {
            e
            for e in LegalException
            if check_exception(
                e,
                context,
                policy=PolicyFacts(categories={}, academic_institution=True),
                consent_difficult=True,
                consent=False,
            ).applies
        }
        assert available == set(LegalException) - {LegalException.MNA_19}, context
    assert statutory_exceptions.NO_EXCEPTION.applies is None
