"""The ground a stop request rests on (APPI Art. 35; R-RT-6) and the incident it names (R-BR-8).

Cessation of use, erasure and cessation of provision (:data:`~kojin.requests.kinds.STOP_KINDS`)
may say which ground of Art. 35 they rest on (:class:`~kojin.law.breach_vocabulary.StopGround`);
a person may not know, so the ground is optional. A request made because of a reportable
incident names its public reference (``INC-2026-0001``, as the individual notice prints it):
the reference goes only with the reportable-breach ground, which it implies when no ground is
given. Whether the incident exists is the incident register's business, not this module's.

Under the three grounds of Art. 35(5) the company may decline only where special circumstances
outweigh the person's interest (or take alternative measures where compliance is very costly):
a refusal must explain those circumstances (:func:`special_circumstances_paragraph`).

The ground and the reference are not personal data: they are stored in clear and chained.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from kojin.errors import InputError
from kojin.law.breach_vocabulary import ARTICLE_35_5_GROUNDS, StopGround
from kojin.policy.model_base import Lang, RefusalGround
from kojin.requests.kinds import INCIDENT_REFERENCE, STOP_KINDS, RequestKind
from kojin.requests.models import DataRequest

#: the longest incident reference the column holds
REFERENCE_LIMIT: Final = 24

_ARTICLE_35_5: Final = (
    StopGround.NO_LONGER_NEEDED,
    StopGround.REPORTABLE_BREACH,
    StopGround.HARM_TO_INTERESTS,
)
#: the grounds each stop kind may rest on, in the article's order: Art. 35(1) for cessation of
#: use and erasure, Art. 35(3) for cessation of provision, Art. 35(5) for all three
GROUNDS_FOR_KIND: Final[dict[RequestKind, tuple[StopGround, ...]]] = {
    RequestKind.STOP_USE: (StopGround.UNLAWFUL_HANDLING, *_ARTICLE_35_5),
    RequestKind.ERASURE: (StopGround.UNLAWFUL_HANDLING, *_ARTICLE_35_5),
    RequestKind.STOP_PROVISION: (StopGround.UNLAWFUL_PROVISION, *_ARTICLE_35_5),
}

#: refusals that do not decline the request on its merits (the procedure was not completed, or
#: the company holds no such data): the proviso of Art. 35(5) is not what they rest on
PROCEDURAL_REFUSALS: Final[frozenset[RefusalGround]] = frozenset(
    {RefusalGround.DEFICIENT_PROCEDURE, RefusalGround.NOT_HELD}
)

#: the article each ground rests on, as letters cite it
GROUND_ARTICLES: Final[dict[Lang, dict[StopGround, str]]] = {
    "ja": {
        StopGround.UNLAWFUL_HANDLING: "法第35条第1項",
        StopGround.UNLAWFUL_PROVISION: "法第35条第3項",
        StopGround.NO_LONGER_NEEDED: "法第35条第5項",
        StopGround.REPORTABLE_BREACH: "法第35条第5項",
        StopGround.HARM_TO_INTERESTS: "法第35条第5項",
    },
    "en": {
        StopGround.UNLAWFUL_HANDLING: "Art. 35(1)",
        StopGround.UNLAWFUL_PROVISION: "Art. 35(3)",
        StopGround.NO_LONGER_NEEDED: "Art. 35(5)",
        StopGround.REPORTABLE_BREACH: "Art. 35(5)",
        StopGround.HARM_TO_INTERESTS: "Art. 35(5)",
    },
}

#: each ground in a few words, for letters (the pages have their own in the catalogues)
GROUND_NAMES: Final[dict[Lang, dict[StopGround, str]]] = {
    "ja": {
        StopGround.UNLAWFUL_HANDLING: "目的外利用、不適正な利用又は不正な取得",
        StopGround.UNLAWFUL_PROVISION: "本人の同意のない第三者提供",
        StopGround.NO_LONGER_NEEDED: "利用する必要がなくなったこと",
        StopGround.REPORTABLE_BREACH: "報告対象となる漏えい等の事態の発生",
        StopGround.HARM_TO_INTERESTS: "本人の権利又は正当な利益が害されるおそれ",
    },
    "en": {
        StopGround.UNLAWFUL_HANDLING: (
            "handling beyond the purposes, improper use or improper acquisition"
        ),
        StopGround.UNLAWFUL_PROVISION: "provision to a third party without consent",
        StopGround.NO_LONGER_NEEDED: "the data is no longer needed",
        StopGround.REPORTABLE_BREACH: "a reportable leakage or other incident occurred",
        StopGround.HARM_TO_INTERESTS: "the handling may harm the person's rights or interests",
    },
}

#: the heading of the paragraph a refusal under Art. 35(5) adds to the reasons
_SPECIAL_HEADINGS: Final[dict[Lang, str]] = {
    "ja": "特別な事情（法第35条第5項ただし書）：",
    "en": "Special circumstances (Art. 35(5) proviso): ",
}


class GroundMismatchError(InputError):
    """A ground or an incident reference that does not go with the request: a ground for a kind
    that is not a stop request, a reference with another kind or another ground. `field` names
    which (``stop_ground`` or ``incident_reference``)."""


def normalise_incident_reference(value: object) -> str | None:
    """An incident reference as notices print it (NFKC, upper case, no surrounding space), or
    None when empty; InputError naming ``incident_reference`` when it is not text or not of the
    form ``INC-2026-0001`` (the value is never repeated)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError("must be text", field="incident_reference")
    text = unicodedata.normalize("NFKC", value).strip().upper()
    if not text:
        return None
    if len(text) > REFERENCE_LIMIT or not INCIDENT_REFERENCE.fullmatch(text):
        raise InputError(
            "must be an incident reference like INC-2026-0001", field="incident_reference"
        )
    return text


def settled_ground(
    kind: RequestKind, ground: StopGround | None, reference: str | None
) -> StopGround | None:
    """The ground a request of `kind` carries, given what was chosen and the (normalised)
    incident reference: a reference without a ground implies the reportable-breach ground.

    GroundMismatchError (an InputError) naming ``stop_ground`` when a ground is given for a kind
    that is not a stop request or that the ground does not apply to (:data:`GROUNDS_FOR_KIND`),
    naming ``incident_reference`` when a reference goes with another kind or with a
    ground other than the reportable breach (R-BR-8).
    """
    if kind not in STOP_KINDS:
        if ground is not None:
            raise GroundMismatchError(
                "a ground of Art. 35 applies only to cessation of use, erasure and cessation "
                "of provision",
                field="stop_ground",
            )
        if reference is not None:
            raise GroundMismatchError(
                "an incident reference applies only to cessation of use, erasure and "
                "cessation of provision",
                field="incident_reference",
            )
        return None
    if ground is not None and ground not in GROUNDS_FOR_KIND[kind]:
        raise GroundMismatchError(
            "this ground of Art. 35 does not apply to this kind of request", field="stop_ground"
        )
    if reference is None:
        return ground
    if ground is None:
        return StopGround.REPORTABLE_BREACH
    if ground is not StopGround.REPORTABLE_BREACH:
        raise GroundMismatchError(
            "an incident reference goes only with the reportable-breach ground",
            field="incident_reference",
        )
    return ground


def needs_special_circumstances(
    kind: RequestKind, ground: StopGround | None, refusal: RefusalGround | None = None
) -> bool:
    """Whether refusing a request of `kind` that rests on `ground` (for the policy's reason
    `refusal`, when known) must explain the special circumstances that outweigh the person's
    interest (Art. 35(5) proviso; R-RT-6). A procedural refusal (:data:`PROCEDURAL_REFUSALS`)
    does not decline the request on its merits and needs none."""
    if refusal in PROCEDURAL_REFUSALS:
        return False
    return kind in STOP_KINDS and ground in ARTICLE_35_5_GROUNDS


def special_circumstances_paragraph(text: str, lang: Lang) -> str:
    """The paragraph a refusal under Art. 35(5) adds to the reasons given to the person."""
    return _SPECIAL_HEADINGS[lang] + text


def ground_line(ground: StopGround, reference: str | None, lang: Lang) -> str:
    """The ground as a letter names it: article, words and the incident reference, if any."""
    article = GROUND_ARTICLES[lang][ground]
    name = GROUND_NAMES[lang][ground]
    if lang == "ja":
        line = f"{article}（{name}）"
        return line + (f"　事態の番号：{reference}" if reference else "")
    line = f"{article} ({name})"
    return line + (f", incident {reference}" if reference else "")


def grounds_details(row: DataRequest) -> dict[str, str]:
    """What the audit chain holds about a request's ground: the ground's value and the incident
    reference, when set (neither is personal data)."""
    details: dict[str, str] = {}
    if row.stop_ground is not None:
        details["stop_ground"] = row.stop_ground
    if row.incident_reference is not None:
        details["incident_reference"] = row.incident_reference
    return details


def stop_ground_of(value: str | None) -> StopGround | None:
    """A stored ground (None, or a value no longer known, reads as no ground)."""
    try:
        return None if value is None else StopGround(value)
    except ValueError:
        return None
