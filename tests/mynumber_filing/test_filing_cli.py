"""``kojin mynumber`` filing commands: payments import, export (the file alone holds numbers),
schedule, dispose-due, status-register, retention add, exports list and delete."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date
from pathlib import Path

import pytest
from filing_support import (
    CORPORATE_NUMBER,
    HANDLER,
    NUMBERS,
    REMUNERATION,
    chain,
    designate,
    end_affairs_on,
    make_payee,
    register,
)
from typer.testing import CliRunner

from kojin.cli import app
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.mynumber.vault import Vault
from kojin.settings import Settings

PAYER = {
    "KOJIN_MYNUMBER_PAYER_NAME": "株式会社サンプル",
    "KOJIN_MYNUMBER_PAYER_ADDRESS": "東京都港区港南1-9-1",
    "KOJIN_MYNUMBER_PAYER_CORPORATE_NUMBER": CORPORATE_NUMBER,
}


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands use the test's registry, keys and vault, and a payer."""
    monkeypatch.setenv("KOJIN_HOME", str(settings.home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", settings.resolved_database_url())
    for name in (
        "KOJIN_MASTER_KEY",
        "KOJIN_KEYS_DIR",
        "KOJIN_POLICY_FILE",
        "KOJIN_VAULT_KEYS_DIR",
        "KOJIN_VAULT_DATABASE_URL",
        "KOJIN_MYNUMBER_RETENTION_FILE",
        "KOJIN_MYNUMBER_PAYER_PHONE",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in PAYER.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def _run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["mynumber", *args])
    assert result.exit_code == code, result.output
    for number in NUMBERS:
        assert number not in result.output
    return result.stdout if code == 0 else result.stderr


@pytest.fixture
def payee(vault: Vault, database: Database, cipher: FieldCipher) -> str:
    designate(vault)
    subject = make_payee(database, cipher)
    register(vault, subject, NUMBERS[0])
    return subject


def test_import_and_export(
    runner: CliRunner, payee: str, database: Database, tmp_path: Path
) -> None:
    payments = tmp_path / "payments.csv"
    payments.write_text(
        "subject_id,affair,paid_on,amount_yen,withheld_yen,category,details\n"
        f"{payee},{REMUNERATION},2025-05-01,60000,6126,講演料,講演\n"
        f"{payee},{REMUNERATION},2025-06-01,40000,4084,講演料,講演\n",
        encoding="cp932",
    )
    assert "2 payment(s) imported" in _run(
        runner, "payments", "import", str(payments), "--handler", HANDLER
    )
    refused = _run(runner, "payments", "import", str(payments), "--handler", "staff:nobody", code=2)
    assert "not a person of this affair within the designation" in refused
    out = tmp_path / "filing" / "remuneration.csv"
    args = ["export", "--year", "2025", "--affair", REMUNERATION, "--out", str(out)]
    said = _run(runner, *args, "--handler", HANDLER, "--header", "keys", "--no-bom")
    assert f"1 row(s) for 1 payee(s) written to {out} (0600)" in said
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert (row["payee_individual_number"], row["amount_yen"], row["withheld_yen"]) == (
        NUMBERS[0],
        "100000",
        "10210",
    )
    exported = [e for e in chain(database) if e.action == "mynumber.exported"]
    assert exported[0].actor == HANDLER
    assert exported[0].details["operator"].startswith("cli")
    assert "exists" in _run(runner, *args, "--handler", HANDLER, code=1)
    assert "designat" in _run(
        runner, *args[:-1], str(tmp_path / "x.csv"), "--handler", "token:x", code=1
    )
    assert not (tmp_path / "x.csv").exists()
    assert "--header must be ja, en or keys" in _run(
        runner, *args, "--handler", HANDLER, "--header", "fr", code=2
    )
    listed = _run(runner, "exports", "list")
    export_id = listed.split()[0]
    assert "held" in listed
    _run(runner, "exports", "delete", export_id, "--handler", HANDLER, "--file", str(out))
    assert not out.exists()
    assert "deleted" in _run(runner, "exports", "list")


def test_export_needs_the_payer(
    runner: CliRunner, payee: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KOJIN_MYNUMBER_PAYER_ADDRESS")
    args = ["export", "--year", "2025", "--affair", REMUNERATION, "--out", str(tmp_path / "f")]
    said = _run(runner, *args, "--handler", HANDLER, code=2)
    assert "KOJIN_MYNUMBER_PAYER_ADDRESS (payer address): not set" in said
    _run(runner, *args, "--handler", HANDLER, "--payer-address", "東京都", code=2)  # no payments


def test_schedule_retention_and_dispose_due(
    runner: CliRunner, payee: str, vault: Vault, database: Database, cipher: FieldCipher
) -> None:
    ended = register(vault, make_payee(database, cipher), NUMBERS[1])
    end_affairs_on(vault, ended, date(2024, 6, 30))
    records = _run(runner, "schedule")
    assert "2 record(s) as of" in records
    assert f"{ended}  overdue" in records
    overdue = _run(runner, "schedule", "--overdue", "--json")
    assert overdue.count("\n") == 1
    assert '"status":"overdue"' in overdue
    later = _run(runner, "schedule", "--today", "2020-01-01")
    assert f"{ended}  scheduled   due 2024-06-30" in later
    assert "--today is not an ISO date" in _run(runner, "schedule", "--today", "soon", code=2)
    added = _run(
        runner,
        "retention",
        "add",
        ended,
        "--document",
        "payment_record",
        "--reference-date",
        "2026-01-31",
    )
    assert f"payment_record of record {ended} kept until 2033-01-31" in added
    assert "confirm with --yes" in _run(runner, "dispose-due", code=2)
    assert "0 overdue record(s) disposed of" in _run(runner, "dispose-due", "--yes")
    assert chain(database)[-1].action == "mynumber.retention_item_added"


def test_dispose_due_disposes_what_is_overdue(
    runner: CliRunner, payee: str, vault: Vault, database: Database, cipher: FieldCipher
) -> None:
    ended = register(vault, make_payee(database, cipher), NUMBERS[1])
    end_affairs_on(vault, ended, date(2024, 6, 30))
    said = _run(runner, "dispose-due", "--yes")
    assert "1 overdue record(s) disposed of" in said
    assert f"{ended}  R-MN-7: the affairs ended 2024-06-30" in said
    assert chain(database)[-1].action == "mynumber.keys_rotated"


def test_status_register(runner: CliRunner, payee: str, tmp_path: Path) -> None:
    text = _run(runner, "status-register")
    assert f"records:{REMUNERATION}  vault_records  経理部  1 held" in text
    assert HANDLER in text
    data = runner.invoke(app, ["mynumber", "status-register", "--csv"]).stdout_bytes
    assert data.startswith("\ufefffile_id,".encode())
    out = tmp_path / "register.csv"
    assert "file(s) written to" in _run(runner, "status-register", "--csv", "--out", str(out))
    assert out.read_bytes() == data
