"""Both ends of a finding: ``line[start:end]`` (or ``cell[start:end]``) is exactly the value found,
in the Python API and in the JSON lines of ``kojin scan``, whatever the file's encoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kojin.cli import app
from kojin.discovery import service
from kojin.discovery.columns import ColumnClass
from kojin.discovery.masking import mask
from kojin.discovery.model import CellLocation, TextLocation

#: Lines mixing Japanese and ASCII (full-width forms, several findings a line) and the values in
#: each, in order.
LINES: list[tuple[str, list[str]]] = [
    (
        "氏名：山田 太郎、メールはtaro@example.comまで。電話03-1234-5678",
        ["山田 太郎", "taro@example.com", "03-1234-5678"],
    ),
    (
        "マイナンバー １２３４ ５６７８ ９０１８ を提出、Ship to Tokyo 160-0023",
        ["１２３４ ５６７８ ９０１８", "160-0023"],
    ),
    ("本日は晴天なり。", []),
    (
        "ＴＥＬ０９０－１２３４－５６７８ 〒１００－０００１ 東京都千代田区丸の内1-2-3",
        ["０９０－１２３４－５６７８", "１００－０００１", "東京都千代田区丸の内1-2-3"],
    ),
    (
        "Dear John Smith, card 4111 1111 1111 1111 was charged.",
        ["John Smith", "4111 1111 1111 1111"],
    ),
]
#: A character outside the Basic Multilingual Plane: four bytes of UTF-8, one Python character.
ASTRAL = (
    "🎌 お届け先：〒530-0001 大阪府大阪市北区梅田1-1",
    ["530-0001", "大阪府大阪市北区梅田1-1"],
)
SECRETS = ("taro@example.com", "03-1234-5678", "4111 1111 1111 1111", "１２３４ ５６７８ ９０１８")


def _lines(codec: str, astral: bool) -> list[tuple[str, list[str]]]:
    lines = [*LINES, ASTRAL] if astral else LINES
    if codec != "euc_jp":
        return lines
    # EUC-JP has no full-width hyphen-minus (U+FF0D): its minus sign (U+2212) instead.
    return [
        (text.replace("－", "−"), [value.replace("－", "−") for value in values])
        for text, values in lines
    ]


def _write(path: Path, lines: list[tuple[str, list[str]]], codec: str, newline: str) -> None:
    path.write_bytes(newline.join(text for text, _ in lines).encode(codec) + newline.encode())


def _source_lines(path: Path, codec: str) -> list[str]:
    """The file's lines as a reader decodes them: without newlines and byte order mark."""
    text = path.read_bytes().decode("utf-8-sig" if codec.startswith("utf-8") else codec)
    return [line.removesuffix("\r") for line in text.split("\n")]


VARIANTS = [
    ("utf-8", "\n", True),
    ("utf-8-sig", "\n", True),  # a byte order mark before line 1
    ("utf-8", "\r\n", True),
    ("cp932", "\r\n", False),  # Shift_JIS as Excel writes it (no emoji there)
    ("euc_jp", "\n", False),
]


@pytest.mark.parametrize(("codec", "newline", "astral"), VARIANTS)
def test_python_api_spans_cut_out_the_values(
    tmp_path: Path, codec: str, newline: str, astral: bool
) -> None:
    lines = _lines(codec, astral)
    path = tmp_path / "memo.txt"
    _write(path, lines, codec, newline)
    source = _source_lines(path, codec)
    scanner = service.build_scanner()
    encoding = "euc-jp" if codec == "euc_jp" else None  # EUC-JP named; the others detected
    found: dict[int, list[str]] = {}
    for batch in service.scan(scanner=scanner, paths=[path], encoding=encoding):
        assert not isinstance(batch, ColumnClass)
        for finding in batch:
            loc = finding.location
            assert isinstance(loc, TextLocation)
            assert loc.start == loc.column
            assert loc.end == loc.column + loc.length
            value = source[loc.line - 1][loc.start : loc.end]
            spec = scanner.registry.get(finding.kind)
            assert mask(value, spec.mask) == finding.masked
            found.setdefault(loc.line, []).append(value)
            assert finding.as_dict()["location"] == {
                "file": str(path),
                "line": loc.line,
                "column": loc.start,
                "start": loc.start,
                "end": loc.end,
            }
    expected = {number: values for number, (_, values) in enumerate(lines, start=1) if values}
    assert found == expected


@pytest.mark.parametrize(("codec", "newline", "astral"), VARIANTS)
def test_json_lines_carry_start_and_end(
    tmp_path: Path, codec: str, newline: str, astral: bool
) -> None:
    lines = _lines(codec, astral)
    path = tmp_path / "memo.txt"
    _write(path, lines, codec, newline)
    source = _source_lines(path, codec)
    args = ["scan", str(path), "--format", "jsonl"]
    if codec == "euc_jp":
        args += ["--encoding", "euc-jp"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    values = [
        source[r["location"]["line"] - 1][r["location"]["start"] : r["location"]["end"]]
        for r in records
        if r["record"] == "finding"
    ]
    assert values == [value for _, expected in lines for value in expected]
    assert all(
        r["location"]["start"] == r["location"]["column"]
        for r in records
        if r["record"] == "finding"
    )
    for secret in SECRETS:
        assert secret not in result.stdout


def test_cell_findings_carry_offsets_in_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    cells = [
        ("  taro@example.com ", "連絡は hanako@example.jp まで、電話03-1234-5678"),
        ("jiro@example.co.jp", "特になし"),
    ]
    path.write_text(
        "email,memo\n" + "".join(f'"{email}","{memo}"\n' for email, memo in cells),
        encoding="utf-8",
    )
    scanner = service.build_scanner()
    values: list[tuple[str, str]] = []
    for result in service.scan(scanner=scanner, paths=[path]):
        if isinstance(result, service.ColumnClass):
            continue
        for finding in result:
            loc = finding.location
            assert isinstance(loc, CellLocation)
            assert loc.start is not None
            assert loc.end is not None
            row = cells[int(loc.row_key) - 1]
            cell = row[0] if loc.column == "email" else row[1]
            values.append((loc.column, cell[loc.start : loc.end]))
            where = finding.as_dict()["location"]
            assert isinstance(where, dict)
            assert (where["start"], where["end"]) == (loc.start, loc.end)
    assert sorted(values) == sorted(
        [
            ("email", "taro@example.com"),
            ("email", "jiro@example.co.jp"),
            ("memo", "hanako@example.jp"),
            ("memo", "03-1234-5678"),
        ]
    )
