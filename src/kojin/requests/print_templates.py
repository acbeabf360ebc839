"""The Jinja2 environment of the documents kojin hands to people, and their date formats.

Templates live in ``kojin/requests/templates``; HTML is autoescaped (every value a person typed
is text, never markup) and undefined names are errors. The print CSS (``print.css``) is inlined
by the templates, so each document is one self-contained file.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from kojin.policy.model_base import Lang

if TYPE_CHECKING:
    from jinja2 import Environment

#: dates and times are shown in Japan's time zone (DESIGN.md: UTC stored, Asia/Tokyo shown)
TOKYO: Final = ZoneInfo("Asia/Tokyo")

_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(day: date, lang: Lang) -> str:
    """``2026年12月1日`` or ``1 December 2026``."""
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_datetime(moment: datetime, lang: Lang) -> str:
    """`moment` in Tokyo time: ``2026年12月1日 9:05`` or ``1 December 2026, 09:05 JST``."""
    local = moment.astimezone(TOKYO)
    if lang == "ja":
        return f"{format_date(local.date(), lang)} {local.hour}:{local.minute:02d}"
    return f"{format_date(local.date(), lang)}, {local:%H:%M} JST"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The environment for ``*.html.j2`` documents (autoescaped, strict)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("kojin.requests", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=True, default=True
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


def render(template: str, **values: object) -> str:
    """Render `template` (a name under ``templates/``) with `values`."""
    return environment().get_template(template).render(**values)
