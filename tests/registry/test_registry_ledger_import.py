"""``kojin ledger import``: the files users have (UTF-8 with or without BOM, Shift_JIS named or
detected) and messages that name lines and columns, never what the cells hold."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kojin.cli import app
from kojin.db.uow import Database
from kojin.registry.bootstrap import sample_ledger_text
from kojin.registry.ledger.models import LedgerEntry

MY_NUMBER = "123456789018"  # a valid check digit
EMAIL = "taro.yamada@example.jp"


@pytest.fixture
def home(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kojin-home"
    monkeypatch.setenv("KOJIN_HOME", str(path))
    monkeypatch.setenv("KOJIN_DATABASE_URL", db_url)
    monkeypatch.delenv("KOJIN_MASTER_KEY", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return path


def _rows() -> list[dict[str, str]]:
    """The sample ledger with Japanese descriptions (what a Japanese office types in Excel)."""
    rows = list(csv.DictReader(io.StringIO(sample_ledger_text())))
    for number, row in enumerate(rows, start=1):
        row["item"] = f"顧客台帳{number}（氏名・住所・電話番号）"
        row["responsible_department"] = "お客様相談室"
    return rows


def _csv(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _count(db_url: str) -> int:
    database = Database.from_url(db_url)
    try:
        with database.read() as session:
            return int(session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one())
    finally:
        database.dispose()


def _import(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["ledger", "import", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("codec", "option"),
    [
        ("cp932", None),  # Shift_JIS as Excel writes it, detected
        ("utf-8-sig", None),  # UTF-8 with a byte order mark
        ("utf-8", None),
        ("cp932", "sjis"),  # named
        ("euc_jp", "euc-jp"),  # named
    ],
)
def test_import_reads_the_encodings_users_have(
    home: Path, tmp_path: Path, db_url: str, codec: str, option: str | None
) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(_csv(_rows()).encode(codec))
    code, out, err = _import(str(path), *(("--encoding", option) if option else ()))
    assert code == 0, err
    assert "8 created" in out
    database = Database.from_url(db_url)
    try:
        with database.read() as session:
            items = set(session.execute(select(LedgerEntry.item)).scalars())
    finally:
        database.dispose()
    assert "顧客台帳1（氏名・住所・電話番号）" in items


def test_an_undecodable_file_is_one_line_without_its_content(
    home: Path, tmp_path: Path, db_url: str
) -> None:
    text = _csv(_rows())
    lines = text.split("\r\n")
    head = "\r\n".join(lines[:3]) + "\r\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes(head.encode("utf-8") + "\r\n".join(lines[3:]).encode("cp932"))
    code, out, err = _import(str(path), "--encoding", "utf-8")
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"kojin: error: {path}: not readable as UTF-8 (byte ")
    assert "--encoding" in err
    assert "顧客台帳" not in err
    assert "お客様相談室" not in err
    assert out == ""
    assert _count(db_url) == 0


def test_an_unknown_encoding_name_is_refused(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(_csv(_rows()), encoding="utf-8")
    code, _, err = _import(str(path), "--encoding", "klingon")
    assert code == 2
    assert "not an encoding kojin knows" in err


def test_problems_name_positions_not_values(home: Path, tmp_path: Path, db_url: str) -> None:
    """A header cell that is data (a file without a header row), a cell holding personal data
    where a number belongs, an id nobody has and a ragged row: every problem is reported by line
    and column, and none of the values appears."""
    rows = _rows()
    header = [*rows[0], MY_NUMBER, EMAIL]  # data in the header row
    path = tmp_path / "bad-header.csv"
    path.write_text(_csv(rows, header), encoding="utf-8")
    code, out, err = _import(str(path))
    assert code == 2
    positions = f"{len(rows[0]) + 1}, {len(rows[0]) + 2}"
    assert f"line 1: unknown column(s) at position {positions}" in err
    assert MY_NUMBER not in err + out
    assert EMAIL not in err + out

    rows[1]["record_count"] = EMAIL
    rows[2]["storage_country"] = MY_NUMBER
    rows[3]["id"] = EMAIL
    text = _csv(rows, ["id", *rows[0]]) + f"{MY_NUMBER},{EMAIL},x,y," + "z," * 30 + "\r\n"
    path = tmp_path / "bad-rows.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = _import(str(path))
    assert code == 2
    assert "line 3, column record_count" in err
    assert "line 4, column storage_country" in err
    assert "line 5, column id: no ledger entry has this id" in err
    assert "line 10: more cells than columns" in err
    assert MY_NUMBER not in err + out
    assert EMAIL not in err + out
    assert _count(db_url) == 0


def test_a_repeated_column_is_named_by_both_positions(home: Path, tmp_path: Path) -> None:
    rows = _rows()
    header = list(rows[0])
    text = _csv(rows, header).replace(",pi_kinds\r\n", ",pi_kinds,category\r\n", 1)
    path = tmp_path / "repeat.csv"
    path.write_text(text, encoding="utf-8")
    code, _, err = _import(str(path))
    assert code == 2
    assert f"line 1, column {len(header) + 1}: repeats column 2 (category)" in err
