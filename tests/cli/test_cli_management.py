"""``kojin risks`` and ``kojin training``: assessments and the yearly round from the command
line, JSON for scripts, all-or-nothing CSV imports whose errors carry no value, the actor in
the audit chain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from kojin.audit.models import AuditEntry
from kojin.cli import app
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.registry.ledger.schemas import LedgerAcquisition, LedgerEntryCreate, Medium
from kojin.registry.ledger.service import add_entries
from kojin.settings import Settings

SECRET_NAME = "山田太郎"


@pytest.fixture
def cli_settings(tmp_path: Path, sqlite_url: str) -> Settings:
    configured = Settings(home=tmp_path / "home", database_url=sqlite_url)
    Keyring.generate(path=keyring_path(configured)).save()
    return configured


@pytest.fixture
def runner(cli_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KOJIN_HOME", str(cli_settings.home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", cli_settings.resolved_database_url())
    monkeypatch.setenv("COLUMNS", "240")
    for name in ("KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def _run(runner: CliRunner, *args: str, code: int = 0) -> Result:
    done = runner.invoke(app, list(args))
    assert done.exit_code == code, (args, done.output, done.stderr)
    return done


def _ledger_row(settings: Settings) -> str:
    database = Database.from_url(settings.resolved_database_url())
    try:
        with database.uow() as session:
            entry = LedgerEntryCreate(
                item="顧客名簿",
                category="customer",
                purposes=["provide_services"],
                acquisition_method=LedgerAcquisition.WRITTEN_DIRECT,
                storage_location="CRM",
                medium=Medium.ELECTRONIC,
                access="Sales",
                retention_period="5 years",
                disposal_method="Deletion",
                record_count=10,
                responsible_department="Sales",
            )
            return add_entries(session=session, entries=[entry], actor="t")[0].id
    finally:
        database.dispose()


def _chain(settings: Settings) -> list[AuditEntry]:
    database = Database.from_url(settings.resolved_database_url())
    try:
        with database.read() as session:
            return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    finally:
        database.dispose()


def test_risks_commands(runner: CliRunner, cli_settings: Settings) -> None:
    row = _ledger_row(cli_settings)
    due = json.loads(_run(runner, "risks", "due", "--json").stdout)
    assert [u["ledger_entry_id"] for u in due["unassessed"]] == [row]
    assess = [
        "--stage", "provision", "--risk", "委託先からの漏えい", "--likelihood", "2",
        "--impact", "3", "--evaluation", "treat", "--measures", "契約と監査",
        "--rule", "R-SEC-4", "--residual-likelihood", "1", "--residual-impact", "3",
        "--owner", "情報システム部",
    ]  # fmt: skip
    done = _run(runner, "risks", "assess", row, *assess, "--actor", "staff:hanako", "--json")
    risk = json.loads(done.stdout)
    assert risk["residual_score"] == 3
    assert risk["stale"] is False
    listed = _run(runner, "risks", "list", "--json").stdout.splitlines()
    assert [json.loads(line)["id"] for line in listed] == [risk["id"]]
    table = _run(runner, "risks", "list").stdout
    assert "委託先" not in table  # the table shows the ledger item, not the risk text
    assert "顧客名簿" in table
    shown = _run(runner, "risks", "show", risk["id"]).stdout
    assert "委託先からの漏えい" in shown
    assert "R-SEC-4" in shown
    reviewed = _run(
        runner, "risks", "review", risk["id"], *assess[:-2], "--owner", "総務部", "--json"
    )
    assert json.loads(reviewed.stdout)["owner"] == "総務部"
    # a bad rule id and a bad stage are input errors (exit 2)
    bad = _run(runner, "risks", "assess", row, *assess, "--rule", "R-XX-1", code=2)
    assert "rule_ids" in bad.stderr
    _run(runner, "risks", "list", "--stage", "nowhere", code=2)
    _run(runner, "risks", "show", "0" * 32, code=1)
    actors = [(e.action, e.actor) for e in _chain(cli_settings) if e.action.startswith("risk.")]
    assert actors[0] == ("risk.assessed", "staff:hanako")
    assert actors[1][0] == "risk.reviewed"
    assert actors[1][1].startswith("cli")


def test_training_commands(runner: CliRunner, cli_settings: Settings, tmp_path: Path) -> None:
    _run(runner, "training", "add-course", "PI", "個人情報保護研修")
    _run(runner, "training", "add-course", "MN", "番号法", "--one-off")
    _run(runner, "training", "add-course", "PI", "again", code=1)
    courses = [json.loads(x) for x in _run(runner, "training", "courses", "--json").stdout.split()]
    assert [(c["code"], c["yearly"]) for c in courses] == [("PI", True), ("MN", False)]
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "employee_number,name,department,joined_on,kind\n"
        f"E1,{SECRET_NAME},営業部,2020-04-01,employee\n"
        "E2,佐藤花子,人事部,2019-04-01,boss\n",
        encoding="cp932",
    )
    failed = _run(runner, "training", "import-workers", str(roster), code=2)
    assert "line 3, column kind" in failed.stderr
    assert "boss" not in failed.stderr
    assert "佐藤" not in failed.stderr
    roster.write_text(roster.read_text(encoding="cp932").replace("boss", "officer"))
    done = _run(runner, "training", "import-workers", str(roster))
    assert "2 added" in done.stdout
    overdue = _run(runner, "training", "overdue", "--json").stdout.splitlines()
    assert sorted(json.loads(x)["employee_number"] for x in overdue) == ["E1", "E2"]
    _run(runner, "training", "record", "E1", "PI")
    records = tmp_path / "records.csv"
    records.write_text("employee_number,course,completed_on\nE2,PI,2099-01-01\n")
    failed = _run(runner, "training", "import-records", str(records), code=2)
    assert "line 2, column completed_on" in failed.stderr
    records.write_text("employee_number,course,completed_on\nE2,MN,2026-01-05\n")
    assert "1 added" in _run(runner, "training", "import-records", str(records)).stdout
    overdue = _run(runner, "training", "overdue", "--json").stdout.splitlines()
    assert [json.loads(x)["employee_number"] for x in overdue] == ["E2"]  # MN is a one-off
    table = _run(runner, "training", "workers").stdout
    assert SECRET_NAME in table
    assert "overdue" in table
    entries = _chain(cli_settings)
    assert SECRET_NAME not in str([e.details for e in entries])
    assert [e.action for e in entries if e.action.startswith("training.")].count(
        "training.recorded"
    ) == 2
