"""``kojin datasets list`` never cuts a dataset id (a user types it back into ``datasets
provide``): tab-separated lines to a pipe, a table on a wide terminal, blocks on a narrow one."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from kojin.cli import app
from kojin.cli.datasets import LIST_COLUMNS, print_records
from kojin.db.uow import Database
from kojin.policy import load_policy, to_facts
from kojin.registry.datasets import DatasetCreate
from kojin.registry.datasets.service import record_dataset
from kojin.settings import Settings
from number_guard import guard_completed

LONG_NAME = "Customer satisfaction survey extract, autumn 2026, all regions"


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """An initialised home with one recorded dataset; returns the home and the dataset id."""
    home = tmp_path / "home"
    monkeypatch.setenv("KOJIN_HOME", str(home))
    monkeypatch.delenv("KOJIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    database = Database.from_settings(Settings(home=home))
    dataset_in = DatasetCreate(
        form="anonymized",
        name=LONG_NAME,
        category="customer",
        purposes=["satisfaction_surveys"],
        items=["age (generalized, level 2 of 4)"],
        records=120,
        report_sha256="ab" * 32,
    )
    try:
        with database.uow() as session:
            dataset = record_dataset(
                session=session,
                dataset_in=dataset_in,
                policy=to_facts(load_policy(None)),
                actor="test",
            )
    finally:
        database.dispose()
    return home, dataset.id


def test_a_pipe_gets_whole_ids_on_tab_separated_lines(recorded: tuple[Path, str]) -> None:
    home, dataset_id = recorded
    env = {**os.environ, "KOJIN_HOME": str(home), "COLUMNS": "40"}
    env.pop("KOJIN_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", "from kojin.cli import main; main()", "datasets", "list"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    guard_completed(done, command="kojin datasets list")
    assert done.returncode == 0, done.stderr
    header, line = done.stdout.splitlines()
    assert header.split("\t") == list(LIST_COLUMNS)
    cells = line.split("\t")
    assert cells[0] == dataset_id
    assert cells[2] == LONG_NAME
    assert "…" not in done.stdout


def _terminal(width: int) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=width, force_terminal=True, color_system=None), out


ROWS = [("0123456789abcdef0123456789abcdef", "anonymized", LONG_NAME)]


def test_a_narrow_terminal_gets_one_block_per_row() -> None:
    console, out = _terminal(40)
    print_records(console, title="Datasets", columns=("id", "form", "name"), rows=ROWS)
    lines = out.getvalue().splitlines()
    assert "id    0123456789abcdef0123456789abcdef" in lines
    assert f"name  {LONG_NAME}" in lines
    assert "…" not in out.getvalue()


def test_a_wide_terminal_gets_a_table_with_whole_cells() -> None:
    console, out = _terminal(200)
    print_records(console, title="Datasets", columns=("id", "form", "name"), rows=ROWS)
    text = out.getvalue()
    assert "┃ id " in text
    row = next(line for line in text.splitlines() if ROWS[0][0] in line)
    assert LONG_NAME in row
    assert "…" not in text
