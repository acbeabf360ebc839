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
    text = re.sub(r'<a id="[^"]*"></a>', " ", text)  # and the headings' anchors
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


class _Links(HTMLParser):
    """The ids and the in-page link targets of an HTML fragment or page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.fragments: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        href = values.get("href")
        if tag == "a" and href:
            if href.startswith("#"):
                self.fragments.append(href[1:])
            self._href, self._text = href, []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._href = None


def _links(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    parser.close()
    return parser


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_markdown_contents_link_to_anchors_that_resolve(policy: Policy, lang: str) -> None:
    from markdown_it import MarkdownIt

    text = render_notice(policy, lang=lang, fmt="markdown")  # type: ignore[arg-type]
    contents = re.findall(r"^- \[(.+)\]\(#([a-z-]+)\)$", text.split("\n## ", 1)[0], re.MULTILINE)
    assert len(contents) == 5
    assert [title for title, _ in contents] == re.findall(r"^## (.+)$", text, re.MULTILINE)
    for title, anchor in contents:  # each anchor sits right before its heading
        assert f'<a id="{anchor}"></a>\n\n## {title}\n' in text
    # rendered as CommonMark (inline HTML kept, as GitHub does), every link finds its target
    found = _links(MarkdownIt("commonmark").render(text))
    assert len(found.ids) == len(set(found.ids))
    assert [anchor for _, anchor in contents] == found.fragments[: len(contents)]
    assert set(found.fragments) <= set(found.ids)
    assert {"third-party-provision", "joint-use", "inquiries"} <= set(found.ids)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_html_ids_are_unique_and_every_fragment_resolves(policy: Policy, lang: str) -> None:
    found = _links(render_notice(policy, lang=lang, fmt="html"))  # type: ignore[arg-type]
    assert len(found.ids) == len(set(found.ids))
    assert set(found.fragments) <= set(found.ids)
    assert "third-party-provision" in found.ids


FORM_URL = "https://www.example.com/privacy/form?topic=personal&lang=ja"


def _with_form_url(policy: Policy, url: str) -> Policy:
    contacts = [
        contact.model_copy(
            update={
                "channels": [
                    channel.model_copy(update={"url": url})
                    if channel.kind == "web_form"
                    else channel
                    for channel in contact.channels
                ]
            }
        )
        for contact in policy.contacts
    ]
    return policy.model_copy(update={"contacts": contacts})


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "click here to contact us"), ("ja", "お問い合わせフォームはこちら")]
)
def test_the_inquiry_form_is_a_link(policy: Policy, lang: str, label: str) -> None:
    from markdown_it import MarkdownIt

    linked = _with_form_url(policy, FORM_URL)
    markdown = render_notice(linked, lang=lang, fmt="markdown")  # type: ignore[arg-type]
    assert f"[{label}]({FORM_URL})" in markdown
    assert (FORM_URL, label) in _links(MarkdownIt("commonmark").render(markdown)).links
    page = render_notice(linked, lang=lang, fmt="html")  # type: ignore[arg-type]
    assert f'<a href="{FORM_URL.replace("&", "&amp;")}">{label}</a>' in page
    assert (FORM_URL, label) in _links(page).links
    assert f"[{label}]" not in page
    # without a url the label is plain text
    plain = render_notice(policy, lang=lang, fmt="html")  # type: ignore[arg-type]
    assert label in plain
    assert all(text != label for _, text in _links(plain).links)


def test_an_inquiry_form_url_with_brackets_or_spaces_stays_one_link(policy: Policy) -> None:
    linked = _with_form_url(policy, "https://www.example.com/form (privacy)")
    target = "https://www.example.com/form%20%28privacy%29"
    assert f"[click here to contact us]({target})" in render_notice(
        linked, lang="en", fmt="markdown"
    )
    page = render_notice(linked, lang="en", fmt="html")
    assert (target, "click here to contact us") in _links(page).links
