"""The message catalogues are complete in both languages, and languages and dates are chosen
and written as people expect."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kojin.web.i18n import (
    LANGS,
    MESSAGES_DIR,
    Catalog,
    catalog,
    format_date,
    format_datetime,
    format_short_date,
    negotiate,
    placeholders,
    preferred_by_browser,
    tokyo_today,
)
from kojin.web.templating import TEMPLATES_DIR


def test_every_key_exists_in_both_languages() -> None:
    messages = catalog().messages
    en, ja = set(messages["en"]), set(messages["ja"])
    assert en, "the catalogue is empty"
    assert sorted(en - ja) == [], "keys missing in Japanese"
    assert sorted(ja - en) == [], "keys missing in English"


def test_every_area_has_both_languages() -> None:
    areas: dict[str, set[str]] = {}
    for path in MESSAGES_DIR.glob("*.yaml"):
        area, _, lang = path.stem.partition(".")
        areas.setdefault(area, set()).add(lang)
    assert {"common", "admin"} <= set(areas)
    assert all(langs == set(LANGS) for langs in areas.values()), areas


def test_no_placeholder_differs_between_languages() -> None:
    messages = catalog().messages
    differing = [
        key
        for key in messages["en"]
        if placeholders(messages["en"][key]) != placeholders(messages["ja"][key])
    ]
    assert differing == []


def test_no_message_is_left_empty() -> None:
    empty = [
        (lang, key)
        for lang in LANGS
        for key, text in catalog().messages[lang].items()
        if not text.strip()
    ]
    assert empty == []


_LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_.0-9]+)["']""")


def _template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES_DIR.rglob("*.html") if "portal" not in p.parts)


def test_every_literal_key_in_the_templates_exists() -> None:
    found = {
        (path.relative_to(TEMPLATES_DIR).as_posix(), key)
        for path in _template_files()
        for key in _LITERAL_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert found, "no t('...') call found: the pattern is wrong"
    keys = catalog().messages["en"]

    def exists(key: str) -> bool:
        if key.endswith((".", "_")):  # t("common.kind." ~ kind): a family of keys
            return any(k.startswith(key) for k in keys)
        return key in keys

    missing = sorted((name, key) for name, key in found if not exists(key))
    assert missing == []


def test_a_catalogue_with_a_key_in_one_language_only_is_seen(tmp_path: Path) -> None:
    """The completeness test above compares what the loader returns: a key written in one file
    only does reach it."""
    (tmp_path / "common.en.yaml").write_text("a:\n  b: Hello {name}\nc: x\n", encoding="utf-8")
    (tmp_path / "common.ja.yaml").write_text("a:\n  b: こんにちは {who}\n", encoding="utf-8")
    loaded = Catalog.load(tmp_path)
    assert set(loaded.messages["en"]) - set(loaded.messages["ja"]) == {"common.c"}
    assert placeholders(loaded.messages["en"]["common.a.b"]) == {"name"}
    assert placeholders(loaded.messages["ja"]["common.a.b"]) == {"who"}
    assert loaded.text("en", "common.a.b", name="<b>") == "Hello <b>"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("ja", "ja"),
        ("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", "ja"),
        ("en-GB,en;q=0.9,ja;q=0.8", "en"),
        ("fr-FR,fr;q=0.9", "en"),
        ("fr-FR,ja;q=0.5", "ja"),
        ("en;q=0.5,ja;q=0.5", "en"),
        ("en;q=0.4,ja;q=0.6", "ja"),
        ("ja;q=0", "en"),
        ("ja;q=abc,en;q=0.1", "en"),
        ("*", "en"),
        ("JA-jp", "ja"),
    ],
)
def test_browser_preference(header: str | None, expected: str) -> None:
    assert preferred_by_browser(header) == expected


def test_the_switch_wins_over_the_cookie_which_wins_over_the_browser() -> None:
    assert negotiate(asked="ja", remembered="en", accept_language="en") == "ja"
    assert negotiate(asked=None, remembered="ja", accept_language="en") == "ja"
    assert negotiate(asked="xx", remembered="bogus", accept_language="ja") == "ja"
    assert negotiate(asked=None, remembered=None, accept_language=None) == "en"


def test_dates_in_tokyo_in_each_language() -> None:
    assert format_date(date(2026, 12, 1), "ja") == "2026年12月1日"
    assert format_date(date(2026, 12, 1), "en") == "1 December 2026"
    # 20:30 UTC on 30 November is 05:30 on 1 December in Tokyo
    moment = datetime(2026, 11, 30, 20, 30, tzinfo=UTC)
    assert format_date(moment, "en") == "1 December 2026"
    assert format_datetime(moment, "ja") == "2026年12月1日 05:30"
    assert format_datetime(moment, "en") == "1 December 2026 05:30"
    assert tokyo_today(moment) == date(2026, 12, 1)
    # table columns use the short form, from the same Tokyo day
    assert format_short_date(moment, "en") == "1 Dec 2026"
    assert format_short_date(moment, "ja") == "2026/12/1"
    # a naive moment is taken as UTC (the registry stores UTC)
    assert format_datetime(datetime(2026, 11, 30, 20, 30), "en") == "1 December 2026 05:30"
