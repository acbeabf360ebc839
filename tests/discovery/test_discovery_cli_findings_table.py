"""``kojin scan`` table output: the findings are aligned columns, in terminal cells (CJK file
names take two cells a character), with masked values only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from kojin.cli import app

_SCORE = re.compile(r"(?<=  )[01]\.[0-9]{2}(?=  )")


def _score_cell(row: str) -> int:
    """Terminal cell at which the row's score starts."""
    score = _SCORE.search(row)
    assert score is not None, row
    return cell_len(row[: score.start()])


def _finding_rows(out: str) -> list[str]:
    lines = out.splitlines()
    start = lines.index("Findings")
    rows = []
    for line in lines[start + 3 :]:  # title, header, rule
        if not line.strip():
            break
        rows.append(line)
    return rows


@pytest.mark.parametrize("name", ["memo.txt", "顧客メモ.txt"])
def test_findings_columns_line_up(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(
        "電話03-1234-5678\n法人番号7123456789012の会社\n" + "x\n" * 9 + "メールtaro@example.com\n",
        encoding="utf-8",
    )
    (tmp_path / "a.txt").write_text("携帯 090-1234-5678\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    rows = _finding_rows(result.stdout)
    assert len(rows) == 4
    assert any("(not personal)" in row for row in rows)  # the corporate number
    # The score column starts at the same terminal cell on every row and on the header.
    header = result.stdout.splitlines()[result.stdout.splitlines().index("Findings") + 1]
    score_cells = {_score_cell(row) for row in rows}
    assert len(score_cells) == 1
    # Scores are right-aligned under the header's "score" (five cells, a score four).
    assert cell_len(header[: header.index("score")]) + 1 == score_cells.pop()
    for secret in ("03-1234-5678", "090-1234-5678", "taro@example.com", "7123456789012"):
        assert secret not in result.stdout
    assert any(row.endswith("**-****-5678") for row in rows)


def test_names_are_never_cut_on_a_narrow_terminal_or_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Table and column names are typed back by users (``--table``, the ledger's locations):
    printed to a pipe 40 columns wide, every one of them appears whole on one line."""
    monkeypatch.setenv("COLUMNS", "40")
    table = tmp_path / "customer_contact_export_2026_december.csv"
    column = "primary_customer_email_address_for_invoices"
    table.write_text(
        f"{column},note\n" + "".join(f"user{i}@example.co.jp,特になし\n" for i in range(20)),
        encoding="utf-8",
    )
    (tmp_path / "顧客メモ_二〇二六年十二月分_営業部.txt").write_text(
        "電話03-1234-5678\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    columns_row = [line for line in lines if f"{table}.{column} " in line and "contact" in line]
    assert len(columns_row) == 1  # the Columns table: name, kind and category on one line
    assert any(f"{table}.{column}[" in line for line in lines)  # a cell finding
    assert any("顧客メモ_二〇二六年十二月分_営業部.txt:1:2" in line for line in lines)
    assert any("columns classified" in line for line in lines)  # the Summary table
    assert "…" not in result.stdout
