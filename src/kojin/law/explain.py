"""Turning a verdict into the contract's :class:`Decision`, with English and Japanese text.

Rules and duties are constants, so a verdict plus the request values its sentences mention (found
once per verdict from the placeholders) identify the decision completely. An :class:`Explainer`
renders each such decision once and then shares it: decisions are frozen values (treat their lists
as read-only). The explainer belongs to whoever decides: by default the compiled
:class:`~kojin.law.policy_facts.PolicyFacts` holds one, so a newly compiled policy starts empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from string import Formatter
from types import MappingProxyType
from typing import TYPE_CHECKING

from kojin import countries
from kojin.law.citations import Verdict
from kojin.law.decision_schemas import Decision, Explanation
from kojin.law.situation import DECLARED, UNDECLARED, Situation
from kojin.law.vocabulary import LegalException, Outcome, Relation

if TYPE_CHECKING:
    from kojin.law.policy_facts import PolicyFacts

Extractor = Callable[[Situation], object]


def _purpose(s: Situation) -> object:
    return s.request.purpose if s.purpose is DECLARED else s.purpose


#: what part of the request each sentence placeholder depends on
_EXTRACTORS: Mapping[str, Extractor] = MappingProxyType(
    {
        "category": lambda s: s.request.category,
        "category_ja": lambda s: s.request.category,
        "purpose": _purpose,
        "purpose_id": _purpose,
        "purpose_ja": _purpose,
        "country": lambda s: s.recipient.country,
        "country_ja": lambda s: s.recipient.country,
        "exception": lambda s: s.request.exception,
        "exception_ja": lambda s: s.request.exception,
        "relation": lambda s: s.recipient.relation,
        "relation_ja": lambda s: s.recipient.relation,
    }
)


#: the recipient's relation as the statutes name it
RELATION_JA: Mapping[Relation, str] = MappingProxyType(
    {
        Relation.THIRD_PARTY: "第三者",
        Relation.ENTRUSTEE: "委託先",
        Relation.JOINT_USER: "共同利用者",
        Relation.SUCCESSOR: "事業の承継先",
    }
)

#: each statutory exception as the statutes word it, for a policy that does not name it
EXCEPTION_JA: Mapping[LegalException, str] = MappingProxyType(
    {
        LegalException.LAW: "法令に基づく場合",
        LegalException.LIFE_BODY_PROPERTY: (
            "人の生命、身体又は財産の保護のために必要がある場合であって、本人の同意を得ることが"
            "困難であるとき"
        ),
        LegalException.PUBLIC_HEALTH_CHILDREN: (
            "公衆衛生の向上又は児童の健全な育成の推進のために特に必要がある場合であって、本人の"
            "同意を得ることが困難であるとき"
        ),
        LegalException.GOVERNMENT_COOPERATION: (
            "国の機関若しくは地方公共団体又はその委託を受けた者が法令の定める事務を遂行することに"
            "対して協力する必要がある場合"
        ),
        LegalException.ACADEMIC_PUBLICATION: "学術研究の成果の公表又は教授のためやむを得ない場合",
        LegalException.ACADEMIC_JOINT_RESEARCH: "学術研究機関等と共同して学術研究を行う場合",
        LegalException.ACADEMIC_INSTITUTION_RESEARCH: (
            "学術研究機関等が学術研究目的で取り扱う必要がある場合"
        ),
        LegalException.MNA_19: "番号法第19条各号のいずれかに該当する場合",
    }
)


def exception_title_ja(policy: PolicyFacts, exception: LegalException) -> str:
    """The exception as the policy words it in Japanese, else as the statutes do."""
    titles = policy.exception_titles.get(exception.value)
    return titles[1] if titles else EXCEPTION_JA[exception]


def _placeholders(verdict: Verdict) -> tuple[Extractor, ...]:
    names = {
        name
        for rule in verdict.rules
        for text in (rule.en, rule.ja)
        for _, name, _, _ in Formatter().parse(text)
        if name
    }
    return tuple(dict.fromkeys(_EXTRACTORS[name] for name in sorted(names)))


class Explainer:
    """Renders verdicts into decisions and keeps each rendered decision for reuse.

    At most `limit` decisions are kept; when full, the explainer starts again empty.
    """

    #: how many rendered decisions one explainer keeps (a few kilobytes each)
    DEFAULT_LIMIT = 16_384

    __slots__ = ("_decisions", "_needs", "limit")

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._decisions: dict[tuple[object, ...], Decision] = {}
        #: per verdict, the extractors its sentences need (most need none or one)
        self._needs: dict[Verdict, tuple[Extractor, ...]] = {}

    def __len__(self) -> int:
        """How many rendered decisions are kept."""
        return len(self._decisions)

    def render(self, verdict: Verdict, s: Situation) -> Decision:
        needs = self._needs.get(verdict)
        if needs is None:
            needs = self._needs[verdict] = _placeholders(verdict)
        key = (verdict, *[extract(s) for extract in needs]) if needs else (verdict,)
        decision = self._decisions.get(key)
        if decision is None:
            if len(self._decisions) >= self.limit:
                self._decisions.clear()
                self._needs.clear()
            decision = self._decisions[key] = _build(verdict, s)
        return decision


def _values(s: Situation) -> dict[str, str]:
    """The sentence values: ids in English, the policy's own Japanese titles in Japanese."""
    request = s.request
    category = s.category
    if s.purpose is DECLARED:
        purpose_id = str(request.purpose)
        purpose_en = f"the purpose '{purpose_id}'"
        titles = category.purpose_titles.get(purpose_id)
        purpose_ja = f"利用目的「{titles[1] if titles else purpose_id}」"
    elif s.purpose is UNDECLARED:
        # free text may describe a person: it is never echoed back
        purpose_en = "an undeclared purpose"
        purpose_ja = "特定した利用目的に含まれない目的"
        purpose_id = "(undeclared)"
    else:
        purpose_en = "no stated purpose"
        purpose_ja = "目的の記載なし"
        purpose_id = "(none)"
    exception = request.exception
    country = s.recipient.country or ""
    relation = s.recipient.relation
    return {
        "category": request.category,
        "category_ja": category.title[1] or request.category,
        "purpose": purpose_en,
        "purpose_id": purpose_id,
        "purpose_ja": purpose_ja,
        "country": country,
        "country_ja": countries.name(country, "ja") if country else "",
        "exception": "" if exception is None else exception.value,
        "exception_ja": "" if exception is None else exception_title_ja(s.policy, exception),
        "relation": relation.value,
        "relation_ja": RELATION_JA[relation],
    }


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _build(verdict: Verdict, s: Situation) -> Decision:
    values = _values(s)
    reasons = [rule.en.format_map(values) for rule in verdict.rules]
    reasons_ja = [rule.ja.format_map(values) for rule in verdict.rules]
    decisive = verdict.rules[0]
    obligations = [d.obligation for d in verdict.duties]
    citations = _unique(
        [c for rule in verdict.rules for c in rule.citation.split("; ")]
        + [o.citation for o in obligations]
    )
    rule_ids = _unique([rule.id for rule in verdict.rules] + [d.rule for d in verdict.duties])
    allowed = verdict.allowed
    verb_en = "Allowed" if allowed else "Denied"
    verb_ja = "可" if allowed else "不可"
    en = f"{verb_en}. " + " ".join(reasons)
    ja = f"{verb_ja}。" + "".join(reasons_ja)
    if obligations:
        en += " Duties: " + " ".join(o.text for o in obligations)
        ja += "義務：" + "".join(d.ja for d in verdict.duties)
    return Decision.model_construct(
        allowed=allowed,
        outcome=Outcome.ALLOW if allowed else Outcome.DENY,
        basis=f"{verb_en}: {reasons[0].rstrip('.')} ({decisive.citation.replace('; ', ', ')}).",
        citations=citations,
        rules=rule_ids,
        obligations=obligations,
        reasons=reasons,
        explanation=Explanation.model_construct(en=en, ja=ja),
    )
