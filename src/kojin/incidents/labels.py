"""Words shared by the incident documents: what happened, in Japanese and English, the inquiry
desk, and the link to the request portal that the Art. 35(5) ground opens (R-BR-8)."""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from kojin.law.breach_report import REPORT_ITEMS, ReportItem
from kojin.law.breach_vocabulary import (
    AppiBreachCategory,
    BreachRole,
    Certainty,
    IncidentKind,
    MyNumberBreachCategory,
)
from kojin.policy.model import Policy
from kojin.policy.model_base import ContactChannelKind, Lang
from kojin.policy.notice_contacts import format_address
from kojin.settings import Settings

#: what a document says where a fact is not known yet
UNKNOWN: Final[dict[Lang, str]] = {"ja": "（調査中）", "en": "(under investigation)"}

KIND: Final[dict[IncidentKind, dict[Lang, str]]] = {
    IncidentKind.LEAKAGE: {"ja": "漏えい", "en": "leakage"},
    IncidentKind.LOSS: {"ja": "滅失", "en": "loss"},
    IncidentKind.DAMAGE: {"ja": "毀損", "en": "damage"},
    IncidentKind.UNLAWFUL_USE: {
        "ja": "番号法第9条に違反した利用",
        "en": "use against Art. 9 of the My Number Act",
    },
    IncidentKind.UNLAWFUL_PROVISION: {
        "ja": "番号法第19条に違反した提供",
        "en": "provision against Art. 19 of the My Number Act",
    },
}

CERTAINTY: Final[dict[Certainty, dict[Lang, str]]] = {
    Certainty.SUSPECTED: {"ja": "発生したおそれ", "en": "suspected"},
    Certainty.CONFIRMED: {"ja": "発生", "en": "confirmed"},
}

ROLE: Final[dict[BreachRole, str]] = {
    BreachRole.OPERATOR: "当社が自ら取り扱う個人データ",
    BreachRole.ENTRUSTEE: "当社が委託を受けて取り扱う個人データ（当社は委託先）",
    BreachRole.ENTRUSTER: "当社が委託した個人データ（委託先において発生。当社は委託元）",
}

#: Rule 7's categories with their Japanese text and citation (R-BR-2)
APPI_CATEGORIES: Final[tuple[tuple[AppiBreachCategory, str, str], ...]] = (
    (
        AppiBreachCategory.SPECIAL_CARE,
        "要配慮個人情報が含まれる事態",
        "個人情報保護委員会規則第7条第1号",
    ),
    (
        AppiBreachCategory.PROPERTY_DAMAGE,
        "不正に利用されることにより財産的被害が生じるおそれがある個人データが含まれる事態",
        "個人情報保護委員会規則第7条第2号",
    ),
    (
        AppiBreachCategory.WRONGFUL_PURPOSE,
        "不正の目的をもって行われたおそれがある当該個人情報取扱事業者に対する行為による事態",
        "個人情報保護委員会規則第7条第3号",
    ),
    (
        AppiBreachCategory.OVER_1000,
        "本人の数が1,000人を超える事態",
        "個人情報保護委員会規則第7条第4号",
    ),
)

#: the My Number rules' categories (R-BR-MN-1)
MN_CATEGORIES: Final[tuple[tuple[MyNumberBreachCategory, str, str], ...]] = (
    (
        MyNumberBreachCategory.NUMBER_SYSTEMS,
        "情報提供ネットワークシステム又は個人番号利用事務等を処理するシステムにおける漏えい等",
        "特定個人情報の漏えい等に関する報告等に関する規則第2条第1号",
    ),
    (
        MyNumberBreachCategory.WRONGFUL_PURPOSE,
        "不正の目的をもって行われたおそれがある漏えい等又は利用・提供",
        "特定個人情報の漏えい等に関する報告等に関する規則第2条第2号",
    ),
    (
        MyNumberBreachCategory.UNSPECIFIED_EXPOSURE,
        "電磁的方法により不特定多数の者に閲覧されたおそれがある事態",
        "特定個人情報の漏えい等に関する報告等に関する規則第2条第3号",
    ),
    (
        MyNumberBreachCategory.OVER_100,
        "本人の数が100人を超える事態",
        "特定個人情報の漏えい等に関する報告等に関する規則第2条第4号",
    ),
)


def item_label(item: ReportItem, lang: Lang) -> str:
    """The report item's label (Rule 8(1)) in `lang`."""
    for candidate, en, ja in REPORT_ITEMS:
        if candidate is item:
            return ja if lang == "ja" else en
    raise KeyError(item)  # pragma: no cover - every item has a label


def or_unknown(value: str | None, lang: Lang) -> str:
    """`value`, or the words for "not known yet"."""
    return value if value and value.strip() else UNKNOWN[lang]


def listed(values: list[str] | None, lang: Lang) -> str:
    """`values` joined in `lang`'s way, or "not known yet"."""
    if not values:
        return UNKNOWN[lang]
    return ("、" if lang == "ja" else ", ").join(values)


def inquiry_desk(policy: Policy, settings: Settings, lang: Lang) -> list[str]:
    """The inquiry desk named in notices and publications: ``settings.incident_contact`` when
    set, else the policy's inquiry contact (department, address, channels)."""
    if settings.incident_contact and settings.incident_contact.strip():
        return [line.strip() for line in settings.incident_contact.splitlines() if line.strip()]
    contact = policy.contact(policy.general.inquiries.contact)
    if contact is None:
        return [policy.organization.name.get(lang)]
    address = contact.address
    lines = [
        contact.department.get(lang),
        format_address(address.text.get(lang), address.postal_code, None, lang),
    ]
    for channel in contact.channels:
        # a web form's label ("click here") means nothing in a letter without its address
        if channel.url:
            lines.append(f"{channel.label.get(lang)}: {channel.url}")
        elif channel.kind is not ContactChannelKind.WEB_FORM:
            lines.append(channel.label.get(lang))
    return lines


def portal_link(settings: Settings, reference: str) -> str:
    """The request portal's form, opened on the incident (the person may ask for erasure or
    cessation of provision on the Art. 35(5) ground)."""
    return f"{settings.public_url.rstrip('/')}/requests/new?incident={quote(reference)}"
