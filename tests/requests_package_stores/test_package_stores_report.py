"""The readable report's part on the company's stores: a section per system, a table per
collection with what its fields hold, in the person's language; values escaped; and the
difference between stores not searched and nothing found in them."""

from __future__ import annotations

import html
import re

import pytest
from pkgstores_data import (
    ADDRESS,
    EMAIL,
    FORMULAS,
    HOSTILE,
    customers,
    orders,
    record,
    report,
    tickets,
    wide,
)

from kojin.policy.model_base import Lang
from kojin.requests.disclosure_labels import KINDS, TEXTS
from kojin.requests.disclosure_package import render_report

#: the report's wording about the stores, which each language must show and the other not
STORE_LABELS = ("stores", "stores_intro", "store_fields", "store_field", "store_kinds")


def _section(page: str) -> str:
    """The report's stores section (the last one, before the files note)."""
    start = page.index('<section aria-labelledby="section-stores"')
    return page[start : page.index("</body>")].split('<p class="muted">')[0]


def _table_rows(part: str, css_class: str) -> list[list[str]]:
    """The body rows of the first table of `css_class` in `part`, as unescaped cell texts."""
    table = re.search(rf'<table class="{css_class}[^"]*">.*?</table>', part, re.S)
    assert table is not None
    body = table.group(0).split("<tbody>", 1)[1]
    return [
        [html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_labels_in_the_person_s_language(lang: Lang) -> None:
    other: Lang = "en" if lang == "ja" else "ja"
    part = _section(report(record(lang)))
    for key in STORE_LABELS:
        assert html.escape(TEXTS[lang][key]) in part, key
        assert html.escape(TEXTS[other][key]) not in part, key
    assert TEXTS[lang]["store_rows"].format(count=3) in part
    # the kinds of personal data the map marks, named in the language
    assert KINDS[lang]["email"] in part
    assert KINDS[lang]["person_name"] in part
    assert KINDS[other]["email"] not in part


def test_a_section_per_system_and_a_table_per_collection() -> None:
    # the shop's two collections come apart in the record: the report keeps them together
    part = _section(report(record(stores=[customers(), tickets(), orders()])))
    systems = re.findall(r'<h3 id="system-\d+">(.*?)</h3>', part)
    assert systems == ["オンラインショップ", "Support desk"]
    shop, support = part.split('<h3 id="system-2">')
    assert re.findall(r"<h4>(.*?)</h4>", shop) == ["会員情報", "orders"]  # description or name
    assert re.findall(r"<h4>(.*?)</h4>", support) == ["tickets"]
    assert "表：shop_db.customers" in shop
    assert "区分：お客様" in shop  # the policy category's title
    assert "stores/shop/shop_db.orders.csv" in shop  # where the same rows are in the ZIP
    assert "区分" not in support  # no category given: none shown


def test_the_rows_are_shown_with_field_descriptions() -> None:
    part = _section(report(record(stores=[customers()])))
    legend = _table_rows(part, "legend")
    assert legend[0] == ["id", "会員番号 / member number", ""]
    assert legend[1] == ["email", "連絡先", KINDS["ja"]["email"]]
    [row] = _table_rows(part, "store-table")
    found = customers()
    cells = dict(zip(found.columns(), row, strict=True))
    assert cells["email"] == EMAIL
    assert cells["address"] == ADDRESS + "\n丸の内ビル 10階"  # kept; shown by pre-wrap
    assert cells["newsletter"] == TEXTS["ja"]["yes"]
    assert cells["balance"] == "-1250.5"
    assert cells["note"] == "―"  # no value: a dash
    assert cells["memo"] == FORMULAS["memo"]  # the report shows values as they are
    assert cells["loyalty_rank"] == HOSTILE  # an undeclared column is shown too


def test_values_are_escaped() -> None:
    page = report(record())
    assert "<script>" not in page
    assert html.escape(HOSTILE) in page
    hostile = tickets().model_copy(
        update={
            "system_name": "<b>System</b>",
            "description": "<i>tickets</i>",
            "category_title": '"><img src=x>',
        }
    )
    page = report(record(stores=[hostile]))
    for markup in ("<b>System", "<i>tickets", "<img"):
        assert markup not in page


def test_wide_tables_get_a_smaller_font_and_widths_from_their_contents() -> None:
    page = report(record(stores=[tickets(), orders(), wide(columns=12), wide(columns=20)]))
    sizes = re.findall(r'<table class="store-table (cols-\w+)">', page)
    assert sizes == ["cols-s", "cols-s", "cols-l", "cols-xl"]
    # the systems with a wide table print on landscape pages
    assert re.findall(r'class="(system[^"]*)"', page) == [
        "system",
        "system",
        "system landscape",
    ]
    widths = re.search(r"<colgroup>(.*?)</colgroup>", page.split("tickets</h4>")[1], re.S)
    assert widths is not None
    shares = [float(w) for w in re.findall(r"width: ([\d.]+)%", widths.group(1))]
    assert len(shares) == 2
    assert abs(sum(shares) - 100) < 0.1
    assert shares[0] < shares[1]  # "T-77" takes less room than a sentence


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_nothing_found_and_not_searched_read_differently(lang: Lang) -> None:
    texts = TEXTS[lang]
    nothing = report(record(lang, stores=[], searched=True))
    assert texts["stores"] in nothing
    assert html.escape(texts["stores_none"]) in nothing
    assert html.escape(texts["stores_intro"]) not in nothing
    not_searched = report(record(lang, stores=[], searched=False))
    assert texts["stores"] not in not_searched
    assert html.escape(texts["stores_none"]) not in not_searched
    # the files note names the stores folder only when it is in the ZIP
    assert html.escape(texts["files_note_stores"]) not in nothing
    assert html.escape(texts["files_note_stores"]) in report(record(lang))


def test_the_paper_report_names_no_file() -> None:
    page = render_report(record(), electronic=False)
    assert "shop_db.customers" in page
    assert ".csv" not in page
    assert TEXTS["ja"]["store_file"] not in page
