"""The pages' two languages: message catalogues, choosing the language, and dates.

Catalogues are YAML files in ``messages/`` named ``<area>.<lang>.yaml`` (``common``, ``admin``,
``portal``), nested mappings whose leaves are strings. They are loaded once and flattened to
keys such as ``common.error.404.title``. A message may hold ``{name}`` placeholders, filled by
:meth:`Catalog.text`; the values are escaped by the templates like any other text.

The language of a request is, in order: a valid ``?lang=`` (which the pages remember in the
``kojin_lang`` cookie), the cookie, the browser's ``Accept-Language`` (Japanese when it prefers
``ja`` to ``en``), else English. Dates are shown in Asia/Tokyo: ``2026年12月1日`` in Japanese,
``1 December 2026`` in English.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import yaml

from kojin.errors import ConfigurationError
from kojin.policy.model_base import Lang

LANGS: Final[tuple[Lang, ...]] = ("en", "ja")
DEFAULT_LANG: Final[Lang] = "en"
LANG_COOKIE = "kojin_lang"
LANG_PARAM = "lang"
MESSAGES_DIR = Path(__file__).parent / "messages"
TOKYO = ZoneInfo("Asia/Tokyo")

#: each language's own name, shown by the language switch in that language
LANGUAGE_NAMES: Final[dict[Lang, str]] = {"en": "English", "ja": "日本語"}

_MONTHS_EN = (
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


def as_lang(value: str | None) -> Lang | None:
    """`value` when it names one of the pages' languages, else None."""
    if value == "en":
        return "en"
    if value == "ja":
        return "ja"
    return None


def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` placeholders of a message."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _flatten(prefix: str, node: object, source: Path) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _flatten(f"{prefix}.{key}", value, source)
    elif isinstance(node, str):
        yield prefix, node
    else:
        raise ConfigurationError(f"{source.name}: {prefix} is not a text or a mapping")


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every message by language and key."""

    messages: Mapping[Lang, Mapping[str, str]]

    def text(self, lang: Lang, key: str, /, **values: Any) -> str:
        """The message `key` in `lang`, placeholders filled; KeyError for an unknown key."""
        message = self.messages[lang][key]
        return message.format_map(values) if values else message

    def has(self, key: str) -> bool:
        return key in self.messages[DEFAULT_LANG]

    @classmethod
    def load(cls, folder: Path = MESSAGES_DIR) -> Catalog:
        messages: dict[Lang, dict[str, str]] = {lang: {} for lang in LANGS}
        for path in sorted(folder.glob("*.yaml")):
            area, _, lang_name = path.stem.partition(".")
            lang = as_lang(lang_name)
            if lang is None:
                raise ConfigurationError(f"{path.name}: the name must be <area>.<en|ja>.yaml")
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for key, value in _flatten(area, data, path):
                if key in messages[lang]:
                    raise ConfigurationError(f"{path.name}: {key} is defined twice")
                messages[lang][key] = value
        return cls(messages=messages)


@functools.cache
def catalog() -> Catalog:
    """The catalogue, loaded on first use and kept for the process."""
    return Catalog.load()


def preferred_by_browser(accept_language: str | None) -> Lang:
    """Japanese when ``Accept-Language`` ranks ``ja`` above ``en`` (q-values), else English."""
    best: dict[Lang, float] = {"en": 0.0, "ja": 0.0}
    for part in (accept_language or "").split(","):
        tag, *params = part.strip().split(";")
        primary = as_lang(tag.strip().lower().split("-")[0])
        if primary is None:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if 0.0 <= quality <= 1.0:
            best[primary] = max(best[primary], quality)
    return "ja" if best["ja"] > best["en"] else DEFAULT_LANG


def negotiate(*, asked: str | None, remembered: str | None, accept_language: str | None) -> Lang:
    """The language of a page: `asked` (``?lang=``), else `remembered` (the cookie), else the
    browser's preference."""
    return as_lang(asked) or as_lang(remembered) or preferred_by_browser(accept_language)


def _local(value: date | datetime) -> date:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(TOKYO).date()
    return value


def format_date(value: date | datetime, lang: Lang) -> str:
    """A date (a moment: its day in Asia/Tokyo) as people write it in `lang`."""
    day = _local(value)
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def format_short_date(value: date | datetime, lang: Lang) -> str:
    """A date for a table column: ``2026/12/16`` in Japanese, ``16 Dec 2026`` in English."""
    day = _local(value)
    if lang == "ja":
        return f"{day.year}/{day.month}/{day.day}"
    return f"{day.day} {_MONTHS_EN[day.month - 1][:3]} {day.year}"


def format_datetime(value: datetime, lang: Lang) -> str:
    """A moment in Asia/Tokyo: its date and the hour and minute."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    local = aware.astimezone(TOKYO)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"


def tokyo_today(now: datetime) -> date:
    """The day it is in Tokyo at `now` (the day the clocks of requests count from)."""
    return _local(now)
