"""``kojin scan``: table and JSON-lines output, masked values only, clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kojin.cli import app
from kojin.discovery import parallel

SECRETS = ("123456789018", "1234 5678 9018", "taro@example.com", "03-1234-5678", "山田 太郎")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "memo.txt").write_text(
        "氏名：山田 太郎\n"
        "マイナンバー 1234 5678 9018 電話03-1234-5678\n"
        "メールtaro@example.comまで\n",
        encoding="utf-8",
    )
    (tmp_path / "list.csv").write_text(
        "name,email\n山田 太郎,taro@example.com\n佐藤 花子,hanako@example.jp\n", encoding="utf-8"
    )
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("taro@example.com", encoding="utf-8")
    return tmp_path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["scan", *args])
    return result.exit_code, result.stdout, result.stderr


def test_jsonl_output(tree: Path) -> None:
    code, out, _ = _run(str(tree), "--format", "jsonl")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    findings = [r for r in records if r["record"] == "finding"]
    memo = [
        (r["type"], r["location"]["line"], r["location"]["column"])
        for r in findings
        if r["location"].get("file", "").endswith("memo.txt")
    ]
    assert memo == [
        ("person_name", 1, 3),
        ("my_number", 2, 7),
        ("phone_number", 2, 24),
        ("email", 3, 3),
    ]
    columns = {r["column"]: r["kind"] for r in records if r["record"] == "column"}
    assert columns == {"name": "person_name", "email": "email"}
    summary = records[-1]
    assert summary["record"] == "summary"
    assert summary["findings"]["email"] == 3  # memo.txt and two rows; .git is skipped
    for secret in SECRETS:
        assert secret not in out


def test_table_output(tree: Path) -> None:
    code, out, _ = _run(str(tree / "memo.txt"))
    assert code == 0
    assert "Findings" in out
    assert "Summary" in out
    assert "**** **** ****" in out
    for secret in SECRETS:
        assert secret not in out


def test_database_url(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'shop.sqlite3').as_posix()}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE members (id INTEGER PRIMARY KEY, mobile TEXT)"))
        conn.execute(
            sa.text("INSERT INTO members VALUES (7, '090-1234-5678'), (9, '080-2222-3333')")
        )
    engine.dispose()
    code, out, _ = _run("--url", url, "--format", "jsonl", "--sample", "0")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    keys = sorted(r["location"]["row_key"] for r in records if r["record"] == "finding")
    assert keys == ["7", "9"]
    columns = {r["column"]: r["kind"] for r in records if r["record"] == "column"}
    assert columns == {"id": None, "mobile": "phone_number"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "PATH"),
        (("/no/such/path",), "no such file"),
        (("--url", "nosuchdb://x"), "database URL"),
        (("--table", "t", "."), "--table needs --url"),
        ((".", "--min-score", "2"), "--min-score"),
        ((".", "--sample", "-1"), "sample"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    code, out, err = _run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_the_command_module_loads_no_scanning_library() -> None:
    """``kojin --help`` imports every command module: the scan command's must stay light (the
    scan service, RE2, DuckDB, Arrow, SQLAlchemy and NumPy load inside the command)."""
    heavy = ("re2", "duckdb", "pyarrow", "sqlalchemy", "numpy", "kojin.discovery.service")
    code = f"import sys, kojin.cli.scan; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_worker_processes_write_what_one_process_writes(tmp_path: Path) -> None:
    """A file large enough for workers: ``--jobs 2`` and ``--jobs 1`` print the same lines."""
    line = "氏名：山田 太郎 電話03-1234-5678 メールtaro@example.comまで。" + "本日は晴天なり。" * 20
    big = tmp_path / "big.txt"
    big.write_text((line + "\n") * (4_300_000 // len(line.encode())), encoding="utf-8")
    assert big.stat().st_size >= parallel.PARALLEL_MIN_BYTES
    code_one, one, _ = _run(str(big), "--format", "jsonl", "--jobs", "1")
    code_two, two, _ = _run(str(big), "--format", "jsonl", "--jobs", "2")
    assert code_one == code_two == 0
    assert two == one
    assert json.loads(one.splitlines()[-1])["findings"]["email"] > 5_000


def test_jobs_below_one_are_refused(tree: Path) -> None:
    code, out, err = _run(str(tree), "--jobs", "0")
    assert code == 2
    assert out == ""
    assert err.strip() == "kojin: error: jobs must be 1 (no worker processes) or more"
