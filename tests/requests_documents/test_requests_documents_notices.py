"""The refusal notice: a formal letter in the requester's language, escaped, self-contained,
and a PDF whose Japanese text is real text in embedded Noto CJK fonts."""

from __future__ import annotations

import io
import re
import sys
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pypdf
import pytest
from markupsafe import escape

from kojin.errors import ConfigurationError, InputError
from kojin.policy import Policy, load_policy
from kojin.policy.model_base import Lang, RefusalGround
from kojin.requests import pdf as pdf_module
from kojin.requests.kinds import RequestKind
from kojin.requests.notices import (
    NOTICE_ARTICLES,
    SUBJECTS,
    RefusalNoticeData,
    refusal_ground_text,
    render_refusal_notice,
)

POLICY = load_policy(None)
SCRIPT = "<script>alert(1)</script>"
SQL = "'; DROP TABLE requests; --"
CJK_FONT = re.compile(r"Noto-?(Serif|Sans)-?CJK")
IMG = '<img src="http://127.0.0.1:9/x.png" onerror="alert(1)">'


def _data(lang: Lang = "ja", **changes: Any) -> RefusalNoticeData:
    ground = changes.pop("ground", RefusalGround.DEFICIENT_PROCEDURE)
    values: dict[str, Any] = {
        "lang": lang,
        "kind": RequestKind.DISCLOSURE,
        "requester_name": "山田 太郎",
        "submitted_on": date(2026, 11, 20),
        "issued_on": date(2026, 12, 1),
        "ground": ground,
        "ground_text": refusal_ground_text(POLICY, ground, lang),
        "explanation": "本人確認書類の画像が不鮮明で、記載事項を確認できませんでした。",
    }
    values.update(changes)
    return RefusalNoticeData(**values)


def _html(data: RefusalNoticeData, policy: Policy = POLICY) -> str:
    return render_refusal_notice(data, policy=policy, fmt="html").decode("utf-8")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _Tags(HTMLParser):
    """Collects every tag and attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("ground", list(RefusalGround))
def test_ground_text_comes_from_the_policy(lang: Lang, ground: RefusalGround) -> None:
    expected = next(
        c.text.get(lang) for c in POLICY.general.inquiries.refusal_grounds if c.ground is ground
    )
    assert refusal_ground_text(POLICY, ground, lang) == expected
    assert str(escape(expected)) in _html(_data(lang, ground=ground))


def test_specific_personal_category_takes_that_section_s_wording() -> None:
    general = refusal_ground_text(POLICY, RefusalGround.NOT_HELD, "ja")
    specific = refusal_ground_text(
        POLICY, RefusalGround.NOT_HELD, "ja", category="specific_personal"
    )
    assert "特定個人情報" in specific
    assert specific != general


def test_a_ground_the_policy_does_not_list_is_refused() -> None:
    inquiries = POLICY.general.inquiries.model_copy(update={"refusal_grounds": []})
    general = POLICY.general.model_copy(update={"inquiries": inquiries})
    policy = POLICY.model_copy(update={"general": general})
    with pytest.raises(InputError) as caught:
        refusal_ground_text(policy, RefusalGround.NOT_HELD, "en")
    assert caught.value.field == "refusal_ground"


def test_japanese_letter_layout() -> None:
    html = _html(_data("ja", request_number="R-1234"))
    tags = _tags(html)
    assert ("html", {"lang": "ja"}) in tags
    assert '<p class="date">2026年12月1日</p>' in html
    assert '<p class="addressee">山田 太郎 様</p>' in html
    assert "<h1>保有個人データの開示のご請求について（通知）</h1>" in html
    assert "2026年11月20日" in html
    assert "受付番号 R-1234" in html
    assert "第33条第3項" in html
    assert "第36条" in html
    for word in ("拝啓", "敬具", ">記<", ">以上<"):
        assert word in html
    # the sender and where to complain, from the policy
    assert POLICY.organization.name.ja in html
    contact = POLICY.contact(POLICY.general.inquiries.contact)
    assert contact is not None
    assert contact.department.ja in html
    assert "〒108-8019" in html
    assert POLICY.certified_organization is not None
    assert POLICY.certified_organization.name.ja in html
    assert "<dd>ご請求の全部に応じることができません。</dd>" in html


def test_english_letter() -> None:
    html = _html(_data("en", requester_name="Taro Yamada", explanation="The copy was unreadable."))
    assert ("html", {"lang": "en"}) in _tags(html)
    assert '<p class="date">1 December 2026</p>' in html
    assert "Dear Taro Yamada," in html
    assert "20 November 2026" in html
    assert "Article 33(3)" in html
    assert "Article 36" in html
    assert POLICY.organization.name.en in html
    assert "The copy was unreadable." in html
    assert "様" not in html


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("kind", list(RequestKind))
def test_every_kind_has_its_subject_and_article(lang: Lang, kind: RequestKind) -> None:
    html = _html(_data(lang, kind=kind))
    assert f"<h1>{SUBJECTS[lang][kind]}</h1>" in html
    article = NOTICE_ARTICLES.get(kind)
    if article is not None:
        assert article[0 if lang == "ja" else 1] in html
    else:
        assert "第3" not in html
        assert "Article 3" not in html


@pytest.mark.parametrize(
    ("lang", "whole", "part"), [("ja", "全部に", "一部に"), ("en", "the whole", "part of")]
)
def test_partial_refusal_says_so(lang: Lang, whole: str, part: str) -> None:
    full = _html(_data(lang))
    partial = _html(_data(lang, partial=True))
    assert whole in full
    assert part not in full
    assert part in partial
    assert whole not in partial


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_typed_values_are_escaped_never_markup(lang: Lang) -> None:
    data = _data(
        lang,
        requester_name=SCRIPT,
        explanation=f"{IMG}\n{SQL}\n</dd></dl><a href='http://evil.example/'>x</a>",
        request_number="<b>1</b>",
    )
    html = _html(data)
    for raw in (SCRIPT, IMG, "<b>1</b>", "<a href", SQL):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#39;; DROP TABLE requests; --" in html
    tags = _tags(html)
    assert {tag for tag, _ in tags} <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "p",
        "div",
        "h1",
        "dl",
        "dt",
        "dd",
        "strong",
    }


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_html_is_self_contained(lang: Lang) -> None:
    html = _html(_data(lang))
    for tag, attrs in _tags(html):
        assert not {"src", "href"} & attrs.keys(), tag
    assert "<link" not in html
    assert "@import" not in html
    assert "url(" not in html
    assert "<style>" in html
    assert "@page" in html
    assert "default-src 'none'" in html


def _pdf_text_and_fonts(pdf: bytes) -> tuple[str, set[str]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            if embedded:
                fonts.add(str(font["/BaseFont"]))
    return text, fonts


@pytest.fixture
def fetchers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every URL fetcher html_to_pdf builds, to read what it refused."""
    made: list[Any] = []
    original = pdf_module._refusing_fetcher

    def spy(base: Any) -> Any:
        fetcher = original(base)
        made.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdf_module, "_refusing_fetcher", spy)
    return made


def test_pdf_has_the_japanese_text_in_embedded_cjk_fonts(
    no_network: list[object], fetchers: list[Any]
) -> None:
    data = _data("ja", requester_name=SCRIPT, explanation=f"確認できませんでした。{SQL}")
    pdf = render_refusal_notice(data, policy=POLICY, fmt="pdf")
    assert pdf.startswith(b"%PDF-")
    text, fonts = _pdf_text_and_fonts(pdf)
    squashed = _squash(text)
    assert _squash(data.ground_text) in squashed
    assert _squash(SUBJECTS["ja"][RequestKind.DISCLOSURE]) in squashed
    assert _squash(POLICY.organization.name.ja) in squashed
    # the typed markup is printed as the characters typed
    assert _squash(f"{SCRIPT}様") in squashed
    assert _squash(SQL) in squashed
    assert any(CJK_FONT.search(f) for f in fonts), fonts
    assert no_network == []
    assert [f.refused for f in fetchers] == [[]]


def test_english_pdf() -> None:
    data = _data("en", requester_name="Taro Yamada", explanation="The copy was unreadable.")
    text, fonts = _pdf_text_and_fonts(render_refusal_notice(data, policy=POLICY, fmt="pdf"))
    assert _squash(data.ground_text) in _squash(text)
    assert "Dear Taro Yamada" in text
    assert fonts


def test_html_to_pdf_fetches_nothing(no_network: list[object], fetchers: list[Any]) -> None:
    hostile = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/a.css">'
        "<style>@import url(https://127.0.0.1:9/b.css); body { background: "
        "url(file:///etc/passwd) }</style></head><body>"
        '<img src="http://127.0.0.1:9/c.png"><img src="file:///etc/hostname">'
        "<p>本文</p></body></html>"
    )
    pdf = pdf_module.html_to_pdf(hostile)
    text, _ = _pdf_text_and_fonts(pdf)
    assert "本文" in text
    assert no_network == []
    (fetcher,) = fetchers
    assert set(fetcher.refused) >= {
        "http://127.0.0.1:9/a.css",
        "https://127.0.0.1:9/b.css",
        "http://127.0.0.1:9/c.png",
        "file:///etc/hostname",
    }


def test_missing_weasyprint_names_pango(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(ConfigurationError, match="Pango"):
        pdf_module.html_to_pdf("<p>x</p>")
    with pytest.raises(ConfigurationError, match="Pango"):
        render_refusal_notice(_data("ja"), policy=POLICY, fmt="pdf")
    # HTML needs no WeasyPrint
    assert render_refusal_notice(_data("ja"), policy=POLICY, fmt="html").startswith(b"<!DOCTYPE")
