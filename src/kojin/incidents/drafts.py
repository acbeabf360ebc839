"""Drafts produced from the register: the report to the Personal Information Protection
Commission (Rule 8; R-BR-4, R-BR-5) as HTML and PDF, and the publication that stands in for
notices that cannot reach people (R-BR-7).

The report is in Japanese, the nine items in the order and with the labels of
:data:`kojin.law.breach_report.REPORT_ITEMS`, each filled from the register and "（調査中）"
where a fact is not known yet, ready to paste into the Commission's web form. The documents
are self-contained HTML (inline CSS, the print style of :mod:`kojin.requests` documents); the
PDF is printed by :func:`kojin.requests.pdf.html_to_pdf`, which fetches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from sqlalchemy.orm import Session

from kojin.db.base import utcnow
from kojin.errors import InputError
from kojin.incidents.labels import (
    APPI_CATEGORIES,
    CERTAINTY,
    KIND,
    MN_CATEGORIES,
    ROLE,
    UNKNOWN,
    inquiry_desk,
    item_label,
    listed,
    or_unknown,
    portal_link,
)
from kojin.incidents.records import load, record_event
from kojin.incidents.schemas import IncidentView, ReportStage
from kojin.law.breach_report import ITEM_NUMBER, REPORT_ITEMS, ReportItem
from kojin.law.breach_vocabulary import BreachRole, Certainty
from kojin.policy.model import Policy
from kojin.policy.model_base import Lang
from kojin.policy.notice_contacts import format_address
from kojin.requests.pdf import html_to_pdf
from kojin.requests.print_templates import TOKYO, format_date
from kojin.settings import Settings

if TYPE_CHECKING:
    from jinja2 import Environment

#: what a recorded draft may be called: ``ppc_report.preliminary.pdf``, ``notice``, ...
_WHAT: Final = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
_JA: Final[Lang] = "ja"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The incident templates, with the request documents' layout and print style."""
    from jinja2 import (
        ChoiceLoader,
        Environment,
        PackageLoader,
        StrictUndefined,
        select_autoescape,
    )

    return Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("kojin.incidents", "templates"),
                PackageLoader("kojin.requests", "templates"),
            ]
        ),
        autoescape=select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=True, default=True
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


@dataclass(frozen=True)
class _Row:
    label: str | None
    paragraphs: list[str]


@dataclass(frozen=True)
class _Item:
    number: int
    label: str
    rows: list[_Row] = field(default_factory=list)


@dataclass(frozen=True)
class _Tick:
    on: bool
    text: str
    citation: str


def _text(label: str | None, value: str | None) -> _Row:
    """A free-text row: its paragraphs, or "（調査中）"."""
    if not value or not value.strip():
        return _Row(label, [UNKNOWN[_JA]])
    return _Row(label, [line for line in value.splitlines() if line.strip()])


def _day(value: date | None) -> str:
    return format_date(value, _JA) if value else UNKNOWN[_JA]


def _overview(view: IncidentView) -> list[_Row]:
    f = view.fields
    a = view.assessment
    kind = KIND[f.kind][_JA] if f.kind else UNKNOWN[_JA]
    certainty = CERTAINTY[f.certainty][_JA] if f.certainty else ""
    categories = [text for category, text, _ in APPI_CATEGORIES if category in a.appi_categories]
    categories += [text for category, text, _ in MN_CATEGORIES if category in a.mn_categories]
    knowledge = [f"{k.department}：{format_date(k.known_on, _JA)}" for k in f.knowledge or []]
    role = f.role or BreachRole.OPERATOR
    involvement = [ROLE[role]]
    if f.counterpart:
        label = "委託元" if role is BreachRole.ENTRUSTEE else "委託先"
        involvement.append(f"{label}：{f.counterpart}")
    if f.entrustees:
        involvement.append(f"関係する委託先：{listed(f.entrustees, _JA)}")
    if f.entruster_notified_on:
        involvement.append(f"委託元への通知日：{format_date(f.entruster_notified_on, _JA)}")
    if f.entrustee_notice_received_on:
        involvement.append(
            f"委託先からの通知の受領日：{format_date(f.entrustee_notice_received_on, _JA)}"
        )
    timeline = [f"{_day(f.occurred_on)}　事態の発生"] if f.occurred_on else []
    timeline += [
        f"{format_date(k.known_on, _JA)}　{k.department}が認知"
        for k in sorted(f.knowledge or [], key=lambda k: k.known_on)
    ]
    for day, what in (
        (f.entruster_notified_on, "委託元へ通知"),
        (view.preliminary_reported_on, "個人情報保護委員会へ速報"),
        (view.people_notified_on, "本人への通知"),
        (view.published_on, "公表"),
    ):
        if day is not None:
            timeline.append(f"{format_date(day, _JA)}　{what}")
    return [
        _Row("事態の種別", [f"{kind}（{certainty}）" if certainty else kind]),
        _Row("発生日", [_day(f.occurred_on)]),
        _Row("発覚日", [_day(view.known_on)]),
        _Row("各部門が認知した日", knowledge or [UNKNOWN[_JA]]),
        _Row("発見者", [or_unknown(f.discoverer, _JA)]),
        _text("事案の概要", f.summary),
        _Row("報告対象事態の区分", categories or ["該当なし（現時点の事実による）"]),
        _Row("委託元・委託先の関与", involvement),
        _Row("経緯", timeline or [UNKNOWN[_JA]]),
    ]


def _persons(view: IncidentView) -> list[_Row]:
    f = view.fields
    persons = f.persons or 0
    if f.persons_upper is not None and f.persons_upper > persons:
        text = f"{persons:,}人（最大{f.persons_upper:,}人のおそれ）"
    elif persons == 0 and f.persons_upper is None:
        text = UNKNOWN[_JA]
    else:
        text = f"{persons:,}人"
    return [_Row(None, [text])]


def _response(view: IncidentView) -> list[_Row]:
    rows = [_text(None, view.fields.response_to_persons)]
    if view.people_total:
        rows.append(
            _Row(
                "本人への通知",
                [
                    f"対象者{view.people_total:,}人のうち{view.people_notified:,}人に通知済み"
                    + (
                        f"、連絡先不明{view.people_unreachable:,}人（代替措置を講じる）"
                        if view.people_unreachable
                        else ""
                    )
                ],
            )
        )
    if view.people_notified_on:
        rows.append(_Row("通知日", [format_date(view.people_notified_on, _JA)]))
    return rows


def _publication(view: IncidentView) -> list[_Row]:
    rows = [_text(None, view.fields.publication)]
    if view.published_on:
        rows.append(_Row("公表日", [format_date(view.published_on, _JA)]))
    return rows


def _other(view: IncidentView) -> list[_Row]:
    f = view.fields
    rows = [_text(None, f.other)]
    if f.people_in_charge:
        rows.append(_Row("担当者", [listed(f.people_in_charge, _JA)]))
    if f.encrypted:
        rows.append(_text("高度な暗号化等の措置の内容", f.encryption_justification))
    return rows


def _items(view: IncidentView) -> list[_Item]:
    f = view.fields
    rows: dict[ReportItem, list[_Row]] = {
        ReportItem.OVERVIEW: _overview(view),
        ReportItem.DATA_ITEMS: [
            _Row("項目", [listed(f.data_items, _JA)]),
            _Row("媒体", [or_unknown(f.data_medium, _JA)]),
            _Row("本人の種別", [or_unknown(f.subjects_kind, _JA)]),
            _Row("関係するシステム", [listed(f.systems, _JA)]),
        ],
        ReportItem.PERSONS: _persons(view),
        ReportItem.CAUSE: [_text("原因", f.cause), _text("原因となった者", f.caused_by)],
        ReportItem.SECONDARY_DAMAGE: [_text(None, f.secondary_damage)],
        ReportItem.RESPONSE_TO_PERSONS: _response(view),
        ReportItem.PUBLICATION: _publication(view),
        ReportItem.RECURRENCE_PREVENTION: [
            _text("講じた措置", f.actions_taken),
            _text("再発防止策", f.recurrence_prevention),
        ],
        ReportItem.OTHER: _other(view),
    }
    return [
        _Item(number=ITEM_NUMBER[item], label=ja, rows=rows[item]) for item, _en, ja in REPORT_ITEMS
    ]


def _assessment_notes(view: IncidentView) -> list[str]:
    a = view.assessment
    notes: list[str] = []
    if a.exempt_by_encryption:
        notes.append(
            "高度な暗号化その他の必要な措置が講じられているため、報告を要しない事態と判断した（任意の報告）。"
        )
    if a.entrustee_release:
        notes.append(
            "当社は委託先として委託元に速やかに通知しており、報告義務を免れる（法第26条第1項ただし書）。"
        )
    if a.final_due is not None and a.final_days is not None:
        notes.append(
            f"確報の期限：{format_date(a.final_due, _JA)}（認知した日から{a.final_days}日以内）"
        )
    return notes


def ppc_report_html(*, view: IncidentView, policy: Policy, stage: ReportStage, today: date) -> str:
    """The report to the Commission (Japanese; the nine items in order) as one self-contained
    HTML page."""
    org = policy.organization
    preliminary = stage is ReportStage.PRELIMINARY
    title = "個人データの漏えい等事案に関する報告（{}）".format("速報" if preliminary else "確報")
    representative = org.representative
    return (
        environment()
        .get_template("ppc_report.html.j2")
        .render(
            lang="ja",
            title=title,
            issued_on=format_date(today, _JA),
            organization_name=org.name.get(_JA),
            organization_address=format_address(
                org.address.text.get(_JA), org.address.postal_code, None, _JA
            ),
            representative=f"{representative.title.get(_JA)}　{representative.name.get(_JA)}",
            reference=view.reference,
            preliminary=preliminary,
            stage_basis="個人情報保護委員会規則第8条第1項"
            if preliminary
            else "個人情報保護委員会規則第8条第2項",
            appi_ticks=[
                _Tick(category in view.assessment.appi_categories, text, citation)
                for category, text, citation in APPI_CATEGORIES
            ],
            mn_ticks=[
                _Tick(category in view.assessment.mn_categories, text, citation)
                for category, text, citation in MN_CATEGORIES
            ]
            if view.fields.my_number
            else [],
            assessment_notes=_assessment_notes(view),
            items=_items(view),
        )
    )


def ppc_report_pdf(*, view: IncidentView, policy: Policy, stage: ReportStage, today: date) -> bytes:
    """The report as a PDF (Japanese fonts embedded; nothing fetched)."""
    return html_to_pdf(ppc_report_html(view=view, policy=policy, stage=stage, today=today))


_PUBLICATION: Final[dict[Lang, dict[str, str]]] = {
    "ja": {
        "title": "個人情報の漏えい等に関するお知らせ",
        "intro": "このたび、当社が取り扱う個人データについて、{kind}{certainty}。"
        "関係する皆様に多大なるご迷惑とご心配をおかけしますことを、深くお詫び申し上げます。",
        "intro2": "ご連絡先が分からない等の理由により個別にお知らせできない方が"
        "いらっしゃるため、本ページにて公表いたします。",
        "persons": "対象となる方の人数",
        "persons_value": "{n}人",
        "actions": "当社の対応",
        "portal_heading": "利用停止・消去等のご請求",
        "portal_text": "対象となる方は、個人情報の保護に関する法律第35条第5項に基づき、"
        "当社が保有するご自身の個人データの利用停止・消去又は第三者提供の停止をご請求いただけます。",
        "desk_heading": "お問い合わせ窓口",
        "desk_text": "ご自身が対象となっているかのご確認を含め、本件に関するお問い合わせは"
        "下記の窓口までお願いいたします。",
        "reference": "参照番号",
    },
    "en": {
        "title": "Notice of an incident involving personal data",
        "intro": "An incident ({kind}, {certainty}) has affected personal data we handle, as "
        "described below. We sincerely apologise to everyone concerned.",
        "intro2": "Because we cannot reach some of the people affected individually, we publish "
        "this notice.",
        "persons": "Number of people affected",
        "persons_value": "{n}",
        "actions": "What we have done",
        "portal_heading": "Asking us to stop using or erase your data",
        "portal_text": "If you are affected, you may ask us to stop using or to erase your "
        "personal data, or to stop providing it to third parties (Article 35(5) of the Act on the "
        "Protection of Personal Information).",
        "desk_heading": "Inquiries",
        "desk_text": "To ask whether you are affected, or anything else about this incident, "
        "please contact:",
        "reference": "Reference",
    },
}


def publication_html(*, view: IncidentView, policy: Policy, settings: Settings, lang: Lang) -> str:
    """The publication (alternative measures, R-BR-7) in `lang`: what happened, the data, the
    cause, what was done, the inquiry desk where people can ask whether they are affected, and
    the request portal when the Art. 35(5) ground opens."""
    words = _PUBLICATION[lang]
    f = view.fields
    kind = KIND[f.kind][lang] if f.kind else UNKNOWN[lang]
    certainty = _HAPPENED[f.certainty or Certainty.SUSPECTED][lang]
    persons = max(f.persons or 0, f.persons_upper or 0)
    sections = [
        {
            "label": item_label(ReportItem.OVERVIEW, lang),
            "paragraphs": _paragraphs(f.summary, lang),
        },
        {
            "label": item_label(ReportItem.DATA_ITEMS, lang),
            "paragraphs": [listed(f.data_items, lang)],
        },
        {
            "label": words["persons"],
            "paragraphs": [
                words["persons_value"].format(n=f"{persons:,}") if persons else UNKNOWN[lang]
            ],
        },
        {"label": item_label(ReportItem.CAUSE, lang), "paragraphs": _paragraphs(f.cause, lang)},
        {
            "label": item_label(ReportItem.SECONDARY_DAMAGE, lang),
            "paragraphs": _paragraphs(f.secondary_damage, lang),
        },
        {"label": words["actions"], "paragraphs": _paragraphs(f.actions_taken, lang)},
        {
            "label": item_label(ReportItem.RECURRENCE_PREVENTION, lang),
            "paragraphs": _paragraphs(f.recurrence_prevention, lang),
        },
    ]
    link = portal_link(settings, view.reference) if view.assessment.opens_article_35_5 else None
    return (
        environment()
        .get_template("publication.html.j2")
        .render(
            lang=lang,
            title=words["title"],
            issued_on=format_date(view.published_on or datetime.now(TOKYO).date(), lang),
            organization_name=policy.organization.name.get(lang),
            intro=[words["intro"].format(kind=kind, certainty=certainty), words["intro2"]],
            sections=sections,
            portal_link=link,
            portal_heading=words["portal_heading"],
            portal_text=words["portal_text"],
            desk_heading=words["desk_heading"],
            desk_text=words["desk_text"],
            desk=inquiry_desk(policy, settings, lang),
            reference_label=words["reference"],
            reference=view.reference,
        )
    )


#: how the publication says whether it happened
_HAPPENED: Final[dict[Certainty, dict[Lang, str]]] = {
    Certainty.CONFIRMED: {"ja": "が発生しました", "en": "confirmed"},
    Certainty.SUSPECTED: {"ja": "が発生したおそれがあることが判明しました", "en": "suspected"},
}


def _paragraphs(value: str | None, lang: Lang) -> list[str]:
    if not value or not value.strip():
        return [UNKNOWN[lang]]
    return [line for line in value.splitlines() if line.strip()]


def record_draft(*, session: Session, actor: str, incident_id: str, what: str) -> None:
    """Chain that a draft was produced (``incident.drafted``): which one (e.g.
    ``ppc_report.preliminary.pdf``, ``publication.ja``), never its content."""
    if not _WHAT.fullmatch(what):
        raise InputError(
            "what must be 1 to 64 lower-case letters, digits, dots, dashes or underscores",
            field="what",
        )
    row = load(session, incident_id)
    record_event(
        session=session,
        row=row,
        actor=actor,
        action="incident.drafted",
        fields=(what,),
        now=utcnow(),
        details={"what": what},
    )
