"""The management review's report for the top manager (R-PM-8) as HTML and PDF, in Japanese or
English: the review's period and state, the inputs (requests and complaints, incidents, audits,
obligation tasks, recipients, risks, training, changes in law, improvement opportunities) with
the year's figures month by month as SVG bar charts (drawn on the server, printed as they are
in the PDF, each with the same figures as a table), and the top manager's decisions.

The document is self-contained HTML (inline CSS, the print style of :mod:`kojin.requests`
documents); the PDF is printed by :func:`kojin.requests.pdf.html_to_pdf`, which fetches
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from kojin.management.review.chart import MonthChart, month_chart
from kojin.management.review.labels import (
    INCIDENT_KINDS,
    REQUEST_KINDS,
    full_month,
    month_label,
    word,
)
from kojin.management.review.schemas import ReviewInputs, ReviewView
from kojin.policy.model import Policy
from kojin.policy.model_base import Lang
from kojin.requests.pdf import html_to_pdf
from kojin.requests.print_templates import format_date, format_datetime

if TYPE_CHECKING:
    from jinja2 import Environment


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The review's templates, with the request documents' layout and print style."""
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
                PackageLoader("kojin.management.review", "templates"),
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
class FigureTable:
    """A section's figures: (label, value) rows."""

    key: str
    title: str
    rows: list[tuple[str, str]]


def _percent(value: float | None, lang: Lang) -> str:
    return word(lang, "none") if value is None else f"{value * 100:.0f}%"


def _table(lang: Lang, key: str, values: dict[str, object]) -> FigureTable:
    rows = []
    for name, value in values.items():
        shown = (
            _percent(value, lang)
            if isinstance(value, float)
            else f"{value:,}"
            if isinstance(value, int)
            else str(value)
        )
        rows.append((word(lang, f"{key}.{name}"), shown))
    return FigureTable(key=key, title=word(lang, key), rows=rows)


def register_tables(inputs: ReviewInputs, lang: Lang) -> list[FigureTable]:
    """The audit, task, recipient, risk and training figures as tables."""
    return [
        _table(lang, "audits", inputs.audits.model_dump()),
        _table(
            lang, "tasks", {k: v for k, v in inputs.tasks.model_dump().items() if k != "by_code"}
        ),
        _table(lang, "recipients", inputs.recipients.model_dump()),
        _table(lang, "risks", inputs.risks.model_dump()),
        _table(lang, "training", inputs.training.model_dump()),
    ]


def incident_table(inputs: ReviewInputs, lang: Lang) -> FigureTable:
    figures = inputs.incidents.model_dump(exclude={"by_kind", "by_month"})
    return _table(lang, "incidents", figures)


def requests_chart(inputs: ReviewInputs, lang: Lang) -> MonthChart:
    return month_chart(
        [
            (m.month, month_label(m.month, lang), (m.received, m.closed))
            for m in inputs.requests.by_month
        ],
        (word(lang, "series.received"), word(lang, "series.closed")),
    )


def incidents_chart(inputs: ReviewInputs, lang: Lang) -> MonthChart:
    return month_chart(
        [
            (m.month, month_label(m.month, lang), (m.known, m.reportable))
            for m in inputs.incidents.by_month
        ],
        (word(lang, "series.known"), word(lang, "series.reportable")),
    )


def review_html(*, view: ReviewView, policy: Policy, lang: Lang) -> str:
    """The report in `lang` as one self-contained HTML page."""
    inputs = view.inputs
    return (
        environment()
        .get_template("review.html.j2")
        .render(
            lang=lang,
            title=word(lang, "title"),
            w=lambda key: word(lang, key),
            organization_name=policy.organization.name.get(lang),
            view=view,
            inputs=inputs,
            period=f"{format_date(view.since, lang)} – {format_date(view.until, lang)}",
            gathered_at=format_datetime(inputs.gathered_at, lang),
            held_on=format_date(view.held_on, lang) if view.held_on else word(lang, "not_yet"),
            day=lambda d: format_date(d, lang) if d else word(lang, "none"),
            request_kinds=REQUEST_KINDS[lang],
            incident_kinds=INCIDENT_KINDS[lang],
            month_name=lambda month: full_month(month, lang),
            on_time_rate=_percent(inputs.requests.on_time_rate, lang),
            requests_chart=requests_chart(inputs, lang),
            incidents_chart=incidents_chart(inputs, lang),
            incident_table=incident_table(inputs, lang),
            register_tables=register_tables(inputs, lang),
        )
    )


def review_pdf(*, view: ReviewView, policy: Policy, lang: Lang) -> bytes:
    """The report as a PDF (Japanese fonts embedded; nothing fetched)."""
    return html_to_pdf(review_html(view=view, policy=policy, lang=lang))
