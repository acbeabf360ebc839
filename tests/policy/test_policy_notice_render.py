"""The published notice: accessible standalone HTML, faithful Japanese, anonymized datasets."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

import pytest

from kojin.errors import InputError
from kojin.policy import AnonymizedDatasetNotice, Policy, load_policy, render_notice

XHTML = "{http://www.w3.org/1999/xhtml}"
VOID = {"meta", "br", "link", "img", "hr", "input"}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


class _BalanceChecker(HTMLParser):
    """Fails on a closing tag that does not match the open one (html.parser is lenient)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closed element (``<br />``) opens and closes itself."""

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}> at {self.getpos()}")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_html_is_one_well_formed_accessible_page(policy: Policy, lang: str) -> None:
    page = render_notice(policy, lang=lang, fmt="html")  # type: ignore[arg-type]
    assert page.startswith("<!DOCTYPE html>")

    checker = _BalanceChecker()
    checker.feed(page)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []

    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>"))  # well-formed XML too
    assert root.tag == f"{XHTML}html"
    assert root.get("lang") == lang

    title = root.find(f"{XHTML}head/{XHTML}title")
    assert title is not None
    assert title.text == policy.notice.title.get(lang)  # type: ignore[arg-type]
    style = root.find(f"{XHTML}head/{XHTML}style")
    assert style is not None
    assert style.text is not None
    assert re.search(r"@media\s+print\s*\{", style.text)

    h1 = list(root.iter(f"{XHTML}h1"))
    assert len(h1) == 1
    h2_ids = [h.get("id") for h in root.iter(f"{XHTML}h2")]
    assert len(h2_ids) == 5
    assert all(h2_ids)
    assert len(set(h2_ids)) == len(h2_ids)

    navs = list(root.iter(f"{XHTML}nav"))
    assert len(navs) == 1
    assert navs[0].get("aria-labelledby")
    links = [a.get("href") for a in navs[0].iter(f"{XHTML}a")]
    assert links == [f"#{h}" for h in h2_ids]

    main = list(root.iter(f"{XHTML}main"))
    assert len(main) == 1
    # heading levels never skip (h2 -> h4 without an h3 would confuse screen readers)
    levels = [
        int(e.tag[-1]) for e in root.iter() if re.fullmatch(rf"{re.escape(XHTML)}h[1-6]", e.tag)
    ]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_html_turns_policy_links_into_anchors(policy: Policy) -> None:
    page = render_notice(policy, lang="en", fmt="html")
    assert (
        '<a href="https://www.ppc.go.jp/personalinfo/legal/kaiseihogohou/#gaikoku">click here</a>'
        in page
    )
    assert "[click here]" not in page


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
# four or more English words in a row is an English sentence fragment
ENGLISH_RUN = re.compile(r"[A-Za-z][a-z]+(?:[ ,'’-]+[A-Za-z][a-z]+){3,}")


def _visible_text(markdown: str) -> str:
    text = re.sub(r"\]\([^)]*\)", "]", markdown)  # drop link targets
    return re.sub(r"https?://\S+", " ", text)


def test_japanese_notice_has_the_japanese_purposes_and_no_english(policy: Policy) -> None:
    text = render_notice(policy, lang="ja", fmt="markdown")
    for category in policy.categories:
        for purpose in category.purposes:
            assert purpose.text.ja in text
            assert purpose.text.en not in text
    visible = _visible_text(text)
    assert ENGLISH_RUN.findall(visible) == []
    # every non-empty line carries Japanese, except numbers-only lines (phones, dates)
    for line in visible.splitlines():
        stripped = line.strip("#-* ")
        if stripped and re.search(r"[A-Za-z]{2}", stripped):
            assert JAPANESE.search(stripped), line


def test_japanese_html_has_no_english_labels(policy: Policy) -> None:
    page = render_notice(policy, lang="ja", fmt="html")
    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>"))
    body = root.find(f"{XHTML}body")
    assert body is not None
    text = " ".join(body.itertext())
    assert ENGLISH_RUN.findall(re.sub(r"https?://\S+", " ", text)) == []


def test_english_notice_has_no_japanese(policy: Policy) -> None:
    text = render_notice(policy, lang="en", fmt="markdown")
    assert JAPANESE.search(text) is None


DATASETS = [
    AnonymizedDatasetNotice(
        name="Survey <2026>",
        items=["age band", "prefecture", "answer"],
        created_on=date(2026, 11, 1),
        provided=True,
        provision_method="encrypted file transfer",
    ),
    AnonymizedDatasetNotice(
        name="Usage statistics",
        items=["month", "service"],
        created_on=date(2026, 10, 1),
    ),
]


def _anonymized_section(text: str) -> str:
    start = text.index("### 5. Anonymized Information")
    return text[start : text.index("### 6.", start)]


def test_anonymized_datasets_are_published_in_their_section(policy: Policy) -> None:
    """R-AN-3 (items on creation) and R-AN-4 (items and method before provision)."""
    section = _anonymized_section(
        render_notice(policy, lang="en", fmt="markdown", anonymized_datasets=DATASETS)
    )
    assert "Usage statistics (created on October 1, 2026). Items: month, service. " in section
    assert "Not provided to third parties." in section
    assert "Items: age band, prefecture, answer." in section
    assert "Provided to third parties by: encrypted file transfer." in section
    assert section.index("Usage statistics") < section.index("Survey")  # by creation date
    plain = _anonymized_section(render_notice(policy, lang="en", fmt="markdown"))
    assert "Usage statistics" not in plain


def test_anonymized_datasets_in_japanese_and_escaped_in_html(policy: Policy) -> None:
    ja = render_notice(policy, lang="ja", fmt="markdown", anonymized_datasets=DATASETS)
    assert (
        "Usage statistics（作成日：2026年10月1日）項目：month、service。"
        "第三者には提供していません。" in ja
    )
    page = render_notice(policy, lang="en", fmt="html", anonymized_datasets=DATASETS)
    assert "Survey &lt;2026&gt;" in page
    assert "Survey <2026>" not in page
    ET.fromstring(page.removeprefix("<!DOCTYPE html>"))


def test_section_numbers_follow_the_sections_present(policy: Policy) -> None:
    general = policy.general.model_copy(update={"anonymized": None})
    text = render_notice(policy.model_copy(update={"general": general}), lang="en", fmt="markdown")
    headings = re.findall(r"^### (\d+)\. (.+)$", text, flags=re.MULTILINE)
    general_numbers = [int(n) for n, _ in headings][4:13]
    assert general_numbers == list(range(1, 10))
    assert "Anonymized Information" not in text


def test_datasets_without_an_anonymized_section_are_refused(policy: Policy) -> None:
    general = policy.general.model_copy(update={"anonymized": None})
    bare = policy.model_copy(update={"general": general})
    with pytest.raises(InputError, match=r"R-AN-3") as caught:
        render_notice(bare, lang="en", fmt="markdown", anonymized_datasets=DATASETS)
    assert caught.value.field == "general.anonymized"
