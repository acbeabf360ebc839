"""Text files: lines and character columns, chunk boundaries, Shift_JIS, binary files."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from kojin.discovery.batches import TextFindings
from kojin.discovery.detector_catalogue import builtin_registry
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Finding, TextLocation
from kojin.discovery.text_scan import scan_stream_batches, text_file_batches

LINES = [
    "本日は晴天なり。",
    "氏名：山田 太郎、メールはtaro@example.comまで。",
    "",
    "The quick brown fox. Call 03-1234-5678 today.",
    "マイナンバー １２３４ ５６７８ ９０１８ を提出",
]


@pytest.fixture(scope="module")
def matcher() -> Re2Matcher:
    return Re2Matcher(builtin_registry())


def _flat(batches: Iterable[TextFindings]) -> list[Finding]:
    return [finding for batch in batches for finding in batch]


def _expected() -> list[tuple[str, int, int, int]]:
    values = {
        "person_name": "山田 太郎",
        "email": "taro@example.com",
        "phone_number": "03-1234-5678",
        "my_number": "１２３４ ５６７８ ９０１８",
    }
    out = []
    for number, line in enumerate(LINES, start=1):
        for kind, value in values.items():
            if value in line:
                out.append((kind, number, line.index(value), len(value)))
    return sorted(out, key=lambda t: (t[1], t[2]))


def _located(findings: Sequence[Finding]) -> list[tuple[str, int, int, int]]:
    out = []
    for f in findings:
        loc = f.location
        assert isinstance(loc, TextLocation)
        out.append((f.kind, loc.line, loc.column, loc.length))
    return out


@pytest.mark.parametrize("chunk_size", [7, 64, 1 << 20])
def test_lines_and_columns_survive_any_chunk_size(matcher: Re2Matcher, chunk_size: int) -> None:
    data = ("\n".join(LINES) + "\n").encode() * 3
    findings = _flat(
        scan_stream_batches(io.BytesIO(data), matcher=matcher, path="t", chunk_size=chunk_size)
    )
    expected = _expected()
    repeated = [
        (kind, line + n * len(LINES), col, length)
        for n in range(3)
        for kind, line, col, length in expected
    ]
    assert _located(findings) == repeated


def test_findings_carry_masked_values_only(matcher: Re2Matcher, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("\n".join(LINES), encoding="utf-8")
    findings = _flat(text_file_batches(path, matcher=matcher))
    rendered = repr([f.as_dict() for f in findings])
    for secret in ("taro@", "1234-5678", "１２３４", "太郎"):
        assert secret not in rendered
    assert {f.masked for f in findings} >= {"t***@example.com", "**-****-5678"}


def test_shift_jis_files_are_read(matcher: Re2Matcher, tmp_path: Path) -> None:
    path = tmp_path / "sjis.txt"
    path.write_bytes("顧客メモ\n電話は090-1234-5678です\n".encode("cp932"))
    findings = _flat(text_file_batches(path, matcher=matcher))
    assert _located(findings) == [("phone_number", 2, 3, 13)]


def test_binary_files_are_skipped(matcher: Re2Matcher, tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(b"\x00\x01taro@example.com")
    assert _flat(text_file_batches(path, matcher=matcher)) == []


def test_progress_reports_every_byte(matcher: Re2Matcher) -> None:
    data = ("\n".join(LINES) + "\n").encode() * 50
    seen: list[int] = []
    _flat(
        scan_stream_batches(
            io.BytesIO(data), matcher=matcher, path="t", chunk_size=100, on_bytes=seen.append
        )
    )
    assert sum(seen) == len(data)
