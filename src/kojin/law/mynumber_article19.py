"""MNA Art. 19 as a closed list: the cases in which specific personal information may be
provided (R-MN-5).

Provision is allowed only in a case the Article lists; a private business names the item it
relies on (``mna_19_item``) and the decision cites that item. Items that concern only
government systems (the information-provision network, J-LIS, local-government bodies, book-entry
transfer institutions) are left out, so a request cannot invoke them. Two items carry
conditions on consent: item 4 (a former employer to the new one) needs the employee's consent;
item 16 (life, body or property) needs consent or consent being difficult to obtain. Item 6
(entrustment of the affairs, business succession) is the recipient's relation: the engine
decides entrustees and successors by their relation before any exception is read (see
``mynumber.py``), so for any other recipient item 6 does not hold.

"Provision" crosses a legal personality: moving data between departments is use, while a group
company is a separate legal person, so handing it numbers is provision (R-MN-5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from kojin.law.citations import Rule, mna
from kojin.law.mynumber_vocabulary import Article19Item as Item


class Article19Consent(StrEnum):
    """What an item of MNA Art. 19 asks of the person's consent."""

    #: the item holds whatever the consent
    NOT_NEEDED = "not_needed"
    #: the person's consent is required (item 4)
    REQUIRED = "required"
    #: consent, or consent being difficult to obtain (item 16)
    REQUIRED_OR_DIFFICULT = "required_or_difficult"


@dataclass(frozen=True, slots=True)
class Article19Case:
    """One item of MNA Art. 19 a business may rely on."""

    item: Item
    #: the case in English and Japanese (a paraphrase of the item's text)
    label: tuple[str, str]
    #: ``MNA Art. 19(n)``
    citation: str
    consent: Article19Consent
    #: the finding an allowed provision under this item cites
    rule: Rule

    @property
    def number(self) -> int:
        """The item's number in the Article."""
        return int(self.item.value)

    @property
    def consent_required(self) -> bool:
        """The item holds only with the person's consent (item 4)."""
        return self.consent is Article19Consent.REQUIRED

    @property
    def consent_or_difficult(self) -> bool:
        """The item holds with consent or where consent is difficult to obtain (item 16)."""
        return self.consent is Article19Consent.REQUIRED_OR_DIFFICULT


_LABELS: Mapping[Item, tuple[str, str]] = {
    Item.USE_AFFAIRS: (
        "an implementer of number-use affairs provides to the person, their agent or an "
        "implementer of number-related affairs as far as the use affairs need",
        "個人番号利用事務実施者が個人番号利用事務を処理するために必要な限度で本人若しくはその"
        "代理人又は個人番号関係事務実施者に提供するとき",
    ),
    Item.RELATED_AFFAIRS: (
        "an implementer of number-related affairs provides as far as those affairs need (an "
        "employer or payer to the tax office, insurers or a pension body)",
        "個人番号関係事務実施者が個人番号関係事務を処理するために必要な限度で提供するとき",
    ),
    Item.PERSON_OR_AGENT: (
        "the person or their agent provides the person's own number to an implementer of "
        "number-use or number-related affairs",
        "本人又はその代理人が個人番号利用事務等実施者に対し、当該本人の個人番号を含む特定個人"
        "情報を提供するとき",
    ),
    Item.FORMER_EMPLOYER: (
        "a former employer provides to the employee's new employer, with the employee's "
        "consent, as far as the new employer's number-related affairs need",
        "従業者等であった者が他の使用者等における従業者等になった場合に、当該従業者等の同意を"
        "得て、その個人番号関係事務を処理するために必要な限度で当該他の使用者等に提供するとき",
    ),
    Item.ENTRUSTMENT_OR_SUCCESSION: (
        "with an entrustment of the handling of specific personal information, or with a "
        "business succession by merger or otherwise",
        "特定個人情報の取扱いの全部若しくは一部の委託又は合併その他の事由による事業の承継に"
        "伴い提供するとき",
    ),
    Item.PPC_REQUEST: (
        "to the Personal Information Protection Commission, on its request under MNA Art. 35(1)",
        "番号法第35条第1項の規定により求められた特定個人情報を個人情報保護委員会に提供するとき",
    ),
    Item.PUBLIC_INTEREST: (
        "for a Diet investigation, court proceedings or the execution of a judgment, a criminal "
        "investigation, a tax-crime investigation, a Board of Audit inspection, or another "
        "public-interest case the Cabinet Order names",
        "各議院の審査若しくは調査、訴訟手続その他の裁判所における手続、裁判の執行、刑事事件の"
        "捜査、租税に関する犯則事件の調査又は会計検査院の検査が行われるとき、その他政令で定める"
        "公益上の必要があるとき",
    ),
    Item.LIFE_BODY_PROPERTY: (
        "needed to protect a person's life, body or property, with the person's consent or "
        "where consent is difficult to obtain",
        "人の生命、身体又は財産の保護のために必要がある場合において、本人の同意があり、又は本人"
        "の同意を得ることが困難であるとき",
    ),
    Item.PPC_RULES: (
        "another case the Commission's rules name as equivalent to these",
        "その他これらに準ずるものとして個人情報保護委員会規則で定めるとき",
    ),
}

_CONSENT: Mapping[Item, Article19Consent] = {
    Item.FORMER_EMPLOYER: Article19Consent.REQUIRED,
    Item.LIFE_BODY_PROPERTY: Article19Consent.REQUIRED_OR_DIFFICULT,
}


def _case(item: Item) -> Article19Case:
    en, ja = _LABELS[item]
    citation = mna(19, int(item.value))
    rule = Rule(
        "R-MN-5",
        citation,
        f"The provision is a case of MNA Art. 19({item.value}): {en}.",
        f"番号法第19条第{item.value}号に該当する提供である：{ja}。",
    )
    return Article19Case(
        item, (en, ja), citation, _CONSENT.get(item, Article19Consent.NOT_NEEDED), rule
    )


#: the items of MNA Art. 19 a business may rely on, in the Article's order
ARTICLE_19: Mapping[Item, Article19Case] = MappingProxyType({item: _case(item) for item in Item})


ITEM_NOT_NAMED = Rule(
    "R-MN-5",
    mna(19),
    "Provision under MNA Art. 19 must name the item relied on (mna_19_item): 1 (number-use "
    "affairs), 2 (number-related affairs, e.g. to the tax office), 3 (the person or their "
    "agent), 4 (former to new employer, with consent), 6 (entrustment or succession), 13 (the "
    "Commission on request), 15 (the Diet, courts, investigations, audit), 16 (life, body or "
    "property) or 17 (the Commission's rules).",
    "番号法第19条による提供には、該当する号を示す必要がある：第1号（個人番号利用事務）、第2号"
    "（個人番号関係事務。税務署への提出等）、第3号（本人又は代理人）、第4号（従業者等の同意を得た"
    "元の使用者等から新たな使用者等へ）、第6号（委託又は事業の承継）、第13号（個人情報保護委員会の"
    "求め）、第15号（国会、裁判所、捜査、会計検査等）、第16号（人の生命、身体又は財産の保護）又は"
    "第17号（個人情報保護委員会規則）。",
)
FORMER_EMPLOYER_WITHOUT_CONSENT = Rule(
    "R-MN-5",
    ARTICLE_19[Item.FORMER_EMPLOYER].citation,
    "MNA Art. 19(4) allows a former employer to provide the employee's number to the new "
    "employer only with the employee's consent, which is not given.",
    "番号法第19条第4号による元の使用者等から新たな使用者等への提供には従業者等の同意が必要で"
    "あるが、同意がない。",
)
LIFE_BODY_PROPERTY_WITHOUT_CONSENT = Rule(
    "R-MN-5",
    ARTICLE_19[Item.LIFE_BODY_PROPERTY].citation,
    "MNA Art. 19(16) applies only with the person's consent or where consent is difficult to "
    "obtain (consent_difficult); neither is stated.",
    "番号法第19条第16号は、本人の同意がある場合又は本人の同意を得ることが困難な場合に限り"
    "適用されるが、いずれにも当たらない。",
)
ENTRUSTMENT_IS_A_RELATION = Rule(
    "R-MN-5",
    ARTICLE_19[Item.ENTRUSTMENT_OR_SUCCESSION].citation,
    "MNA Art. 19(6) is a provision with an entrustment of the affairs or a business "
    "succession: the recipient must be the entrustee or the successor (its relation), not a "
    "third party.",
    "番号法第19条第6号は事務の委託又は事業の承継に伴う提供であり、提供先は第三者ではなく"
    "委託先又は事業の承継先でなければならない。",
)
GROUP_COMPANY_IS_A_THIRD_PARTY = Rule(
    "R-MN-5",
    mna(19),
    "The recipient is a group company: a separate legal person, so handing it specific "
    "personal information is provision (not use within the company) and needs an MNA Art. 19 "
    "case, and it cannot be a joint user.",
    "提供先はグループ会社であり、別の法人格を有するため、特定個人情報を渡すことは社内での利用"
    "ではなく提供に当たり、番号法第19条各号のいずれかに該当する必要がある。共同利用もできない。",
)


def article_19_finding(
    item: Item | None, *, consent: bool, consent_difficult: bool
) -> tuple[bool, Rule]:
    """Whether a provision to a third party under MNA Art. 19 `item` holds: ``(True, the
    case's rule)``, or ``(False, the rule saying why not)`` — no item named, item 4 without
    consent, item 16 without consent or its difficulty, item 6 for a recipient that is
    neither entrustee nor successor (those are decided by their relation before this)."""
    if item is None:
        return False, ITEM_NOT_NAMED
    case = ARTICLE_19[item]
    if item is Item.ENTRUSTMENT_OR_SUCCESSION:
        return False, ENTRUSTMENT_IS_A_RELATION
    if case.consent_required and not consent:
        return False, FORMER_EMPLOYER_WITHOUT_CONSENT
    if case.consent_or_difficult and not (consent or consent_difficult):
        return False, LIFE_BODY_PROPERTY_WITHOUT_CONSENT
    return True, case.rule
