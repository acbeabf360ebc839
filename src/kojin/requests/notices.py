"""The notice that a request is refused, as a formal letter in the requester's language.

APPI requires the refusal of a rights request to be notified without delay (Arts. 32(3), 33(3),
34(3), 35(7); R-RT-2..6) and asks for the reasons to be explained (Art. 36; R-RT-7). The letter
names the operator (from the policy), the addressee, the request and the day it was made, the
decision (refused wholly or in part), the policy's refusal ground in the requester's language,
the explanation staff wrote, and where to ask again or complain (the policy's inquiries
contact and the certified organization). Japanese letters follow the usual layout: the date on
the right, the addressee with 様, the sender under it, a subject line such as
「保有個人データの開示のご請求について（通知）」, and 記 … 以上 around the particulars.

Everything is autoescaped: a name or explanation holding markup is shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from kojin.errors import InputError
from kojin.law.breach_vocabulary import StopGround
from kojin.policy.model import Contact, Inquiries, Policy
from kojin.policy.model_base import CategoryScope, ContactChannelKind, Lang, RefusalGround
from kojin.policy.notice_contacts import format_address
from kojin.requests.grounds import ground_line
from kojin.requests.kinds import RequestKind
from kojin.requests.pdf import html_to_pdf
from kojin.requests.print_templates import format_date, render

#: the subject of the letter, per request kind
SUBJECTS: Final[dict[Lang, dict[RequestKind, str]]] = {
    "ja": {
        RequestKind.PURPOSE_NOTIFICATION: "保有個人データの利用目的の通知のご請求について（通知）",
        RequestKind.DISCLOSURE: "保有個人データの開示のご請求について（通知）",
        RequestKind.CORRECTION: "保有個人データの訂正等のご請求について（通知）",
        RequestKind.STOP_USE: "保有個人データの利用停止のご請求について（通知）",
        RequestKind.ERASURE: "保有個人データの消去のご請求について（通知）",
        RequestKind.STOP_PROVISION: "保有個人データの第三者提供の停止のご請求について（通知）",
        RequestKind.COMPLAINT: "個人情報の取扱いに関する苦情のお申出について（通知）",
        RequestKind.INQUIRY: "個人情報の取扱いに関するお問い合わせについて（通知）",
    },
    "en": {
        RequestKind.PURPOSE_NOTIFICATION: (
            "Notice concerning your request for notification of the purposes of use"
        ),
        RequestKind.DISCLOSURE: (
            "Notice concerning your request for disclosure of retained personal data"
        ),
        RequestKind.CORRECTION: (
            "Notice concerning your request for correction, addition or deletion"
        ),
        RequestKind.STOP_USE: "Notice concerning your request to stop the use of your data",
        RequestKind.ERASURE: "Notice concerning your request to erase your data",
        RequestKind.STOP_PROVISION: (
            "Notice concerning your request to stop provision of your data to third parties"
        ),
        RequestKind.COMPLAINT: "Notice concerning your complaint",
        RequestKind.INQUIRY: "Notice concerning your inquiry",
    },
}

#: what was asked for, as the particulars name it
REQUEST_NAMES: Final[dict[Lang, dict[RequestKind, str]]] = {
    "ja": {
        RequestKind.PURPOSE_NOTIFICATION: "保有個人データの利用目的の通知",
        RequestKind.DISCLOSURE: "保有個人データの開示（第三者提供記録の開示を含む）",
        RequestKind.CORRECTION: "保有個人データの内容の訂正、追加又は削除",
        RequestKind.STOP_USE: "保有個人データの利用の停止",
        RequestKind.ERASURE: "保有個人データの消去",
        RequestKind.STOP_PROVISION: "保有個人データの第三者への提供の停止",
        RequestKind.COMPLAINT: "個人情報の取扱いに関する苦情",
        RequestKind.INQUIRY: "個人情報の取扱いに関するお問い合わせ",
    },
    "en": {
        RequestKind.PURPOSE_NOTIFICATION: "notification of the purposes of use",
        RequestKind.DISCLOSURE: (
            "disclosure of retained personal data (including the records of provision to "
            "third parties)"
        ),
        RequestKind.CORRECTION: "correction, addition or deletion of retained personal data",
        RequestKind.STOP_USE: "cessation of use of retained personal data",
        RequestKind.ERASURE: "erasure of retained personal data",
        RequestKind.STOP_PROVISION: "cessation of provision of retained personal data to third "
        "parties",
        RequestKind.COMPLAINT: "a complaint about the handling of personal information",
        RequestKind.INQUIRY: "an inquiry about the handling of personal information",
    },
}

#: the provision that requires the refusal to be notified, per request kind (APPI)
NOTICE_ARTICLES: Final[dict[RequestKind, tuple[str, str]]] = {
    RequestKind.PURPOSE_NOTIFICATION: ("第32条第3項", "Article 32(3)"),
    RequestKind.DISCLOSURE: ("第33条第3項", "Article 33(3)"),
    RequestKind.CORRECTION: ("第34条第3項", "Article 34(3)"),
    RequestKind.STOP_USE: ("第35条第7項", "Article 35(7)"),
    RequestKind.ERASURE: ("第35条第7項", "Article 35(7)"),
    RequestKind.STOP_PROVISION: ("第35条第7項", "Article 35(7)"),
}


@dataclass(frozen=True)
class RefusalNoticeData:
    """What a refusal notice says about one request.

    `ground_text` is the policy's wording of `ground` in `lang` (:func:`refusal_ground_text`);
    `explanation` is what staff wrote for the requester (Art. 36). `partial` marks a refusal of
    part of the request; `request_number` is the short number staff and requester quote.
    `stop_ground` (and `incident_reference`) are the ground a stop request rests on.
    """

    lang: Lang
    kind: RequestKind
    requester_name: str
    submitted_on: date
    issued_on: date
    ground: RefusalGround
    ground_text: str
    explanation: str
    partial: bool = False
    request_number: str | None = None
    #: a stop request's ground of Art. 35 and the incident it names: the letter names them
    #: with the request (R-RT-6, R-BR-8)
    stop_ground: StopGround | None = None
    incident_reference: str | None = None


def _inquiries_for(policy: Policy, category: str | None) -> Inquiries:
    """The inquiries section that governs `category`: the specific-personal one for My Number
    categories when the policy has it, else the general one."""
    found = policy.category(category) if category is not None else None
    if (
        found is not None
        and found.scope is CategoryScope.SPECIFIC_PERSONAL
        and policy.specific_personal is not None
    ):
        return policy.specific_personal.inquiries
    return policy.general.inquiries


def refusal_ground_text(
    policy: Policy, ground: RefusalGround, lang: Lang, *, category: str | None = None
) -> str:
    """The policy's wording of `ground` in `lang` (for `category`'s inquiries section);
    InputError (field ``refusal_ground``) when the policy does not list that ground."""
    for clause in _inquiries_for(policy, category).refusal_grounds:
        if clause.ground is ground:
            return clause.text.get(lang)
    raise InputError("the policy lists no such refusal ground", field="refusal_ground")


@dataclass(frozen=True)
class _Block:
    """A titled group of lines in the letter (the contact, the certified organization)."""

    title: str
    lines: list[str]


def _contact_block(contact: Contact | None, title: str, lang: Lang) -> _Block | None:
    if contact is None:
        return None
    address = contact.address
    lines = [
        contact.department.get(lang),
        format_address(address.text.get(lang), address.postal_code, None, lang),
    ]
    for channel in contact.channels:
        # a web form's label ("click here") means nothing on paper without its address
        if channel.url:
            lines.append(f"{channel.label.get(lang)}: {channel.url}")
        elif channel.kind is not ContactChannelKind.WEB_FORM:
            lines.append(channel.label.get(lang))
    return _Block(title=title, lines=lines)


def _certified_block(policy: Policy, lang: Lang) -> _Block | None:
    org = policy.certified_organization
    if org is None:
        return None
    country = org.address.country.get(lang) if org.address.country else None
    phones = " / ".join(org.phones)
    return _Block(
        title=org.contact_heading.get(lang),
        lines=[
            org.name.get(lang),
            org.office.get(lang),
            format_address(org.address.text.get(lang), org.address.postal_code, country, lang),
            ("電話：" if lang == "ja" else "Telephone: ") + phones,
        ],
    )


def _article(kind: RequestKind, lang: Lang) -> str | None:
    pair = NOTICE_ARTICLES.get(kind)
    if pair is None:
        return None
    return pair[0] if lang == "ja" else pair[1]


def render_refusal_notice_html(data: RefusalNoticeData, *, policy: Policy) -> str:
    """The notice as one self-contained HTML page (inline CSS, nothing fetched)."""
    lang = data.lang
    org = policy.organization
    inquiries = policy.general.inquiries
    contact = _contact_block(
        policy.contact(inquiries.contact), inquiries.contact_title.get(lang), lang
    )
    return render(
        f"refusal_notice.{lang}.html.j2",
        lang=lang,
        subject=SUBJECTS[lang][data.kind],
        request_name=REQUEST_NAMES[lang][data.kind],
        article=_article(data.kind, lang),
        issued_on=format_date(data.issued_on, lang),
        submitted_on=format_date(data.submitted_on, lang),
        requester_name=data.requester_name,
        request_number=data.request_number,
        stop_ground_line=(
            None
            if data.stop_ground is None
            else ground_line(data.stop_ground, data.incident_reference, lang)
        ),
        partial=data.partial,
        ground_text=data.ground_text,
        explanation_paragraphs=[p for p in data.explanation.splitlines() if p.strip()],
        organization_name=org.name.get(lang),
        organization_address=format_address(
            org.address.text.get(lang), org.address.postal_code, None, lang
        ),
        contact=contact,
        certified=_certified_block(policy, lang),
    )


def render_refusal_notice(
    data: RefusalNoticeData, *, policy: Policy, fmt: Literal["html", "pdf"]
) -> bytes:
    """The notice as UTF-8 HTML or as a PDF (Japanese fonts embedded)."""
    html = render_refusal_notice_html(data, policy=policy)
    if fmt == "html":
        return html.encode("utf-8")
    return html_to_pdf(html)


__all__ = [
    "NOTICE_ARTICLES",
    "REQUEST_NAMES",
    "SUBJECTS",
    "RefusalNoticeData",
    "html_to_pdf",
    "refusal_ground_text",
    "render_refusal_notice",
    "render_refusal_notice_html",
]
