"""Statutory exceptions a request may invoke, per legal context (R-PUR-4, R-ACQ-2, R-TP-1, ...).

The same request field (`exception`) means a different item of a different article depending on
what is asked: out-of-purpose use (APPI Art. 18(3)), special-care acquisition (Art. 20(2)),
provision (Art. 27(1), read into Arts. 28(1) and 31(1)), pseudonymized information (Art. 41: only
"based on laws"), and the My Number Act (MNA Art. 30(2) reading APPI Art. 18(3); MNA Art. 19).

E2–E4 require that consent be difficult to obtain (or would impede the affairs): the request says
so with ``consent_difficult: true``. The academic exceptions that rest on the operator being an
academic research institution need ``PolicyFacts.academic_institution``.

``mna_19`` names its item (``mna_19_item``), a closed list (:mod:`kojin.law.mynumber_article19`):
the item decides whether the exception holds and which item the decision cites.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from kojin.law.citations import Rule, appi, mna
from kojin.law.mynumber_article19 import article_19_finding
from kojin.law.mynumber_vocabulary import Article19Item
from kojin.law.policy_facts import PolicyFacts
from kojin.law.situation import Situation
from kojin.law.vocabulary import LegalException as Ex


class Context(StrEnum):
    USE = "use"  # APPI Art. 18(3)
    ACQUIRE_SPECIAL_CARE = "acquire_special_care"  # APPI Art. 20(2)
    PROVIDE = "provide"  # APPI Art. 27(1)
    PROVIDE_FOREIGN = "provide_foreign"  # APPI Art. 28(1) with the Art. 27(1) items
    PROVIDE_PRI = "provide_pri"  # APPI Art. 31(1) with the Art. 27(1) items
    PSEUDONYMIZED = "pseudonymized"  # APPI Art. 41(3), 41(6): laws only
    MN_USE = "mn_use"  # MNA Art. 30(2) reading APPI Art. 18(3)
    MN_PROVIDE = "mn_provide"  # MNA Art. 19


@dataclass(frozen=True, slots=True)
class _Terms:
    rule: Rule
    needs_consent_difficult: bool = False
    needs_academic_institution: bool = False
    #: MNA life/body/property: consent *or* consent difficult
    consent_suffices: bool = False


_LABEL: Mapping[Ex, tuple[str, str]] = {
    Ex.LAW: ("based on laws and regulations", "法令に基づく場合"),
    Ex.LIFE_BODY_PROPERTY: (
        "needed to protect a person's life, body or property",
        "人の生命、身体又は財産の保護のために必要がある場合",
    ),
    Ex.PUBLIC_HEALTH_CHILDREN: (
        "specially needed for public health or the sound upbringing of children",
        "公衆衛生の向上又は児童の健全な育成の推進のために特に必要がある場合",
    ),
    Ex.GOVERNMENT_COOPERATION: (
        "cooperation with a government body in affairs prescribed by law",
        "国の機関等が法令の定める事務を遂行することに協力する必要がある場合",
    ),
    Ex.ACADEMIC_PUBLICATION: (
        "unavoidable for publishing or teaching academic research results",
        "学術研究の成果の公表又は教授のためやむを得ない場合",
    ),
    Ex.ACADEMIC_JOINT_RESEARCH: (
        "needed for academic research conducted jointly",
        "共同して学術研究を行う場合",
    ),
    Ex.ACADEMIC_INSTITUTION_RESEARCH: (
        "an academic research institution needs the data for academic research",
        "学術研究機関等が学術研究目的で取り扱う必要がある場合",
    ),
    Ex.MNA_19: (
        "a case listed in MNA Art. 19",
        "番号法第19条各号に該当する場合",
    ),
}


def _terms(
    rule_id: str,
    exception: Ex,
    citation: str,
    *,
    difficult: bool = False,
    institution: bool = False,
    consent_suffices: bool = False,
) -> _Terms:
    en, ja = _LABEL[exception]
    return _Terms(
        rule=Rule(
            rule_id,
            citation,
            f"The statutory exception applies: {en}.",
            f"法定の例外に該当する：{ja}。",
        ),
        needs_consent_difficult=difficult,
        needs_academic_institution=institution,
        consent_suffices=consent_suffices,
    )


def _appi_items(
    rule_id: str, article: int, paragraph: int, items: Mapping[Ex, int], wrap: str | None = None
) -> dict[Ex, _Terms]:
    table: dict[Ex, _Terms] = {}
    institution_items = {18: {5}, 20: {5}, 27: {5, 6}}[article]
    for exception, item in items.items():
        citation = appi(article, paragraph, item)
        if wrap is not None:
            citation = f"{wrap}; {citation}"  # split into two citations when rendered
        table[exception] = _terms(
            rule_id,
            exception,
            citation,
            difficult=item in (2, 3, 4),
            institution=item in institution_items,
        )
    return table


_USE_ITEMS: Mapping[Ex, int] = {
    Ex.LAW: 1,
    Ex.LIFE_BODY_PROPERTY: 2,
    Ex.PUBLIC_HEALTH_CHILDREN: 3,
    Ex.GOVERNMENT_COOPERATION: 4,
    Ex.ACADEMIC_PUBLICATION: 5,
    Ex.ACADEMIC_JOINT_RESEARCH: 5,
    Ex.ACADEMIC_INSTITUTION_RESEARCH: 6,
}
_ACQUIRE_ITEMS: Mapping[Ex, int] = {
    Ex.LAW: 1,
    Ex.LIFE_BODY_PROPERTY: 2,
    Ex.PUBLIC_HEALTH_CHILDREN: 3,
    Ex.GOVERNMENT_COOPERATION: 4,
    Ex.ACADEMIC_PUBLICATION: 5,
    Ex.ACADEMIC_INSTITUTION_RESEARCH: 5,
    Ex.ACADEMIC_JOINT_RESEARCH: 6,
}
_PROVIDE_ITEMS: Mapping[Ex, int] = {
    Ex.LAW: 1,
    Ex.LIFE_BODY_PROPERTY: 2,
    Ex.PUBLIC_HEALTH_CHILDREN: 3,
    Ex.GOVERNMENT_COOPERATION: 4,
    Ex.ACADEMIC_PUBLICATION: 5,
    Ex.ACADEMIC_JOINT_RESEARCH: 6,
    Ex.ACADEMIC_INSTITUTION_RESEARCH: 7,
}

_TABLE: Mapping[Context, Mapping[Ex, _Terms]] = {
    Context.USE: _appi_items("R-PUR-4", 18, 3, _USE_ITEMS),
    Context.ACQUIRE_SPECIAL_CARE: _appi_items("R-ACQ-2", 20, 2, _ACQUIRE_ITEMS),
    Context.PROVIDE: _appi_items("R-TP-1", 27, 1, _PROVIDE_ITEMS),
    Context.PROVIDE_FOREIGN: _appi_items("R-TP-FX-1", 27, 1, _PROVIDE_ITEMS, wrap=appi(28, 1)),
    Context.PROVIDE_PRI: _appi_items("R-PRI-2", 27, 1, _PROVIDE_ITEMS, wrap=appi(31, 1)),
    Context.PSEUDONYMIZED: {Ex.LAW: _terms("R-PS-3", Ex.LAW, appi(41, 3))},
    Context.MN_USE: {
        Ex.LIFE_BODY_PROPERTY: _terms(
            "R-MN-1", Ex.LIFE_BODY_PROPERTY, mna(30, 2), consent_suffices=True, difficult=True
        ),
    },
    Context.MN_PROVIDE: {
        # the item named decides (see check_exception); this entry only marks it available
        Ex.MNA_19: _terms("R-MN-5", Ex.MNA_19, mna(19)),
        Ex.LIFE_BODY_PROPERTY: _terms(
            "R-MN-5", Ex.LIFE_BODY_PROPERTY, mna(19, 16), consent_suffices=True, difficult=True
        ),
    },
}

_CONTEXT_RULE: Mapping[Context, tuple[str, str]] = {
    Context.USE: ("R-PUR-4", appi(18, 3)),
    Context.ACQUIRE_SPECIAL_CARE: ("R-ACQ-2", appi(20, 2)),
    Context.PROVIDE: ("R-TP-1", appi(27, 1)),
    Context.PROVIDE_FOREIGN: ("R-TP-FX-1", appi(28, 1)),
    Context.PROVIDE_PRI: ("R-PRI-2", appi(31, 1)),
    Context.PSEUDONYMIZED: ("R-PS-3", appi(41, 3)),
    Context.MN_USE: ("R-MN-1", mna(30, 2)),
    Context.MN_PROVIDE: ("R-MN-5", mna(19)),
}


def _note(context: Context, en: str, ja: str) -> Rule:
    rule_id, citation = _CONTEXT_RULE[context]
    return Rule(rule_id, citation, en, ja)


_NOT_AVAILABLE: Mapping[Context, Rule] = {
    context: _note(
        context,
        "The exception '{exception}' is not available here.",
        "例外「{exception_ja}」はこの場面では適用されない。",
    )
    for context in Context
}
_NEEDS_DIFFICULT: Mapping[Context, Rule] = {
    context: _note(
        context,
        "The exception '{exception}' applies only where consent is difficult to obtain "
        "(consent_difficult).",
        "例外「{exception_ja}」は本人の同意を得ることが困難な場合に限り適用される。",
    )
    for context in Context
}
_NEEDS_INSTITUTION: Mapping[Context, Rule] = {
    context: _note(
        context,
        "The exception '{exception}' applies only to an academic research institution, which "
        "the policy does not declare the operator to be.",
        "例外「{exception_ja}」は学術研究機関等に限り適用されるが、方針上当社は該当しない。",
    )
    for context in Context
}


@dataclass(frozen=True, slots=True)
class ExceptionCheck:
    """`applies` is the rule to cite when the exception holds; `note` explains why it does not."""

    applies: Rule | None
    note: Rule | None

    @property
    def notes(self) -> tuple[Rule, ...]:
        """The note as rules to append to a verdict (none when there is nothing to explain)."""
        return () if self.note is None else (self.note,)


NO_EXCEPTION = ExceptionCheck(None, None)
_MNA_19 = Ex.MNA_19


def check_exception(
    exception: Ex | None,
    context: Context,
    *,
    policy: PolicyFacts,
    consent_difficult: bool,
    consent: bool,
    mna_19_item: Article19Item | None = None,
) -> ExceptionCheck:
    """Whether the request's exception holds in `context` (for ``mna_19``, with the item
    named)."""
    if exception is None:
        return NO_EXCEPTION
    terms = _TABLE[context].get(exception)
    if terms is None:
        return ExceptionCheck(None, _NOT_AVAILABLE[context])
    if exception is _MNA_19:
        holds, rule = article_19_finding(
            mna_19_item, consent=consent, consent_difficult=consent_difficult
        )
        return ExceptionCheck(rule, None) if holds else ExceptionCheck(None, rule)
    if terms.needs_academic_institution and not policy.academic_institution:
        return ExceptionCheck(None, _NEEDS_INSTITUTION[context])
    if (
        terms.needs_consent_difficult
        and not consent_difficult
        and not (terms.consent_suffices and consent)
    ):
        return ExceptionCheck(None, _NEEDS_DIFFICULT[context])
    return ExceptionCheck(terms.rule, None)


def exception_for(s: Situation, context: Context) -> ExceptionCheck:
    """Whether the exception the request invokes holds in `context`, given its stated difficulty
    of consent and the consent in force."""
    request = s.request
    return check_exception(
        request.exception,
        context,
        policy=s.policy,
        consent_difficult=request.consent_difficult,
        consent=s.consent,
        mna_19_item=request.mna_19_item,
    )
