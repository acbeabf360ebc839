"""``kojin scan --engine spark``: the same column classes and findings as DuckDB, masked in the
executors, on a Spark cluster of two one-core workers."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from discovery_corpus import card_value, my_number_value, phone_value
from typer.testing import CliRunner

from kojin.cli import app
from kojin.discovery import service
from kojin.discovery.model import CellLocation
from kojin.discovery.spark_scan import SparkTable, even_shares, spark_inputs
from kojin.spark.tables import read_input, spark_input

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROWS = 400
HEADER = ["氏名", "email", "phone", "my_number", "card", "order_no", "note", "memo"]
#: a value per row of each column; note holds a phone number in free text on every tenth row,
#: memo is empty on most rows (an empty CSV cell is no cell, as DuckDB reads it)
RowData = list[list[str]]


def _rows(rows: int = ROWS, seed: int = 7) -> RowData:
    rng = random.Random(seed)
    return [
        [
            rng.choice(["山田 太郎", "佐藤 花子", "鈴木 一郎"]),
            f"user{i}@example.co.jp",
            phone_value(rng),
            my_number_value(rng),
            card_value(rng),
            "".join(rng.choice("0123456789") for _ in range(12)),
            "電話は090-1111-2222まで" if i % 10 == 0 else "特になし",
            f"連絡先 user{i}@example.jp" if i % 7 == 0 else "",
        ]
        for i in range(rows)
    ]


def _write_csv(path: Path, rows: RowData, *, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def scanner() -> service.Scanner:
    return service.build_scanner()


@contextmanager
def _small_splits(spark: Any) -> Iterator[None]:
    """Files cut into splits of 16 KiB: a table of a few hundred rows spans several."""
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16384")
    try:
        yield
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")


def _on_spark(
    spark: Any, scanner: service.Scanner, path: Path, sample: int
) -> list[service.ScanResult]:
    inputs = service.spark_inputs([str(path)])
    return list(service.scan_on_spark(scanner=scanner, spark=spark, inputs=inputs, sample=sample))


def _on_duckdb(scanner: service.Scanner, path: Path, sample: int) -> list[service.ScanResult]:
    return list(service.scan(scanner=scanner, paths=[path], sample=sample))


def _classes(results: list[service.ScanResult]) -> dict[str, tuple[object, ...]]:
    return {
        r.column: (
            r.table,
            r.kind,
            r.category,
            r.cells,
            r.personal,
            {c.kind: c.matched for c in r.counts},
        )
        for r in results
        if isinstance(r, service.ColumnClass)
    }


#: a finding as compared: kind, table, column, row, start, end, score, masked value
Found = tuple[str, str, str, str, int | None, int | None, float, str]


def _findings(results: list[service.ScanResult]) -> list[Found]:
    found: list[Found] = []
    for result in results:
        if isinstance(result, service.ColumnClass):
            continue
        for f in result:
            assert isinstance(f.location, CellLocation)
            place = f.location
            found.append(
                (
                    f.kind,
                    place.table,
                    place.column,
                    place.row_key,
                    place.start,
                    place.end,
                    f.score,
                    f.masked,
                )
            )
    return found


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_a_csv_file_in_many_splits_gives_what_duckdb_gives(
    spark: Any, scanner: service.Scanner, tmp_path: Path, encoding: str
) -> None:
    path = _write_csv(tmp_path / f"customers-{encoding}.csv", _rows(), encoding=encoding)
    with _small_splits(spark):
        assert read_input(spark, spark_input(str(path))).rdd.getNumPartitions() > 2
        spark_results = _on_spark(spark, scanner, path, sample=0)
    duckdb_results = _on_duckdb(scanner, path, sample=0)
    classes = _classes(spark_results)
    assert classes == _classes(duckdb_results)
    assert {column: c[1] for column, c in classes.items()} == {
        "氏名": "person_name",
        "email": "email",
        "phone": "phone_number",
        "my_number": "my_number",
        "card": "credit_card",
        "order_no": None,
        "note": None,
        "memo": None,
    }
    assert classes["memo"][3] == len(range(0, ROWS, 7))  # empty cells are not cells
    # row numbers follow the file across its splits, as DuckDB numbers its rows
    assert _findings(spark_results) == _findings(duckdb_results)
    by_column = {r.column: r for r in spark_results if isinstance(r, service.ColumnClass)}
    order = next(c for c in by_column["order_no"].counts if c.kind == "my_number")
    assert order.matched == ROWS
    assert 0 < order.valid < ROWS * 0.3  # counted by the check digit, not estimated


def test_the_sample_is_spread_over_the_splits(
    spark: Any, scanner: service.Scanner, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "customers.csv", _rows())
    with _small_splits(spark):
        sampled = _findings(_on_spark(spark, scanner, path, sample=50))
    assert set(sampled) <= set(_findings(_on_duckdb(scanner, path, sample=0)))
    rows_read = {int(f[3]) for f in sampled if f[2] == "email"}
    assert len(rows_read) == 50  # fifty rows in all: the first rows of each split
    assert rows_read != set(range(1, 51))
    assert max(rows_read) > ROWS // 2


def test_a_parquet_file_gives_what_duckdb_gives(
    spark: Any, scanner: service.Scanner, tmp_path: Path
) -> None:
    rows = _rows(300, seed=11)
    columns = {name: [row[at] or None for row in rows] for at, name in enumerate(HEADER)}
    parquet = tmp_path / "customers.parquet"
    pq.write_table(pa.table(columns), parquet)
    spark_results = _on_spark(spark, scanner, parquet, sample=40)
    duckdb_results = _on_duckdb(scanner, parquet, sample=40)
    assert _classes(spark_results) == _classes(duckdb_results)
    assert _findings(spark_results) == _findings(duckdb_results)  # one split: its first rows


def test_a_folder_of_part_files_with_partition_folders_is_one_table(
    spark: Any, scanner: service.Scanner, tmp_path: Path
) -> None:
    rows = _rows(200, seed=3)
    folder = tmp_path / "customers"
    # a number in a folder's name: Spark reads it as a number, the scan as text
    east = _write_csv(folder / "branch=1" / "part-00000.csv", rows[:120])
    west = _write_csv(folder / "branch=2" / "part-00000.csv", rows[120:])
    (folder / "_SUCCESS").touch()
    (tmp_path / "notes.txt").write_text("メールtaro@example.comまで\n", encoding="utf-8")
    inputs = spark_inputs([str(tmp_path)])
    assert inputs.tables == [SparkTable(str(folder), str(folder.resolve()))]
    assert inputs.texts == [tmp_path / "notes.txt"]

    results = _on_spark(spark, scanner, folder, sample=0)
    classes = _classes(results)
    assert classes["branch"][1:4] == (None, None, 200)
    assert classes["email"][0] == str(folder)
    assert classes["email"][1:4] == ("email", "contact", 200)
    found = _findings(results)
    parts = [_findings(_on_duckdb(scanner, part, sample=0)) for part in (east, west)]
    assert sorted((f[0], f[2], f[7]) for f in found) == sorted(
        (f[0], f[2], f[7]) for part in parts for f in part
    )
    emails = sorted(int(f[3]) for f in found if f[2] == "email")
    assert emails == list(range(1, 201))  # rows numbered over the whole table


def test_the_cli_on_spark_prints_masked_values_only(
    spark: Any, spark_master: str, tmp_path: Path
) -> None:
    rows = _rows(80, seed=5)
    _write_csv(tmp_path / "list.csv", rows)
    (tmp_path / "memo.txt").write_text(
        "氏名：山田 太郎\n電話03-1234-5678 メールtaro@example.comまで\n", encoding="utf-8"
    )
    # no header row: the first row's e-mail address names a column, shown as `column 2`
    (tmp_path / "raw.csv").write_text(
        "佐藤,first@example.com\n鈴木,second@example.com\n", encoding="utf-8"
    )
    secrets = {"first@example.com", "second@example.com", "taro@example.com", "03-1234-5678"}
    secrets |= {cell for row in rows for cell in row[1:6]}
    spark_args = ["--engine", "spark", "--spark-master", spark_master]
    runner = CliRunner()

    lines = runner.invoke(app, ["scan", str(tmp_path), "--format", "jsonl", *spark_args])
    assert lines.exit_code == 0, lines.stderr
    plain = runner.invoke(app, ["scan", str(tmp_path), "--format", "jsonl"])
    records = [json.loads(line) for line in lines.stdout.splitlines()]
    # the same records in another order: text files first, then the tables
    assert sorted(lines.stdout.splitlines()[:-1]) == sorted(plain.stdout.splitlines()[:-1])
    assert records[-1] == json.loads(plain.stdout.splitlines()[-1])
    columns = {(r["table"], r["column"]): r["kind"] for r in records if r["record"] == "column"}
    assert columns[(str(tmp_path / "raw.csv"), "column 2")] == "email"
    assert columns[(str(tmp_path / "list.csv"), "my_number")] == "my_number"

    table = runner.invoke(app, ["scan", str(tmp_path), "--sample", "5", *spark_args])
    assert table.exit_code == 0, table.stderr
    assert "Findings" in table.stdout
    assert f"{tmp_path / 'list.csv'}.email[5]" in table.stdout
    assert f"{tmp_path / 'list.csv'}.email[6]" not in table.stdout
    for output in (lines.stdout, table.stdout):
        for secret in secrets:
            assert secret not in output


def test_an_unreadable_input_names_the_file_not_sparks_message(
    spark: Any, spark_master: str, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"taro@example.com is not parquet")
    result = CliRunner().invoke(
        app, ["scan", str(broken), "--engine", "spark", "--spark-master", spark_master]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("kojin: error: the Spark job on broken.parquet failed (")
    assert "taro@example.com" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--url", "sqlite:///x.db", "--engine", "spark"],
            "--url cannot be scanned with --engine spark",
        ),
        ([".", "--spark-master", "local[1]"], "--spark-master needs --engine spark"),
    ],
)
def test_options_spark_cannot_serve_are_refused(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["scan", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_shares_spread_rows_evenly_over_splits() -> None:
    assert even_shares(10, [3, 100, 2]) == [3, 5, 2]
    assert even_shares(256, [256] * 3) == [86, 85, 85]
    assert even_shares(7, [5, 5, 5, 5]) == [2, 2, 2, 1]
    assert even_shares(1000, [10, 20]) == [10, 20]
    assert even_shares(5, []) == []
