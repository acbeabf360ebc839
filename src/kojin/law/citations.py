"""The building blocks of a decision: rules applied, duties created, and how they are cited.

A :class:`Rule` is one legal finding — its `R-…` id from APPI-SPEC.md, the article it rests on and
one sentence in English and Japanese. A :class:`Duty` is an obligation the decision creates. Both
are module-level constants compared by identity, so a verdict made of them hashes cheaply and the
rendered :class:`~kojin.law.decision_schemas.Decision` can be cached per verdict
(see ``explain.py``).

Citations are written ``APPI Art. N(p)(i)`` and ``MNA Art. N(p)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from kojin.law.decision_schemas import Obligation
from kojin.law.vocabulary import ObligationCode

_ROMAN = ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")


def appi(article: int | str, paragraph: int | None = None, item: int | None = None) -> str:
    """``APPI Art. 27(1)(ii)`` from (27, 1, 2)."""
    return _cite("APPI", article, paragraph, item)


def mna(article: int | str, paragraph: int | None = None, item: int | None = None) -> str:
    """``MNA Art. 19(16)``: items of MNA Art. 19 are numbered, so they are written as paragraphs."""
    return _cite("MNA", article, paragraph, item)


def _cite(act: str, article: int | str, paragraph: int | None, item: int | None) -> str:
    text = f"{act} Art. {article}"
    if paragraph is not None:
        text += f"({paragraph})"
    if item is not None:
        text += f"({_ROMAN[item]})"
    return text


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    """One finding. `citation` is one citation, or several joined by ``"; "``; `en`/`ja` may hold
    ``{category}``, ``{purpose}``, ``{purpose_id}``, ``{purpose_ja}``, ``{country}``,
    ``{exception}`` and ``{relation}`` placeholders filled from the request."""

    id: str
    citation: str
    en: str
    ja: str


@dataclass(frozen=True, slots=True, eq=False)
class Duty:
    """An obligation the decision creates, with the prebuilt contract object."""

    rule: str
    obligation: Obligation
    ja: str


def duty(code: ObligationCode, *, rule: str, citation: str, en: str, ja: str) -> Duty:
    return Duty(rule=rule, obligation=Obligation(code=code, citation=citation, text=en), ja=ja)


class Verdict(NamedTuple):
    """What the rules concluded; the first rule is the decisive one (it becomes the basis)."""

    allowed: bool
    rules: tuple[Rule, ...]
    duties: tuple[Duty, ...] = ()


def allow(*rules: Rule, duties: tuple[Duty, ...] = ()) -> Verdict:
    return Verdict(True, rules, duties)


def deny(*rules: Rule) -> Verdict:
    return Verdict(False, rules)


def with_notes(verdict: Verdict, notes: tuple[Rule, ...]) -> Verdict:
    """The same verdict with further explanatory rules appended after its decisive ones."""
    if not notes:
        return verdict
    return Verdict(verdict.allowed, verdict.rules + notes, verdict.duties)
