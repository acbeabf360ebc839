"""The electronic package with the person's rows in the company's stores (Art. 33; R-RT-3):
the JSON carries them as stored, one CSV per collection carries them for a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from pkgstores_data import FORMULAS, HOSTILE, LONG, archive, customers, orders, record, tickets

from kojin.requests.disclosure_package import (
    SECTIONS,
    Table,
    build_package,
    csv_bytes,
    store_files,
    to_csv,
)
from kojin.requests.disclosure_record import DisclosedStoreCollection, DisclosureRecord
from kojin.requests.kinds import DisclosureMethod

CUSTOMERS = "stores/shop/shop_db.customers.csv"
ORDERS = "stores/shop/shop_db.orders.csv"
TICKETS = "stores/support/support_files.tickets.csv"


def _csv(opened: zipfile.ZipFile, name: str) -> list[list[str]]:
    raw = opened.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), name  # the BOM that tells Excel it is UTF-8
    assert raw.count(b"\r\n") >= 1
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_members_one_csv_per_collection_in_the_record_s_order() -> None:
    opened = archive(record())
    assert opened.namelist() == [
        "disclosure.json",
        *(f"{s}.csv" for s in SECTIONS),
        CUSTOMERS,
        ORDERS,
        TICKETS,
        "report.html",
    ]


def test_the_json_holds_the_rows_exactly_as_stored() -> None:
    given = record()
    raw = archive(given).read("disclosure.json")
    assert DisclosureRecord.model_validate_json(raw) == given
    loaded = json.loads(raw)
    assert loaded["stores_searched"] is True
    [row] = loaded["stores"][0]["rows"]
    # types survive: no formula guard, no translation, null for an empty value
    assert row["id"] == 1042
    assert row["newsletter"] is True
    assert row["balance"] == -1250.5
    assert row["note"] is None
    assert row["memo"] == FORMULAS["memo"]
    assert row["loyalty_rank"] == HOSTILE
    assert loaded["stores"][0]["fields"][1] == {
        "name": "email",
        "description": "連絡先",
        "kinds": ["email"],
    }
    assert loaded["stores"][0]["category_title"] == "お客様"


def _cell(value: object) -> str:
    """What a CSV cell should read for a stored value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    assert isinstance(value, str)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@pytest.mark.parametrize("found", [customers(), orders(5), tickets()], ids=lambda c: c.address)
def test_each_csv_parses_back_to_the_same_rows(found: DisclosedStoreCollection) -> None:
    opened = archive(record(stores=[found]))
    [name] = store_files(record(stores=[found]))
    rows = _csv(opened, name)
    declared = [f.name for f in found.fields]
    assert rows[0][: len(declared)] == declared  # the header: the field names
    assert rows[0] == found.columns()
    assert rows[1:] == [[_cell(row.get(c)) for c in rows[0]] for row in found.rows]
    assert len(rows) == 1 + len(found.rows)


def test_the_customer_csv_cell_by_cell() -> None:
    rows = _csv(archive(record()), CUSTOMERS)
    header, values = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[-1] == "loyalty_rank"  # a column the map does not declare comes last
    assert values["id"] == "1042"
    assert values["newsletter"] == "true"
    assert values["balance"] == "-1250.5"  # a number is a number, not a formula
    assert values["note"] == ""
    assert values["address"].endswith("\n丸の内ビル 10階")  # a line break inside a quoted cell
    assert values["loyalty_rank"] == HOSTILE
    for column, text in FORMULAS.items():  # shown by a spreadsheet, never evaluated
        assert values[column] == "'" + text, column
    long_rows = _csv(archive(record()), ORDERS)
    assert long_rows[1][4] == LONG


def test_every_cell_is_quoted_with_crlf_line_ends() -> None:
    data = csv_bytes(["a", "b"], [['say "hi"', 1], [None, False]])
    assert data == b'\xef\xbb\xbf"a","b"\r\n"say ""hi""","1"\r\n"","false"\r\n'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_one_formula_guard_for_the_registry_s_csvs_and_the_stores(start: str) -> None:
    text = start + "1+1"
    table = Table(key="t", title="t", headers=[text], rows=[[text]])
    registry_rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"), newline="")))
    store_rows = list(
        csv.reader(io.StringIO(csv_bytes([text], [[text]]).decode("utf-8-sig"), newline=""))
    )
    assert registry_rows == store_rows == [["'" + text], ["'" + text]]
    # numbers are written as numbers: a negative one is no formula
    assert csv_bytes(["n"], [[-5], [-0.25]]).endswith(b'"-5"\r\n"-0.25"\r\n')


def test_member_names_stay_inside_the_stores_folder() -> None:
    base = tickets()
    odd = [
        base.model_copy(update={"system": "../..", "dataset": "a/b", "collection": "c.d"}),
        base.model_copy(update={"system": "", "dataset": "x", "collection": "y"}),
        base,
        base,  # the same collection twice keeps both files
    ]
    names = store_files(record(stores=odd))
    assert names == [
        "stores/_____/a_b.c_d.csv",
        "stores/_/x.y.csv",
        TICKETS,
        TICKETS.replace(".csv", "-2.csv"),
    ]
    opened = archive(record(stores=odd))
    assert [n for n in opened.namelist() if n.startswith("stores/")] == names


@pytest.mark.parametrize("searched", [True, False])
def test_no_store_csv_without_rows(searched: bool) -> None:
    opened = archive(record(stores=[], searched=searched))
    assert not [n for n in opened.namelist() if n.startswith("stores/")]
    loaded = json.loads(opened.read("disclosure.json"))
    assert (loaded["stores"], loaded["stores_searched"]) == ([], searched)


def test_the_zip_stays_deterministic() -> None:
    given = record()
    first = build_package(given, method=DisclosureMethod.ELECTRONIC, lang="ja").content
    second = build_package(given, method=DisclosureMethod.ELECTRONIC, lang="ja").content
    assert first == second
    for info in zipfile.ZipFile(io.BytesIO(first)).infolist():
        assert info.date_time == (2026, 12, 1, 10, 30, 0)
        assert info.external_attr >> 16 == 0o644
