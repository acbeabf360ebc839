"""Japanese files as users have them: UTF-8 with or without a BOM, Shift_JIS/CP932 (what Excel
writes in Japan) detected, or any encoding named with ``--encoding``; messages about a file's
content name rows and columns, never values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deid_checker import read_rows
from deid_data import pseudonymize_args, write_roles
from typer.testing import CliRunner

from kojin.cli import app

runner = CliRunner()

SEXES = ("男性", "女性")
JOBS = ("会社員", "教員", "表具師")  # 表 is 0x95 0x5C in Shift_JIS: a backslash as second byte
HIERARCHY = "男性;性別不問;*\n女性;性別不問;*\n"


def _survey(rows: int = 60) -> str:
    lines = ["性別,年齢,職業,氏名"]
    lines += [f"{SEXES[i % 2]},{20 + i % 40},{JOBS[i % 3]},山田{i:03d}" for i in range(rows)]
    return "\n".join(lines) + "\n"


def _anonymize(source: Path, hierarchy: Path, out: Path, *extra: str) -> list[str]:
    return [
        "anonymize",
        str(source),
        "--qi",
        f"性別={hierarchy}",
        "--qi-auto",
        "年齢",
        "--sensitive",
        "職業",
        "--k",
        "5",
        "--output",
        str(out),
        *extra,
    ]


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def _released(out: Path) -> list[dict[str, str]]:
    rows = read_rows(out, delimiter=",")  # output is UTF-8 whatever the input was
    assert rows
    return rows


def test_shift_jis_input_and_hierarchy_are_detected(tmp_path: Path) -> None:
    source, hierarchy = tmp_path / "survey.csv", tmp_path / "sex.csv"
    source.write_bytes(_survey().encode("cp932"))
    hierarchy.write_bytes(HIERARCHY.encode("cp932"))
    out = tmp_path / "release" / "survey.csv"
    result = runner.invoke(app, _anonymize(source, hierarchy, out))
    assert result.exit_code == 0, result.stderr
    rows = _released(out)
    assert list(rows[0]) == ["性別", "年齢", "職業"]  # 氏名 is deleted
    assert {row["職業"] for row in rows} == set(JOBS)
    assert {row["性別"] for row in rows} <= {*SEXES, "性別不問"}
    assert json.loads(result.stdout.splitlines()[-1])["smallest_class"] >= 5


def test_utf8_with_a_bom_names_its_first_column_without_it(tmp_path: Path) -> None:
    source, hierarchy = tmp_path / "survey.csv", tmp_path / "sex.csv"
    source.write_bytes(b"\xef\xbb\xbf" + _survey().encode("utf-8"))
    hierarchy.write_bytes(b"\xef\xbb\xbf" + HIERARCHY.encode("utf-8"))
    out = tmp_path / "release" / "survey.csv"
    result = runner.invoke(app, _anonymize(source, hierarchy, out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith("性別,年齢,職業\n".encode())


def test_an_encoding_named_with_the_option(tmp_path: Path) -> None:
    source, hierarchy = tmp_path / "survey.csv", tmp_path / "sex.csv"
    source.write_bytes(_survey().encode("euc_jp"))
    hierarchy.write_bytes(HIERARCHY.encode("euc_jp"))
    out = tmp_path / "release" / "survey.csv"
    result = runner.invoke(app, _anonymize(source, hierarchy, out, "--encoding", "euc-jp"))
    assert result.exit_code == 0, result.stderr
    assert {row["職業"] for row in _released(out)} == set(JOBS)
    # named wrongly, the same file is refused in one line naming the encoding and a byte
    wrong = runner.invoke(app, _anonymize(source, hierarchy, out, "--encoding", "utf-8"))
    assert wrong.exit_code == 2
    line = _one_line(wrong.stderr)
    assert line.startswith("kojin: error: ")
    assert "not readable as UTF-8 (byte " in line
    assert "--encoding" in line


def test_pseudonymize_reads_shift_jis_with_the_option_or_without(tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    source.write_bytes(_survey().encode("cp932"))
    roles = write_roles(
        tmp_path / "roles.yaml",
        {
            "性別": "quasi_identifier",
            "年齢": "quasi_identifier",
            "職業": "other",
            "氏名": "direct_identifier",
        },
    )
    keys = tmp_path / "secret"
    for extra in ([], ["--encoding", "sjis"]):
        out = tmp_path / "out" / f"members{len(extra)}.csv"
        result = runner.invoke(
            app,
            pseudonymize_args(
                source, roles=roles, output=out, key_file=keys / "k.json", extra=extra
            ),
        )
        assert result.exit_code == 0, result.stderr
        rows = _released(out)
        assert rows[0]["職業"] == "会社員"
        assert rows[0]["氏名"] != "山田000"
        assert len(rows[0]["氏名"]) == 32


def test_an_undecodable_file_is_one_line_without_its_content(tmp_path: Path) -> None:
    source = tmp_path / "survey.csv"
    content = "性別,年齢,番号\n男性,30,123456789018\n".encode("cp932")
    source.write_bytes(content + b"\x85\x40,41,987654321018\n")  # 0x85 0x40: no CP932 character
    out = tmp_path / "release" / "survey.csv"
    result = runner.invoke(
        app, ["anonymize", str(source), "--qi-auto", "年齢", "--k", "2", "-o", str(out)]
    )
    assert result.exit_code == 2
    line = _one_line(result.stderr)
    assert line == (
        f"kojin: error: survey.csv: not readable as Shift_JIS (CP932) (byte {len(content)}); "
        "name the file's encoding with --encoding (utf-8, cp932, euc-jp)"
    )
    assert not out.parent.exists()


def test_an_unknown_encoding_name_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "survey.csv"
    source.write_text(_survey(), encoding="utf-8")
    result = runner.invoke(
        app,
        ["anonymize", str(source), "--qi-auto", "年齢", "--k", "2", "-o", str(tmp_path / "o.csv")],
    )
    assert result.exit_code == 0, result.stderr
    named = runner.invoke(
        app,
        [
            "anonymize",
            str(source),
            "--encoding",
            "klingon",
            "--qi-auto",
            "年齢",
            "--k",
            "2",
            "-o",
            str(tmp_path / "o2.csv"),
        ],
    )
    assert named.exit_code == 2
    assert "not an encoding kojin knows" in _one_line(named.stderr)
    assert not (tmp_path / "o2.csv").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "性別,年齢\n男性,30\n女性,40,123456789018\n男性,50\n",
            "survey.csv: row 2 (line 3) has 3 fields where the header has 2",
        ),
        (
            "性別,年齢,性別\n男性,30,123456789018\n",
            "survey.csv: columns 1 and 3 of the header have the same name; every column needs "
            "its own",
        ),
        (
            # no header row: the first record would be taken for one
            "山田太郎,30,123456789018\n鈴木花子,41,987654321018\n",
            "unknown column '年齢': the input has no such column (it has 3 columns; its first "
            "row must name them)",
        ),
    ],
)
def test_messages_about_a_files_content_name_rows_not_values(
    tmp_path: Path, content: str, message: str
) -> None:
    source = tmp_path / "survey.csv"
    source.write_bytes(content.encode("cp932"))
    result = runner.invoke(
        app,
        ["anonymize", str(source), "--qi-auto", "年齢", "--k", "2", "-o", str(tmp_path / "o.csv")],
    )
    assert result.exit_code == 2
    line = _one_line(result.stderr)
    assert line == f"kojin: error: {message}"
    for value in ("123456789018", "987654321018", "山田太郎", "男性", "女性"):
        assert value not in line
    assert not (tmp_path / "o.csv").exists()
