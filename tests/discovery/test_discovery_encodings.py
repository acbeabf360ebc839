"""``kojin scan`` reads text and CSV files as users have them: UTF-8 with or without a byte order
mark, Shift_JIS/CP932 (detected, or named with ``--encoding``), EUC-JP named. A file that is not
text in its encoding stops the scan with one line naming the file, the byte and the line, never
the bytes; what was found before it is the same with worker processes and without."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kojin.cli import app
from kojin.discovery import parallel

MEMO = "顧客メモ\n氏名：山田 太郎\n電話は090-1234-5678です\nメールtaro@example.comまで\n"
TABLE = (
    "氏名,メール,電話\n"
    "山田 太郎,taro@example.com,090-1234-5678\n"
    "佐藤 花子,hanako@example.jp,080-2222-3333\n"
)
SECRETS = ("山田 太郎", "taro@example.com", "090-1234-5678", "hanako@example.jp", "080-2222-3333")


def _scan(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["scan", *args, "--format", "jsonl"])
    return result.exit_code, result.stdout, result.stderr


def _findings(out: str) -> list[tuple[str, int, int]]:
    records = [json.loads(line) for line in out.splitlines()]
    return [
        (r["type"], r["location"].get("line", 0), r["location"]["start"])
        for r in records
        if r["record"] == "finding" and "file" in r["location"]
    ]


def _columns(out: str) -> dict[str, str | None]:
    records = [json.loads(line) for line in out.splitlines()]
    return {r["column"]: r["kind"] for r in records if r["record"] == "column"}


EXPECTED_MEMO = [("person_name", 2, 3), ("phone_number", 3, 3), ("email", 4, 3)]
EXPECTED_COLUMNS = {"氏名": "person_name", "メール": "email", "電話": "phone_number"}


@pytest.mark.parametrize(
    ("codec", "option"),
    [
        ("utf-8", None),
        ("utf-8-sig", None),
        ("cp932", None),
        ("cp932", "sjis"),
        ("cp932", "Shift_JIS"),
        ("euc_jp", "euc-jp"),
        ("utf-8-sig", "utf-8"),
    ],
)
def test_text_and_csv_files_in_the_encodings_users_have(
    tmp_path: Path, codec: str, option: str | None
) -> None:
    memo = tmp_path / "memo.txt"
    memo.write_bytes(MEMO.encode(codec))
    table = tmp_path / "customers.csv"
    table.write_bytes(TABLE.encode(codec))
    args = [str(memo), str(table)] + (["--encoding", option] if option else [])
    code, out, err = _scan(*args)
    assert code == 0, err
    assert _findings(out) == EXPECTED_MEMO
    assert _columns(out) == EXPECTED_COLUMNS
    summary = json.loads(out.splitlines()[-1])
    assert summary["findings"]["email"] == 3
    for secret in SECRETS:
        assert secret not in out


def test_a_file_named_in_the_wrong_encoding_is_one_line_without_its_content(
    tmp_path: Path,
) -> None:
    memo = tmp_path / "memo.txt"
    memo.write_bytes(MEMO.encode("cp932"))
    code, out, err = _scan(str(memo), "--encoding", "utf-8")
    assert code == 2
    assert err == (
        f"kojin: error: {memo}: not readable as UTF-8 (byte 0, line 1); "
        "name the file's encoding with --encoding (utf-8, cp932, euc-jp)\n"
    )
    assert _findings(out) == []
    table = tmp_path / "customers.csv"
    table.write_bytes(TABLE.encode("cp932"))
    code, out, err = _scan(str(table), "--encoding", "utf-8")
    assert code == 2
    assert err.count("\n") == 1
    assert f"{table}: not readable as UTF-8 (byte 0, line 1)" in err
    for secret in (*SECRETS, "氏名", "メール"):
        assert secret not in err + out


def test_an_unknown_encoding_is_refused_before_any_output(tmp_path: Path) -> None:
    memo = tmp_path / "memo.txt"
    memo.write_text(MEMO, encoding="utf-8")
    code, out, err = _scan(str(memo), "--encoding", "klingon")
    assert code == 2
    assert out == ""
    assert err.startswith("kojin: error: --encoding klingon: not an encoding kojin knows")


GOOD = "氏名：山田 太郎 電話03-1234-5678 メールtaro@example.comまで。本日は晴天なり。\n"
GOOD_LINES = 300_000 // len(GOOD.encode())


@pytest.fixture
def turns_bad(tmp_path: Path) -> Path:
    """A file whose first 300 KB are UTF-8 (so detected as UTF-8) with a Shift_JIS line later."""
    path = tmp_path / "turns-bad.txt"
    tail = "電話 080-2222-3333 佐藤 花子\n".encode("cp932")
    path.write_bytes((GOOD * GOOD_LINES).encode() + tail + GOOD.encode() * 10)
    return path


def test_a_file_that_turns_out_undecodable_stops_the_scan_after_what_came_before(
    turns_bad: Path,
) -> None:
    code, out, err = _scan(str(turns_bad), "--jobs", "1")
    assert code == 2
    assert err == (
        f"kojin: error: {turns_bad}: not readable as UTF-8 "
        f"(byte {len((GOOD * GOOD_LINES).encode())}, line {GOOD_LINES + 1}); "
        "name the file's encoding with --encoding (utf-8, cp932, euc-jp)\n"
    )
    found = _findings(out)
    assert len(found) == 3 * GOOD_LINES  # every line before the bad one, none after
    assert found[-1][1] == GOOD_LINES
    assert "080-2222-3333" not in err + out
    assert "佐藤" not in err


@pytest.mark.skipif(not parallel.can_fork(), reason="worker processes need fork")
def test_worker_processes_stop_at_the_same_place(
    turns_bad: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_CHUNK_SIZE", 20_000)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 40_000)
    one = _scan(str(turns_bad), "--jobs", "1")
    two = _scan(str(turns_bad), "--jobs", "2")
    assert one[0] == two[0] == 2
    assert two == one


@pytest.mark.skipif(not parallel.can_fork(), reason="worker processes need fork")
def test_worker_processes_read_bom_and_shift_jis_files_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_CHUNK_SIZE", 2_000)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 4_000)
    paths = []
    for codec in ("utf-8-sig", "cp932", "utf-8"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes((MEMO * 200).encode(codec))
        paths.append(str(path))
    one = _scan(*paths, "--jobs", "1")
    two = _scan(*paths, "--jobs", "2")
    assert one[0] == 0, one[2]
    assert two == one
    assert _findings(one[1])[:3] == EXPECTED_MEMO
