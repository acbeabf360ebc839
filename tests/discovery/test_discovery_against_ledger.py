"""``kojin scan --against-ledger``: findings the registry's ledger does not declare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kojin.cli import app


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("KOJIN_HOME", str(home))
    monkeypatch.delenv("KOJIN_DATABASE_URL", raising=False)
    return home


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "data"
    (root / "crm_exports").mkdir(parents=True)
    (root / "misc").mkdir()
    (root / "crm_exports" / "customers.csv").write_text(
        "name,email\n山田 太郎,taro@example.com\n佐藤 花子,hanako@example.jp\n", encoding="utf-8"
    )
    (root / "misc" / "notes.txt").write_text(
        "連絡先 hanako@example.jp 電話 090-1234-5678\n", encoding="utf-8"
    )
    monkeypatch.chdir(root)
    return root


def test_reports_only_what_the_sample_ledger_does_not_declare(home: Path, tree: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--sample"]).exit_code == 0
    result = runner.invoke(
        app, ["scan", "crm_exports", "misc", "--against-ledger", "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    gaps = {(r["location"], r["kind"]): r["count"] for r in records if r["record"] == "undeclared"}
    # the sample ledger declares crm_exports/*.csv for contact data; misc/ is declared nowhere
    assert gaps == {("misc/notes.txt", "email"): 1, ("misc/notes.txt", "phone_number"): 1}
    assert "hanako@example.jp" not in result.stdout

    table = runner.invoke(app, ["scan", "crm_exports", "misc", "--against-ledger"])
    assert table.exit_code == 0
    assert "Undeclared personal data" in table.stdout
    assert "misc/notes.txt" in table.stdout


def test_needs_an_initialised_registry(home: Path, tree: Path) -> None:
    result = CliRunner().invoke(app, ["scan", "misc", "--against-ledger"])
    assert result.exit_code == 2
    assert "kojin init" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
