"""Messages about a table file name rows and columns, never what the cells hold: a ragged row by
its line, a file DuckDB cannot parse by its line, a header cell that is personal data (a file
without a header row) by its position."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kojin.cli import app

MY_NUMBER = "123456789018"  # a valid check digit
EMAIL = "taro.yamada@example.jp"


def _scan(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["scan", *args])
    return result.exit_code, result.stdout, result.stderr


def _rows(count: int) -> str:
    return "".join(f"名前{i},user{i}@example.com,東京都\n" for i in range(count))


def test_a_ragged_row_of_a_shift_jis_csv_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "sjis.csv"
    text = "氏名,メール,住所\n" + _rows(5) + f"{MY_NUMBER},{EMAIL},東京都,余分\n"
    path.write_bytes(text.encode("cp932"))
    code, out, err = _scan(str(path), "--format", "jsonl")
    assert code == 2
    assert err == (
        f"kojin: error: cannot read table file {path}: line 7 has 4 cells, the header row 3\n"
    )
    assert MY_NUMBER not in out + err
    assert EMAIL not in out + err


def test_a_csv_duckdb_cannot_parse_is_named_by_its_line(tmp_path: Path) -> None:
    """DuckDB's own message quotes the offending line: it is not passed on."""
    path = tmp_path / "late.csv"
    path.write_text(
        "name,email,place\n" + _rows(25_000) + f"{MY_NUMBER},{EMAIL},b,c\n", encoding="utf-8"
    )
    code, out, err = _scan(str(path), "--format", "jsonl")
    assert code == 2
    assert err == (
        f"kojin: error: cannot read table file {path}: not a CSV file DuckDB can read "
        "(line 25002)\n"
    )
    assert MY_NUMBER not in out + err
    assert EMAIL not in out + err


def test_a_broken_parquet_file_is_named_without_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(f"PAR1 {MY_NUMBER} {EMAIL}".encode())
    code, out, err = _scan(str(path))
    assert code == 2
    assert err.startswith(f"kojin: error: cannot read table file {path}: not a Parquet file")
    assert err.count("\n") == 1
    assert MY_NUMBER not in out + err
    assert EMAIL not in out + err


def test_header_cells_that_are_personal_data_are_named_by_position(tmp_path: Path) -> None:
    """A CSV without a header row: DuckDB takes its first row for names; those that are
    personal data are shown as ``column N``, in findings, classes and the tables."""
    for codec in ("utf-8", "cp932"):
        path = tmp_path / f"headerless-{codec}.csv"
        rows = "".join(f"{i},hanako{i}@example.jp,東京都\n" for i in range(6))
        path.write_bytes((f"{MY_NUMBER},{EMAIL},東京都\n" + rows).encode(codec))
        code, out, err = _scan(str(path), "--format", "jsonl")
        assert code == 0, err
        records = [json.loads(line) for line in out.splitlines()]
        columns = [r["column"] for r in records if r["record"] == "column"]
        assert columns == ["column 1", "column 2", "東京都"]
        cells = {r["location"]["column"] for r in records if r["record"] == "finding"}
        assert cells == {"column 2"}
        assert MY_NUMBER not in out
        assert EMAIL not in out
        code, out, _ = _scan(str(path))
        assert code == 0
        assert f"{path}.column 2[1]" in out
        assert MY_NUMBER not in out
        assert EMAIL not in out
