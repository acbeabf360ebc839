"""``kojin recipients``: the register from the command line (R-SEC-4, R-TP-FX-3): add from YAML,
list (overdue first) and show, record a check, end, the Art. 28(3) statement, JSON for scripts,
and errors (exit 2) that name fields and never a value."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from kojin.audit.models import AuditEntry
from kojin.cli import app
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.settings import Settings

TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()
SECRET = "担当 山田太郎"
CARRIER_YAML = f"""\
name: 株式会社 配送サービス
entrustee: true
country: JP
entrusted: 商品の発送
contract_date: {(TODAY - timedelta(days=400)).isoformat()}
contract_items: [confidentiality, return_or_deletion]
evaluation_notes: {SECRET}
"""
CLOUD_YAML = """\
name: Example Cloud Inc.
foreign_rule16: true
country: US
rule16_basis: cbpr
statement_ja:
  setup: APEC CBPR認証
  measures: アクセス制御と暗号化
"""


@pytest.fixture
def runner(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    home = tmp_path / "home"
    settings = Settings(home=home, database_url=sqlite_url)
    Keyring.generate(path=keyring_path(settings)).save()
    monkeypatch.setenv("KOJIN_HOME", str(home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COLUMNS", "240")
    for name in ("KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def _run(runner: CliRunner, *args: str, code: int = 0) -> Result:
    done = runner.invoke(app, ["recipients", *args])
    assert done.exit_code == code, (args, done.output, done.stderr)
    return done


def _add(runner: CliRunner, tmp_path: Path, text: str, name: str) -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    made: dict[str, Any] = json.loads(_run(runner, "add", str(path), "--json").stdout)
    return made


def test_the_register_round_trip(runner: CliRunner, tmp_path: Path, sqlite_url: str) -> None:
    carrier = _add(runner, tmp_path, CARRIER_YAML, "carrier.yaml")
    cloud = _add(runner, tmp_path, CLOUD_YAML, "cloud.yaml")
    assert carrier["check_overdue"] is True
    assert "reporting_and_audit" in carrier["contract_items_missing"]

    listed = [json.loads(line) for line in _run(runner, "list", "--json").stdout.splitlines()]
    assert [row["id"] for row in listed] == [carrier["id"], cloud["id"]]
    overdue = _run(runner, "list", "--overdue", "--json").stdout.splitlines()
    assert [json.loads(line)["id"] for line in overdue] == [carrier["id"]]
    table = _run(runner, "list").stdout
    assert "配送サービス" in table
    assert "overdue" in table

    details = tmp_path / "check.yaml"
    details.write_text(f"notes: {SECRET}\nactions: 是正を依頼\n", encoding="utf-8")
    checked = json.loads(
        _run(
            runner,
            "check",
            carrier["id"],
            "--kind",
            "supervision",
            "--result",
            "issues",
            "--details",
            str(details),
            "--json",
        ).stdout
    )
    assert checked["check_overdue"] is False
    assert checked["checks"][0]["notes"] == SECRET
    shown = _run(runner, "show", carrier["id"]).stdout
    assert "supervision: issues" in shown

    ja = _run(runner, "statement", cloud["id"]).stdout
    assert "APEC CBPR認証" in ja
    assert "米国" in ja
    assert "（記録なし）" in ja
    en = json.loads(_run(runner, "statement", cloud["id"], "--lang", "en", "--json").stdout)
    assert en["items"]["setup"] == "APEC CBPR認証"

    update = tmp_path / "update.json"
    update.write_text(json.dumps({"check_interval_days": 180}), encoding="utf-8")
    updated = json.loads(_run(runner, "update", carrier["id"], str(update), "--json").stdout)
    assert updated["fields"]["check_interval_days"] == 180
    _run(runner, "end", carrier["id"])
    assert _run(runner, "list", "--status", "ended", "--json").stdout.count("\n") == 1

    database = Database.from_url(sqlite_url)
    with database.read() as session:
        entries = list(session.execute(select(AuditEntry)).scalars())
    database.dispose()
    actions = [e.action for e in entries]
    assert actions.count("recipient.added") == 2
    assert "recipient.check_recorded" in actions
    assert "recipient.ended" in actions
    assert SECRET not in json.dumps([e.details for e in entries], ensure_ascii=False)


def test_errors_name_the_field_and_never_the_value(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"name: {SECRET}\nentrustee: true\ncountry: ZZ\n", encoding="utf-8")
    done = _run(runner, "add", str(bad), code=2)
    assert "country" in done.output + done.stderr
    assert SECRET not in done.output + done.stderr
    carrier = _add(runner, tmp_path, CARRIER_YAML, "carrier.yaml")
    wrong = _run(runner, "check", carrier["id"], "--kind", "audit", "--result", "issues", code=2)
    assert "kind" in wrong.output + wrong.stderr
    missing = _run(runner, "show", "0" * 32, code=1)
    assert "recipient not found" in missing.stderr
