"""What a published joint use covers (APPI Art. 27(5)(iii); R-TP-NT-1, R-TP-NT-3(a), R-PS-3).

A provision to a joint user is joint use only when one published arrangement of the policy
covers all of it: the category, the purpose (one of the arrangement's purposes), the recipient
(named among its joint users) and every item provided. Anything outside is an ordinary
provision to a third party, and the reason says which part fell outside.
"""

from __future__ import annotations

import unicodedata

from kojin.law.citations import Rule, appi
from kojin.law.policy_facts import JointUseFacts
from kojin.law.situation import DECLARED, Situation

COVERED = Rule(
    "R-TP-NT-3",
    appi(27, 5, 3),
    "A published joint use of category '{category}' covers this provision (its purpose, its "
    "joint user and its items), so the joint user is not a third party.",
    "カテゴリ「{category_ja}」について公表した共同利用が、この提供の利用目的・共同利用者・項目を"
    "すべて含むため、共同利用者は第三者に当たらない。",
)
NOT_PUBLISHED = Rule(
    "R-TP-NT-1",
    appi(27, 5, 3),
    "No joint use of category '{category}' is published in advance with every required item, "
    "so the joint user is a third party.",
    "カテゴリ「{category_ja}」の共同利用は必要な事項をすべてあらかじめ公表していないため、"
    "共同利用者は第三者に当たる。",
)
PURPOSE_OUTSIDE = Rule(
    "R-TP-NT-3",
    appi(27, 5, 3),
    "No published joint use of category '{category}' has {purpose} among its users' purposes, "
    "so the provision is an ordinary provision to a third party.",
    "カテゴリ「{category_ja}」について公表した共同利用の利用目的に{purpose_ja}は含まれないため、"
    "通常の第三者提供に当たる。",
)
RECIPIENT_OUTSIDE = Rule(
    "R-TP-NT-3",
    appi(27, 5, 3),
    "The recipient is not named among the joint users of a published joint use of category "
    "'{category}' (give recipient.name as the policy lists it), so it is a third party.",
    "提供先は、カテゴリ「{category_ja}」について公表した共同利用の共同利用者に含まれないため、"
    "第三者に当たる（提供先の名称は方針に記載したとおりに指定する）。",
)
ITEMS_MISSING = Rule(
    "R-TP-NT-3",
    appi(27, 5, 3),
    "The request does not name the items provided ('items'), so it cannot be shown to stay "
    "within the items of a published joint use.",
    "提供する項目が示されていないため、公表した共同利用の項目の範囲内であることを確認できない。",
)
ITEMS_OUTSIDE = Rule(
    "R-TP-NT-3",
    appi(27, 5, 3),
    "Items outside those a published joint use of category '{category}' lists are provided, so "
    "the provision is an ordinary provision to a third party.",
    "カテゴリ「{category_ja}」について公表した共同利用の項目以外の項目を提供するため、通常の"
    "第三者提供に当たる。",
)

#: how far a request got through an arrangement's checks, to the reason it stopped there
_STOPPED_AT = (PURPOSE_OUTSIDE, RECIPIENT_OUTSIDE, ITEMS_MISSING, ITEMS_OUTSIDE)


def member_key(name: str) -> str:
    """A joint user's id or name as compared: NFKC-normalized, case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def covering(s: Situation, *, pseudonymized: bool = False) -> JointUseFacts | Rule:
    """The published arrangement that covers the provision in `s`, or the reason none does
    (from the arrangement that came closest). With `pseudonymized`, only arrangements that
    publish the joint use of pseudonymized information count."""
    uses = [u for u in s.category.joint_uses if u.includes_pseudonymized or not pseudonymized]
    if not uses:
        return NOT_PUBLISHED
    furthest = 0
    for use in uses:
        stage = _stage(s, use)
        if stage == len(_STOPPED_AT):
            return use
        furthest = max(furthest, stage)
    return _STOPPED_AT[furthest]


def _stage(s: Situation, use: JointUseFacts) -> int:
    request = s.request
    if s.purpose is not DECLARED or request.purpose not in use.purposes:
        return 0
    name = s.recipient.name
    if name is None or member_key(name) not in use.members:
        return 1
    if not request.items:
        return 2
    if not use.items.issuperset(request.items):
        return 3
    return 4
