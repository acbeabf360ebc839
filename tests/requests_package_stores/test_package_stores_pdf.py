"""The printed package (paper method; R-RT-3) with the person's rows in the company's stores:
Japanese labels and the values come out of the PDF, a long table runs over pages with its
header on each, and a wide table stays inside the page."""

from __future__ import annotations

import pypdf
from pkgstores_data import ADDRESS, EMAIL, customers, orders, pdf, record, squash, tickets, wide

from kojin.requests.disclosure_labels import KINDS, TEXTS


def _texts(reader: pypdf.PdfReader) -> list[str]:
    return [squash(page.extract_text()) for page in reader.pages]


def test_japanese_labels_and_store_values_are_printed() -> None:
    text = "".join(_texts(pdf(record())))
    for key in ("stores", "stores_intro", "store_fields"):
        assert squash(TEXTS["ja"][key]) in text, key
    assert KINDS["ja"]["email"] in text
    assert "オンラインショップ" in text
    assert squash(ADDRESS) in text
    assert EMAIL in text
    assert "緑茶ティーバッグ50袋入り" in text
    assert "SupportDesk".lower() in text.lower()
    assert "disclosure.json" not in text  # the files note is for the electronic package
    assert ".csv" not in text


def test_nothing_found_is_printed_as_a_sentence() -> None:
    text = "".join(_texts(pdf(record(stores=[], searched=True))))
    assert squash(TEXTS["ja"]["stores_none"]) in text
    absent = "".join(_texts(pdf(record(stores=[], searched=False))))
    assert squash(TEXTS["ja"]["stores"]) not in absent


def test_a_long_table_runs_over_pages_with_its_header_repeated() -> None:
    reader = pdf(record(stores=[orders(300)]))
    pages = _texts(reader)
    assert len(pages) >= 5
    holding = [n for n, page in enumerate(pages) if "ORD-" in page]
    assert len(holding) >= 4
    header = "order_nocustomer_iditemamountlong_note"
    for n in holding:  # every page of the table starts with its header
        assert header in pages[n], n
        assert pages[n].index(header) < pages[n].index("ORD-")
    text = "".join(pages)
    for n in range(300):  # every row, once
        assert text.count(f"ORD-{n:04d}") == 1, n
    assert "x" * 100 in text  # the long value wrapped, whole


#: the narrowest a character of the sample values is, in ems (Latin letters; CJK is 1 em)
_NARROWEST = 0.45


def _inside(page: pypdf.PageObject) -> bool:
    """Whether every line of text on `page` starts inside it and (at the narrowest width its
    characters could have) ends inside it: a cell that did not wrap would run off the page."""
    width = float(page.mediabox.width)
    lines: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _: object, size: float) -> None:
        start, scale = tm[4] * cm[0] + cm[4], size * tm[0] * cm[0]
        lines.extend(
            (start, start + len(line) * scale * _NARROWEST)
            for line in text.splitlines()
            if line.strip()
        )

    page.extract_text(visitor_text=visit)
    return bool(lines) and all(start >= 0 and end <= width for start, end in lines)


def test_a_wide_table_fits_a_landscape_page() -> None:
    found = wide(columns=20, rows=12)
    reader = pdf(record(stores=[tickets(), found]))
    sizes = [(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages]
    portrait, landscape = (595, 842), (842, 595)
    assert sizes[0] == portrait
    assert landscape in sizes  # the wide table's system
    pages = _texts(reader)
    wide_pages = [n for n, page in enumerate(pages) if "V00attribute_00" in page]
    assert wide_pages
    for n in wide_pages:
        assert sizes[n] == landscape
    assert "SupportDesk".lower() in "".join(pages[n].lower() for n in range(len(pages)))
    for n, page in enumerate(reader.pages):
        assert _inside(page), n
    text = "".join(pages)
    for r in range(12):  # the last column of every row is there, whole
        assert f"V{r:02d}attribute_19" + "q" * 30 in text


def test_a_medium_table_fits_a_portrait_page() -> None:
    found = wide(columns=8, rows=5)
    reader = pdf(record(stores=[found]))
    assert {round(p.mediabox.width) for p in reader.pages} == {595}
    for n, page in enumerate(reader.pages):
        assert _inside(page), n
    assert "V04attribute_07" + "q" * 30 in squash(reader.pages[-1].extract_text())


def test_the_shop_table_prints_every_column() -> None:
    text = "".join(_texts(pdf(record(stores=[customers()]))))
    for name in [f.name for f in customers().fields] + ["loyalty_rank"]:
        assert name in text, name
