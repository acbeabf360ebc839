"""Provision to third parties in foreign countries (APPI Art. 28; R-TP-FX-1..3) and storage abroad
(R-SEC-2 item 7, as the policy declares it)."""

from __future__ import annotations

from enum import Enum

from kojin.law import obligations as ob
from kojin.law.citations import Duty, Rule, Verdict, allow, appi, deny
from kojin.law.decision_schemas import Recipient
from kojin.law.situation import Situation

#: Countries designated under Rule 15 (PPC Notice 2019 No. 1): the EU — read here as the EEA
#: states, which APPI-SPEC marks unconfirmed — and the United Kingdom (GB; "UK" accepted too).
EQUIVALENT_COUNTRIES = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        "IS", "LI", "NO",
        "GB", "UK",
    }
)  # fmt: skip


class ForeignStatus(Enum):
    DOMESTIC = "domestic"
    EQUIVALENT_COUNTRY = "equivalent_country"  # Art. 28 does not apply (Rule 15)
    RULE_16_RECIPIENT = "rule_16_recipient"  # Art. 28 does not apply (Rule 16 system)
    ARTICLE_28 = "article_28"  # consent to provision abroad is needed


def foreign_status(recipient: Recipient) -> ForeignStatus:
    country = recipient.country
    if country == "JP":
        return ForeignStatus.DOMESTIC
    if country in EQUIVALENT_COUNTRIES:
        return ForeignStatus.EQUIVALENT_COUNTRY
    if recipient.equivalent_measures:
        return ForeignStatus.RULE_16_RECIPIENT
    return ForeignStatus.ARTICLE_28


EQUIVALENT_COUNTRY = Rule(
    "R-TP-FX-1",
    appi(28, 1),
    "{country} is designated as having a system equivalent to Japan's, so Art. 28 does not "
    "apply and the ordinary Art. 27 routes do.",
    "{country_ja}は日本と同等の水準にある国として指定されているため第28条は適用されず、"
    "第27条の規律による。",
)
RULE_16_RECIPIENT = Rule(
    "R-TP-FX-1",
    appi(28, 1),
    "The recipient in {country} keeps a system of equivalent measures (Rule 16), so the "
    "ordinary Art. 27 routes apply.",
    "{country_ja}の提供先は相当措置を継続的に講ずる体制（規則16条）を整備しているため、"
    "第27条の規律による。",
)
NO_BYPASS = Rule(
    "R-TP-FX-1",
    appi(28, 1),
    "Entrustment, business succession and joint use do not take a provision to {country} "
    "outside Art. 28.",
    "委託・事業承継・共同利用であっても、{country_ja}への提供は第28条の適用を免れない。",
)
FOREIGN_NO_CONSENT = Rule(
    "R-TP-FX-1",
    appi(28, 1),
    "Providing personal data to a recipient in {country} needs the person's prior consent to "
    "provision to a third party in a foreign country.",
    "{country_ja}にある第三者への個人データの提供には、外国にある第三者への提供を認める旨の"
    "本人の事前の同意が必要である。",
)
FOREIGN_NO_INFORMATION = Rule(
    "R-TP-FX-2",
    appi(28, 2),
    "The consent is not valid for provision abroad unless the person was first told the "
    "country, its personal-information system and the recipient's measures.",
    "外国の名称、当該国の個人情報保護制度及び提供先の講ずる措置を事前に本人に提供していない"
    "ため、同意は外国提供について有効でない。",
)
FOREIGN_CONSENT = Rule(
    "R-TP-FX-1",
    appi(28, 1),
    "The person consented to provision to a third party in {country}, having been told the "
    "country, its system and the recipient's measures.",
    "本人は、外国の名称・制度・提供先の措置の情報提供を受けた上で、{country_ja}にある第三者への"
    "提供に同意している。",
)
STORAGE_DECLARED = Rule(
    "R-SEC-2",
    appi(23),
    "The policy declares that data of category '{category}' may be stored or handled in {country}.",
    "方針は、カテゴリ「{category_ja}」の個人情報を{country_ja}で保管・取り扱うことを定めている。",
)
STORAGE_NOT_DECLARED = Rule(
    "R-SEC-2",
    appi(23),
    "The policy does not declare storage or handling of category '{category}' data in {country}.",
    "方針は、カテゴリ「{category_ja}」の個人情報を{country_ja}で保管・取り扱うことを定めていない。",
)
STORAGE_IN_JAPAN = Rule(
    "R-SEC-2",
    appi(23),
    "Storage in Japan is not storage abroad; the ordinary security measures apply.",
    "日本国内での保管は外国での保管に当たらず、通常の安全管理措置による。",
)


def store_abroad(s: Situation) -> Verdict:
    """Storage or handling abroad by the operator itself: only where the policy declares it."""
    country = s.recipient.country
    if country == "JP":
        return allow(STORAGE_IN_JAPAN)
    if country in s.category.foreign_storage_countries:
        return allow(STORAGE_DECLARED, duties=(ob.UNDERSTAND_FOREIGN_SYSTEM,))
    return deny(STORAGE_NOT_DECLARED)


def consent_abroad(s: Situation, *, duties: tuple[Duty, ...]) -> Verdict:
    """Art. 28(1)-(2): consent with the Rule 17 information, or a denial saying what is missing."""
    if not s.consent:
        return deny(FOREIGN_NO_CONSENT)
    if not s.foreign_information:
        return deny(FOREIGN_NO_INFORMATION, FOREIGN_NO_CONSENT)
    return allow(FOREIGN_CONSENT, duties=duties)
