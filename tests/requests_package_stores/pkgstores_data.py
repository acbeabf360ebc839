"""A person's rows in a sample company's stores, as the fulfilment job hands them to the
disclosure package, and records carrying them.

The rows hold what a package must survive: values that start like spreadsheet formulas, markup,
line breaks, a long value with no space in it, Japanese text, numbers, booleans and empty
values, and a column the data map does not declare.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pypdf

from kojin.policy.model_base import Lang
from kojin.requests.disclosure_package import build_package
from kojin.requests.disclosure_record import (
    DisclosedStoreCollection,
    DisclosedStoreField,
    DisclosedSubject,
    DisclosureRecord,
    StoreValue,
)
from kojin.requests.kinds import DisclosureMethod

NOW = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 10:30 in Tokyo
ADDRESS = "東京都千代田区丸の内一丁目1番1号"
EMAIL = "hanako.suzuki@example.jp"
HOSTILE = "<script>alert(1)</script>"
LONG = "x" * 400  # no place to break but anywhere
#: text values that a spreadsheet would take for a formula, and the name of their column
FORMULAS: dict[str, str] = {
    "memo": '=HYPERLINK("http://evil.example/","x")',
    "phone": "+81-90-1234-5678",
    "referrer": "-2+3",
    "handle": "@SUM(A1:A9)",
    "tab_note": "\t=1+1",
    "cr_note": "\r=1+1",
}


def customers() -> DisclosedStoreCollection:
    """The shop's customer table: one row of the person, described fields, every kind of value
    (and ``loyalty_rank``, a column the data map does not declare)."""
    fields = [
        DisclosedStoreField(name="id", description="会員番号 / member number"),
        DisclosedStoreField(name="email", description="連絡先", kinds=["email"]),
        DisclosedStoreField(name="name", kinds=["person_name"]),
        DisclosedStoreField(name="address", description="お届け先", kinds=["address"]),
        DisclosedStoreField(name="newsletter"),
        DisclosedStoreField(name="balance"),
        DisclosedStoreField(name="note"),
        *(DisclosedStoreField(name=name) for name in FORMULAS),
    ]
    row: dict[str, StoreValue] = {
        "id": 1042,
        "email": EMAIL,
        "name": "鈴木 花子",
        "address": ADDRESS + "\n丸の内ビル 10階",
        "newsletter": True,
        "balance": -1250.5,
        "note": None,
        **FORMULAS,
        "loyalty_rank": HOSTILE,
    }
    return DisclosedStoreCollection(
        system="shop",
        system_name="オンラインショップ",
        dataset="shop_db",
        collection="customers",
        description="会員情報",
        category="customer",
        category_title="お客様",
        fields=fields,
        rows=[row],
    )


def orders(count: int = 3) -> DisclosedStoreCollection:
    """The shop's orders of the person: `count` rows numbered ``ORD-0000``, ``ORD-0001``..."""
    return DisclosedStoreCollection(
        system="shop",
        system_name="オンラインショップ",
        dataset="shop_db",
        collection="orders",
        category="customer",
        category_title="お客様",
        fields=[
            DisclosedStoreField(name="order_no"),
            DisclosedStoreField(name="customer_id"),
            DisclosedStoreField(name="item"),
            DisclosedStoreField(name="amount"),
            DisclosedStoreField(name="long_note"),
        ],
        rows=[
            {
                "order_no": f"ORD-{n:04d}",
                "customer_id": 1042,
                "item": "緑茶ティーバッグ 50袋入り",
                "amount": 1980 + n,
                "long_note": LONG if n == 0 else "",
            }
            for n in range(count)
        ],
    )


def tickets() -> DisclosedStoreCollection:
    """The support desk's tickets (CSV files), another system, in English words."""
    return DisclosedStoreCollection(
        system="support",
        system_name="Support desk",
        dataset="support_files",
        collection="tickets",
        fields=[
            DisclosedStoreField(name="ticket", description="Ticket number"),
            DisclosedStoreField(name="body", description="What the person wrote"),
        ],
        rows=[{"ticket": "T-77", "body": "Please update my address."}],
    )


def wide(columns: int = 20, rows: int = 12) -> DisclosedStoreCollection:
    """A table too wide for a portrait page: long values with no space in them."""
    names = [f"attribute_{n:02d}" for n in range(columns)]
    return DisclosedStoreCollection(
        system="warehouse",
        system_name="分析基盤",
        dataset="dwh",
        collection="customer_profile",
        fields=[DisclosedStoreField(name=name) for name in names],
        rows=[{name: f"V{r:02d}{name}" + "q" * 30 for name in names} for r in range(rows)],
    )


def record(
    lang: Lang = "ja",
    stores: list[DisclosedStoreCollection] | None = None,
    *,
    searched: bool | None = None,
) -> DisclosureRecord:
    """A record of a customer with nothing in the registry but the subject entry, and `stores`
    (the sample shop and support desk by default); `searched` defaults to whether there are
    stores."""
    found = [customers(), orders(), tickets()] if stores is None else stores
    return DisclosureRecord(
        lang=lang,
        generated_at=NOW,
        organization="株式会社サンプル" if lang == "ja" else "Sample KK",
        subject=DisclosedSubject(
            id="a" * 32,
            category="customer",
            category_title="お客様" if lang == "ja" else "Customers",
            registered_at=NOW,
            stop_use=False,
            stop_provision=False,
        ),
        purposes=[],
        ledger_entries=[],
        consents=[],
        third_party_records_included=False,
        third_party_records=[],
        stores=found,
        stores_searched=bool(found) if searched is None else searched,
    )


def archive(of: DisclosureRecord) -> zipfile.ZipFile:
    """The electronic package of `of`, opened (it must test clean)."""
    package = build_package(of, method=DisclosureMethod.ELECTRONIC, lang=of.lang)
    assert package.media_type == "application/zip"
    opened = zipfile.ZipFile(io.BytesIO(package.content))
    assert opened.testzip() is None
    return opened


def report(of: DisclosureRecord) -> str:
    """The HTML report of the electronic package of `of`."""
    return archive(of).read("report.html").decode("utf-8")


def pdf(of: DisclosureRecord) -> pypdf.PdfReader:
    """The paper package of `of`, read back."""
    package = build_package(of, method=DisclosureMethod.PAPER, lang=of.lang)
    assert package.media_type == "application/pdf"
    assert package.content.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(package.content))


def squash(text: str) -> str:
    """`text` without whitespace (PDF text breaks lines anywhere in Japanese)."""
    return re.sub(r"\s+", "", text)
