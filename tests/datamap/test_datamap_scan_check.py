"""Comparing a scan's table columns with the data map: the pure comparison, then ``kojin scan
--datamap`` over a CSV folder and a SQLite database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from datamap_samples import SHOP, parse
from typer.testing import CliRunner

from kojin.cli import app
from kojin.datamap.scan_check import (
    KIND_NOT_DECLARED,
    NO_COLLECTION,
    NO_COLUMN,
    NO_FIELD,
    NOT_PERSONAL,
    NOTHING,
    NothingFound,
    NotInMap,
    ScannedColumn,
    compare_with_datamap,
)


def _column(table: str, column: str, *kinds: str, file: bool = False) -> ScannedColumn:
    return ScannedColumn(table, column, frozenset(kinds), file=file)


def test_personal_data_the_map_misses_and_personal_fields_where_nothing_was_found() -> None:
    datamap = parse(SHOP, base_dir="maps")
    scanned = [
        _column("Customers", "ID"),  # tables and columns compare case-insensitively
        _column("Customers", "email", "email"),
        _column("Customers", "phone", "phone_number"),
        _column("orders", "note", "email"),
        _column("orders", "customer_id"),
        _column("members", "mail", "email", "person_name"),
        _column("maps/exports/customers_2024.csv", "email", "email", "phone_number", file=True),
        _column("maps/exports/customers_2024.csv", "name", "person_name", file=True),
        _column("maps/exports/customers_2025.csv", "email", file=True),
        _column("maps/elsewhere/customers_2025.csv", "email", "email", file=True),
    ]
    result = compare_with_datamap(datamap, scanned, cwd="/work")
    assert result.not_in_map == [
        NotInMap("Customers.phone", ("phone_number",), NO_FIELD),
        NotInMap("maps/elsewhere/customers_2025.csv.email", ("email",), NO_COLLECTION),
        NotInMap("maps/exports/customers_2024.csv.email", ("phone_number",), KIND_NOT_DECLARED),
        NotInMap("maps/exports/customers_2024.csv.name", ("person_name",), NO_FIELD),
        NotInMap("members.mail", ("email", "person_name"), NO_COLLECTION),
        NotInMap("orders.note", ("email",), NOT_PERSONAL),
    ]
    assert result.nothing_found == [
        NothingFound("crm.customer_export.email", "maps/exports/customers_2025.csv.email", NOTHING),
        NothingFound("shop_db.customers.full_name", "Customers.full_name", NO_COLUMN),
    ]


def test_a_file_path_is_matched_from_where_the_scan_ran() -> None:
    datamap = parse(SHOP, base_dir="/srv/maps")
    here = [_column("exports/customers_1.csv", "name", "person_name", file=True)]
    assert compare_with_datamap(datamap, here, cwd="/srv/maps").not_in_map == [
        NotInMap("exports/customers_1.csv.name", ("person_name",), NO_FIELD)
    ]
    assert compare_with_datamap(datamap, here, cwd="/tmp").not_in_map == [
        NotInMap("exports/customers_1.csv.name", ("person_name",), NO_COLLECTION)
    ]
    # a database table is never a files collection, nor a file a table
    table = [_column("customer_export", "name", "person_name")]
    assert compare_with_datamap(datamap, table, cwd="/srv/maps").not_in_map[0].reason == (
        NO_COLLECTION
    )


def test_a_personal_field_without_kinds_covers_any_kind() -> None:
    datamap = parse(
        SHOP.replace(
            "{name: email, identity: email, kinds: [email], erasure: hmac}",
            "{name: email, identity: email, erasure: hmac}",
        )
    )
    scanned = [_column("customers", "email", "email", "phone_number")]
    assert compare_with_datamap(datamap, scanned, cwd="/").not_in_map == []


MAP = """\
datamap: 1
systems:
  - key: shop
    store: sql
    datasets:
      - key: shop_db
        collections:
          - name: customers
            fields:
              - {name: id, primary_key: true}
              - {name: email, identity: email, kinds: [email]}
              - {name: full_name, kinds: [person_name]}
  - key: exports
    store: files
    datasets:
      - key: crm
        collections:
          - name: export
            path: data/*.csv
            format: csv
            erasure: delete_row
            fields:
              - {name: customer_no, primary_key: true}
              - {name: email, identity: email, kinds: [email]}
"""

EMAILS = ["taro@example.com", "hanako@example.jp", "jiro@example.co.jp", "saburo@example.com"]
PHONES = ["090-1234-5678", "080-2345-6789", "070-3456-7890", "090-4567-8901"]


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KOJIN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KOJIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("KOJIN_DATAMAP_FILE", raising=False)
    (tmp_path / "map.yml").write_text(MAP, encoding="utf-8")
    (tmp_path / "data").mkdir()
    rows = "".join(f"C{n},{e},{p}\n" for n, (e, p) in enumerate(zip(EMAILS, PHONES, strict=True)))
    (tmp_path / "data" / "customers.csv").write_text("customer_no,email,tel\n" + rows)
    with sqlite3.connect(tmp_path / "shop.sqlite3") as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, full_name TEXT)")
        db.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, mail TEXT)")
        db.executemany(
            "INSERT INTO customers (email, full_name) VALUES (?, ?)", [(e, None) for e in EMAILS]
        )
        db.executemany("INSERT INTO visits (mail) VALUES (?)", [(e,) for e in EMAILS])
    db.close()
    return tmp_path


def _records(output: str, kind: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in output.splitlines()]
    return [r for r in lines if r["record"] == kind]


def test_scan_with_a_datamap_reports_files_and_tables(shop: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "scan",
            "data",
            "--url",
            "sqlite:///shop.sqlite3",
            "--datamap",
            "map.yml",
            "--format",
            "jsonl",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert _records(result.stdout, "not_in_datamap") == [
        {
            "record": "not_in_datamap",
            "location": "data/customers.csv.tel",
            "kinds": ["phone_number"],
            "reason": NO_FIELD,
        },
        {
            "record": "not_in_datamap",
            "location": "visits.mail",
            "kinds": ["email"],
            "reason": NO_COLLECTION,
        },
    ]
    assert _records(result.stdout, "datamap_nothing_found") == [
        {
            "record": "datamap_nothing_found",
            "field": "shop_db.customers.full_name",
            "location": "customers.full_name",
            "reason": NOTHING,
        },
    ]
    assert "taro@example.com" not in result.stdout

    table = CliRunner().invoke(app, ["scan", "data", "--datamap", "map.yml"])
    assert table.exit_code == 0, table.stderr
    assert "Personal data not in the data map" in table.stdout
    assert "data/customers.csv.tel" in table.stdout


def test_scan_refuses_a_map_with_problems_before_scanning(shop: Path) -> None:
    (shop / "map.yml").write_text(MAP.replace("format: csv", "format: xls"), encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", "data", "--datamap", "map.yml"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "map.yml:20:21: systems.1.datasets.0.collections.0.format: Input should be 'csv' or "
        "'parquet'"
    ]
    assert "Findings" not in result.stdout


def test_against_ledger_takes_the_settings_map(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--sample"]).exit_code == 0
    monkeypatch.setenv("KOJIN_DATAMAP_FILE", str(shop / "map.yml"))
    result = runner.invoke(app, ["scan", "data", "--against-ledger", "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    assert [r["location"] for r in _records(result.stdout, "not_in_datamap")] == [
        "data/customers.csv.tel"
    ]
    assert _records(result.stdout, "undeclared")  # the ledger comparison still runs
