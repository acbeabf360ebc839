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

from kojin.law.citations import Verdict
from kojin.law.decision_schemas import Decision, Explanation
from kojin.law.situation import DECLARED, UNDECLARED, Situation
from kojin.law.vocabulary import Outcome

Extractor = Callable[[Situation], object]


def _purpose(s: Situation) -> object:
    return s.request.purpose if s.purpose is DECLARED else s.purpose


#: what part of the request each sentence placeholder depends on
_EXTRACTORS: Mapping[str, Extractor] = MappingProxyType(
    {
        "category": lambda s: s.request.category,
        "purpose": _purpose,
        "purpose_id": _purpose,
        "purpose_ja": _purpose,
        "country": lambda s: s.recipient.country,
        "exception": lambda s: s.request.exception,
        "relation": lambda s: s.recipient.relation,
    }
)


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
    request = s.request
    if s.purpose is DECLARED:
        purpose_en = f"the purpose '{request.purpose}'"
        purpose_ja = f"利用目的「{request.purpose}」"
        purpose_id = str(request.purpose)
    elif s.purpose is UNDECLARED:
        # free text may describe a person: it is never echoed back
        purpose_en = "an undeclared purpose"
        purpose_ja = "特定されていない目的"
        purpose_id = "(undeclared)"
    else:
        purpose_en = "no stated purpose"
        purpose_ja = "目的の記載なし"
        purpose_id = "(none)"
    exception = request.exception
    return {
        "category": request.category,
        "purpose": purpose_en,
        "purpose_id": purpose_id,
        "purpose_ja": purpose_ja,
        "country": s.recipient.country,
        "exception": "" if exception is None else exception.value,
        "relation": s.recipient.relation.value,
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
