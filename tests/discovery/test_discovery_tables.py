"""Column classification and cell findings: Arrow tables, CSV and Parquet files, databases."""

from __future__ import annotations

import os
import random
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from discovery_corpus import card_value, my_number_value, phone_value

from kojin.discovery.columns import ColumnClassifier
from kojin.discovery.database import scan_database
from kojin.discovery.detector_catalogue import builtin_registry
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import CellLocation
from kojin.discovery.tabular import scan_table_file
from kojin.errors import InputError

ROWS = 300


def _customers(rows: int = ROWS) -> dict[str, list[object]]:
    rng = random.Random(4)
    return {
        "氏名": [rng.choice(["山田 太郎", "佐藤 花子", "鈴木 一郎"]) for _ in range(rows)],
        "email": [f"user{i}@example.co.jp" for i in range(rows)],
        "phone": [phone_value(rng) for _ in range(rows)],
        "birth_date": [
            f"{rng.randint(1940, 2000)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            for _ in range(rows)
        ],
        "my_number": [my_number_value(rng) for _ in range(rows)],
        "card": [card_value(rng) for _ in range(rows)],
        "amount": [str(rng.randint(1, 99999)) for _ in range(rows)],
        # 12-digit order numbers: some pass the My Number check digit by chance
        "order_no": ["".join(rng.choice("0123456789") for _ in range(12)) for _ in range(rows)],
        "note": [("電話は090-1111-2222" if i % 10 == 0 else "特になし") for i in range(rows)],
    }


EXPECTED = {
    "氏名": "person_name",
    "email": "email",
    "phone": "phone_number",
    "birth_date": "date_of_birth",
    "my_number": "my_number",
    "card": "credit_card",
    "amount": None,
    "order_no": None,
    "note": None,
}


@pytest.fixture(scope="module")
def classifier() -> ColumnClassifier:
    return ColumnClassifier(builtin_registry())


@pytest.fixture(scope="module")
def matcher() -> Re2Matcher:
    return Re2Matcher(builtin_registry())


def test_classify_arrow_table(classifier: ColumnClassifier) -> None:
    classes = classifier.classify(table=pa.table(_customers()), name="customers")
    assert {c.column: c.kind for c in classes} == EXPECTED
    by_column = {c.column: c for c in classes}
    assert by_column["email"].confidence == 1.0
    assert by_column["email"].counts[0].matched == ROWS
    # order numbers match the My Number shape, but only about a tenth pass the check digit
    order = by_column["order_no"].counts[0]
    assert order.kind == "my_number"
    assert order.matched == ROWS
    assert order.valid < ROWS * 0.3


def test_names_and_birth_dates_need_the_column_name(classifier: ColumnClassifier) -> None:
    data = _customers()
    table = pa.table({"c1": data["氏名"], "c2": data["birth_date"]})
    assert [c.kind for c in classifier.classify(table=table, name="t")] == [None, None]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_table_files(
    tmp_path: Path, classifier: ColumnClassifier, matcher: Re2Matcher, suffix: str
) -> None:
    path = tmp_path / f"customers{suffix}"
    table = pa.table(_customers())
    if suffix == ".csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    classes, findings_iter = scan_table_file(
        path, matcher=matcher, classifier=classifier, sample=50
    )
    assert {c.column: c.kind for c in classes} == EXPECTED
    assert all(c.cells == ROWS for c in classes)
    findings = list(findings_iter)
    cells = {
        (f.location.column, f.location.row_key)
        for f in findings
        if isinstance(f.location, CellLocation)
    }
    assert ("email", "50") in cells
    assert ("email", "51") not in cells
    # free text: the phone number inside the note of rows 1, 11, 21, ...
    notes = sorted(int(key) for column, key in cells if column == "note")
    assert notes == [1, 11, 21, 31, 41]
    assert {f.masked for f in findings if f.kind == "email"} == {"u***@example.co.jp"}


def test_csv_keeps_leading_zeros(
    tmp_path: Path, classifier: ColumnClassifier, matcher: Re2Matcher
) -> None:
    path = tmp_path / "phones.csv"
    path.write_text("tel\n09012345678\n0312345678\n", encoding="utf-8")
    classes, findings = scan_table_file(path, matcher=matcher, classifier=classifier, sample=0)
    assert classes[0].kind == "phone_number"
    assert len(list(findings)) == 2


def test_unreadable_table_file_is_an_input_error(
    tmp_path: Path, classifier: ColumnClassifier, matcher: Re2Matcher
) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(InputError, match=r"broken\.parquet"):
        scan_table_file(path, matcher=matcher, classifier=classifier, sample=10)


def _fill(url: str, table_name: str, rows: int = 120) -> None:
    data = _customers(rows)
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    columns: list[sa.Column[object]] = [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)
    ]
    columns += [sa.Column(name, sa.String(64)) for name in data]
    table = sa.Table(table_name, meta, *columns)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            table.insert(),
            [{"id": i + 1, **{k: v[i] for k, v in data.items()}} for i in range(rows)],
        )
    engine.dispose()


def _drop(url: str, table_name: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {table_name}"))
    engine.dispose()


def _check_database(
    url: str, table_name: str, classifier: ColumnClassifier, matcher: Re2Matcher
) -> None:
    [result] = list(
        scan_database(
            url=url, matcher=matcher, classifier=classifier, sample=40, tables=[table_name]
        )
    )
    assert result.table == table_name
    assert result.rows == 40
    assert {c.column: c.kind for c in result.classes} == {"id": None, **EXPECTED}
    emails = [f for f in result.findings if f.kind == "email"]
    assert len(emails) == 40
    keys = {f.location.row_key for f in emails}  # type: ignore[union-attr]
    assert keys <= {str(i) for i in range(1, 121)}
    assert len(keys) == 40


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 'shop.sqlite3').as_posix()}"


def test_sqlite_database(
    sqlite_url: str, classifier: ColumnClassifier, matcher: Re2Matcher
) -> None:
    _fill(sqlite_url, "customers")
    _check_database(sqlite_url, "customers", classifier, matcher)


def test_bad_database_url_is_an_input_error(
    classifier: ColumnClassifier, matcher: Re2Matcher
) -> None:
    with pytest.raises(InputError, match="database URL"):
        list(scan_database(url="nosuchdb://x", matcher=matcher, classifier=classifier, sample=5))


@pytest.mark.parametrize(
    ("variable", "server"),
    [
        pytest.param("KOJIN_TEST_DATABASE_URL", "PostgreSQL", marks=pytest.mark.postgres),
        pytest.param("KOJIN_TEST_MARIADB_URL", "MariaDB", marks=pytest.mark.mariadb),
    ],
)
def test_server_database(
    classifier: ColumnClassifier, matcher: Re2Matcher, variable: str, server: str
) -> None:
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set: this test needs a {server} server")
    name = f"kojin_scan_{uuid.uuid4().hex[:10]}"
    try:
        _fill(url, name)
        _check_database(url, name, classifier, matcher)
    finally:
        _drop(url, name)


def test_personal_primary_keys_are_masked_in_row_keys(
    sqlite_url: str, classifier: ColumnClassifier, matcher: Re2Matcher
) -> None:
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE members (email TEXT PRIMARY KEY, note TEXT)"))
        conn.execute(
            sa.text("INSERT INTO members VALUES (:e, :n)"),
            [{"e": f"member{i}@example.com", "n": "電話 090-1234-5678"} for i in range(5)],
        )
        conn.execute(sa.text("CREATE TABLE empty (id INTEGER PRIMARY KEY, phone TEXT)"))
    engine.dispose()
    results = {
        r.table: r
        for r in scan_database(url=sqlite_url, matcher=matcher, classifier=classifier, sample=0)
    }
    members = results["members"]
    assert {c.column: c.kind for c in members.classes} == {"email": "email", "note": None}
    keys = {f.location.row_key for f in members.findings if isinstance(f.location, CellLocation)}
    assert keys == {"m***@example.com"}
    assert results["empty"].rows == 0
    assert results["empty"].findings == []
