"""``kojin ledger import`` / ``ledger due`` / ``records purge`` against hostile input: one clean
error line (exit 2) naming the line, byte or option, never a traceback and never the value."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from kojin.cli import app
from kojin.db.uow import Database
from kojin.registry.bootstrap import sample_ledger_text
from kojin.registry.ledger.models import LedgerEntry

MY_NUMBER = "123456789018"  # a valid check digit
EMAIL = "taro.yamada@example.jp"
UNDECLARED = "taro_yamada_123456789018"


@pytest.fixture
def home(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kojin-home"
    monkeypatch.setenv("KOJIN_HOME", str(path))
    monkeypatch.setenv("KOJIN_DATABASE_URL", db_url)
    monkeypatch.delenv("KOJIN_MASTER_KEY", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return path


def _count(db_url: str) -> int:
    database = Database.from_url(db_url)
    try:
        with database.read() as session:
            return int(session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one())
    finally:
        database.dispose()


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(sample_ledger_text())))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))
    return path


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _clean_failure(result: Result) -> str:
    """The one error line of a refused command (exit 2, no traceback, nothing on stdout)."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    for secret in (MY_NUMBER, EMAIL, UNDECLARED):
        assert secret not in result.output
    return result.stderr


def test_rows_in_words_the_policy_does_not_declare_are_refused_by_line(
    home: Path, tmp_path: Path, db_url: str
) -> None:
    rows = _rows()
    rows[1]["category"] = UNDECLARED  # line 3
    rows[2]["purposes"] = f"{UNDECLARED};provide_services"  # line 4
    rows[3]["pi_kinds"] = EMAIL  # line 5
    err = _clean_failure(_run("ledger", "import", str(_write(tmp_path / "l.csv", rows))))
    assert "line 3, column category: not a category the policy declares" in err
    assert "line 4, column purposes (value 1): not a purpose the policy declares" in err
    assert "line 5, column pi_kinds" in err
    assert _count(db_url) == 0


def test_undecodable_bytes_name_the_byte_and_line(home: Path, tmp_path: Path, db_url: str) -> None:
    lines = sample_ledger_text().splitlines(keepends=True)
    head = "".join(lines[:4]).encode()
    path = tmp_path / "broken.csv"
    path.write_bytes(head + b"\x80\xff" + "".join(lines[4:]).encode())
    err = _clean_failure(_run("ledger", "import", str(path), "--encoding", "utf-8"))
    assert f"not readable as UTF-8 (byte {len(head)}, line 5)" in err
    assert err.count("\n") == 1
    assert _count(db_url) == 0


@pytest.mark.parametrize("encoding", ["rot13", "hex", "unicode_escape", "utf-7", "bz2_codec"])
def test_an_encoding_that_reads_no_plain_text_is_refused(
    home: Path, tmp_path: Path, db_url: str, encoding: str
) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(sample_ledger_text().replace("Building visitor log", "\\ud800"), "utf-8")
    err = _clean_failure(_run("ledger", "import", str(path), "--encoding", encoding))
    assert "not an encoding kojin reads CSV in" in err
    assert _count(db_url) == 0


@pytest.mark.parametrize(
    ("cell", "value"),
    [("item", f"{EMAIL}\x00"), ("record_count", str(2**63)), ("last_reviewed", "0001-01-01")],
)
def test_unstorable_or_out_of_range_cells_are_refused_by_line(
    home: Path, tmp_path: Path, db_url: str, cell: str, value: str
) -> None:
    rows = _rows()
    rows[2][cell] = value
    err = _clean_failure(_run("ledger", "import", str(_write(tmp_path / "l.csv", rows))))
    assert f"line 4, column {cell}" in err
    assert _count(db_url) == 0


def test_a_cell_beyond_the_csv_field_limit_is_one_line(
    home: Path, tmp_path: Path, db_url: str
) -> None:
    rows = _rows()
    rows[0]["access"] = "x" * 200_000
    err = _clean_failure(_run("ledger", "import", str(_write(tmp_path / "l.csv", rows))))
    assert "line 2: not readable as CSV" in err


@pytest.mark.parametrize("today", ["0001-01-01", "9999-12-31"])
def test_ledger_due_out_of_range_is_refused(home: Path, today: str) -> None:
    err = _clean_failure(_run("ledger", "due", "--today", today))
    assert "between 1900-01-01 and 9998-12-31" in err


@pytest.mark.parametrize(
    "now", ["9999-12-31T23:59:59-10:00", "0001-01-01T00:00:00+09:00", "0001-01-01"]
)
def test_records_purge_out_of_range_is_refused(home: Path, now: str) -> None:
    err = _clean_failure(_run("records", "purge", "--now", now))
    assert "between 1900 and 9998" in err


def test_bad_options_are_named_not_echoed(home: Path) -> None:
    err = _clean_failure(_run("ledger", "due", "--today", EMAIL))
    assert "--today" in err
    err = _clean_failure(_run("records", "purge", "--now", MY_NUMBER))
    assert "--now" in err
