"""The notice to each affected person (APPI Art. 26(2); Rule 10; MNA Art. 29-4(2); R-BR-6,
R-BR-7) and its delivery.

A notice gives items 1, 2, 4, 5 and 9 of the report (:data:`kojin.law.breach_report.
NOTICE_ITEMS`) in the person's language, the inquiry desk, and, when the incident opens the
Art. 35(5) ground (R-BR-8), the link to the request portal where the person can ask for erasure
or cessation of provision. People with an e-mail address are mailed; those with only a postal
address are counted for a letter; those with neither are unreachable, and the alternative
measures (publication, an inquiry desk) are advised for them.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError
from kojin.incidents.labels import KIND, inquiry_desk, item_label, listed, or_unknown, portal_link
from kojin.incidents.models import IncidentPerson
from kojin.incidents.people import person_view
from kojin.incidents.records import load, record_event
from kojin.incidents.register import build_view
from kojin.incidents.schemas import IncidentStatus, IncidentView, NoticeReport, PersonView
from kojin.law.breach_report import ITEM_NUMBER, NOTICE_ITEMS, ReportItem
from kojin.mail.message import MailMessage
from kojin.mail.service import deliver
from kojin.policy.model import Policy
from kojin.policy.model_base import Lang
from kojin.requests.print_templates import format_date
from kojin.settings import Settings

#: the mail's purpose in the outbox
NOTICE_PURPOSE: Final = "incident.notice"

_SUBJECT: Final[dict[Lang, str]] = {
    "ja": "【{org}】個人データの漏えい等に関するお知らせ（{reference}）",
    "en": "[{org}] Notice of an incident involving your personal data ({reference})",
}


def _overview(view: IncidentView, lang: Lang) -> list[str]:
    fields = view.fields
    kind = KIND[fields.kind][lang] if fields.kind else UNKNOWN_KIND[lang]
    occurred = (
        format_date(fields.occurred_on, lang) if fields.occurred_on else or_unknown(None, lang)
    )
    known = format_date(view.known_on, lang) if view.known_on else or_unknown(None, lang)
    if lang == "ja":
        return [
            f"事態: 個人データの{kind}",
            f"発生日: {occurred}",
            f"発覚日: {known}",
            or_unknown(fields.summary, lang),
        ]
    return [
        f"What happened: {kind} of personal data",
        f"When it happened: {occurred}",
        f"When we learned of it: {known}",
        or_unknown(fields.summary, lang),
    ]


UNKNOWN_KIND: Final[dict[Lang, str]] = {"ja": "漏えい等", "en": "leakage, loss or damage"}


def _item_lines(view: IncidentView, item: ReportItem, lang: Lang) -> list[str]:
    fields = view.fields
    if item is ReportItem.OVERVIEW:
        return _overview(view, lang)
    if item is ReportItem.DATA_ITEMS:
        return [listed(fields.data_items, lang)]
    if item is ReportItem.CAUSE:
        return [or_unknown(fields.cause, lang)]
    if item is ReportItem.SECONDARY_DAMAGE:
        return [or_unknown(fields.secondary_damage, lang)]
    return [or_unknown(fields.other, lang)]


def _org_name(policy: Policy, lang: Lang) -> str:
    return policy.organization.name.get(lang)


def notice_text(
    *, view: IncidentView, person: PersonView, policy: Policy, settings: Settings
) -> tuple[str, str]:
    """The notice to `person` in their language: (subject, plain-text body)."""
    lang = person.lang
    org = _org_name(policy, lang)
    subject = _SUBJECT[lang].format(org=org, reference=view.reference)
    lines: list[str] = []
    if lang == "ja":
        law = "個人情報の保護に関する法律第26条第2項"
        if view.assessment.reportable_mn:
            law += (
                "及び行政手続における特定の個人を識別するための番号の利用等に関する法律"
                "第29条の4第2項"
            )
        lines += [
            f"{person.name} 様",
            "",
            f"{org}でございます。",
            "このたび、当社が取り扱う個人データについて、下記の事態が発生いたしました。"
            "ご迷惑とご心配をおかけしますことを、深くお詫び申し上げます。",
            f"{law}に基づき、下記のとおりお知らせいたします。",
            "",
            "記",
        ]
    else:
        law = "Article 26(2) of the Act on the Protection of Personal Information"
        if view.assessment.reportable_mn:
            law += " and Article 29-4(2) of the My Number Act"
        lines += [
            f"Dear {person.name},",
            "",
            f"This is {org}. An incident has affected personal data about you that we handle. "
            "We sincerely apologise for the concern and inconvenience this causes.",
            f"Under {law}, we inform you as follows.",
        ]
    for item in NOTICE_ITEMS:
        lines.append("")
        lines.append(f"{ITEM_NUMBER[item]}. {item_label(item, lang)}")
        for text in _item_lines(view, item, lang):
            lines.extend(f"  {line}" for line in text.splitlines() if line.strip())
    if view.assessment.opens_article_35_5:
        link = portal_link(settings, view.reference)
        lines.append("")
        if lang == "ja":
            lines += [
                "ご本人の請求について",
                "  個人情報の保護に関する法律第35条第5項に基づき、"
                "当社が保有するあなたの個人データの利用停止・消去又は第三者提供の停止をご請求いただけます。次のページからお申し込みください。",
                f"  {link}",
            ]
        else:
            lines += [
                "Your right to ask us to stop",
                "  Under Article 35(5) of the Act, you may ask us to stop using or to erase your "
                "personal data, or to stop providing it to third parties. You can ask here:",
                f"  {link}",
            ]
    lines.append("")
    lines.append("お問い合わせ窓口" if lang == "ja" else "Inquiries")
    lines.extend(f"  {line}" for line in inquiry_desk(policy, settings, lang))
    lines.append("")
    if lang == "ja":
        lines += [f"参照番号: {view.reference}", "", "以上", "", org]
    else:
        lines += [f"Reference: {view.reference}", "", org]
    return subject, "\n".join(lines) + "\n"


def send_notices(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    policy: Policy,
    actor: str,
    incident_id: str,
    today: date,
) -> NoticeReport:
    """Tell every affected person not told yet: e-mail (purpose ``incident.notice``) to those
    with an address; those with only a postal address are marked for a letter (``by_post``);
    those with neither are unreachable (publication advised, R-BR-7). ``incident.notices_sent``
    with the counts. ConflictError on a closed incident."""
    row = load(session, incident_id, for_update=True)
    if row.status != IncidentStatus.OPEN.value:
        raise ConflictError("the incident is closed: reopen it first")
    view = build_view(session=session, cipher=cipher, row=row, today=today)
    sent = by_post = unreachable = already = 0
    now = utcnow()
    people = session.execute(
        select(IncidentPerson)
        .where(IncidentPerson.incident_id == row.id)
        .order_by(IncidentPerson.seq)
    ).scalars()
    for stored in people:
        if stored.notified_at is not None:
            already += 1
            continue
        person = person_view(cipher, stored)
        if person.email:
            subject, body = notice_text(view=view, person=person, policy=policy, settings=settings)
            deliver(
                session=session,
                cipher=cipher,
                settings=settings,
                message=MailMessage(to=person.email, subject=subject, text=body),
                purpose=NOTICE_PURPOSE,
                now=now,
            )
            stored.method, stored.notified_at, stored.unreachable = "email", now, False
            sent += 1
        elif person.postal_address:
            stored.method, stored.notified_at, stored.unreachable = "post", now, False
            by_post += 1
        else:
            stored.unreachable = True
            unreachable += 1
    report = NoticeReport(sent=sent, by_post=by_post, unreachable=unreachable, already=already)
    record_event(
        session=session,
        row=row,
        actor=actor,
        action="incident.notices_sent",
        now=now,
        details={**report.model_dump(), "publication_advised": unreachable > 0},
    )
    return report
