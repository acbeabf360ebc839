"""``kojin obligations``: the tasks from the command line: a list scripts parse (``--json``,
``--overdue``, exit code 0), show, assign, close with a document or a record, reopen, remind;
errors (exit 2) name options, never values."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from kojin.audit.models import AuditEntry
from kojin.cli import app
from kojin.cli.management_common import today_in_japan
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions import decide_batch
from kojin.settings import Settings

OWNER = "山田太郎"


@pytest.fixture
def runner(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    home = tmp_path / "home"
    settings = Settings(home=home, database_url=sqlite_url)
    Keyring.generate(path=keyring_path(settings)).save()
    monkeypatch.setenv("KOJIN_HOME", str(home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COLUMNS", "240")
    for name in ("KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE", "KOJIN_OBLIGATION_REMINDER_TO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("KOJIN_SMTP_HOST", raising=False)
    return CliRunner()


def _decide(sqlite_url: str, *names: str, days_ago: int = 0) -> None:
    database = Database.from_url(sqlite_url)
    try:
        with database.uow() as session:
            decide_batch(
                session=session,
                requests=[
                    DecisionRequest.model_validate(
                        {
                            "action": "provide",
                            "category": "customer",
                            "purpose": "provide_services",
                            "recipient": {"name": n, "country": "JP", "relation": "entrustee"},
                        }
                    )
                    for n in names
                ],
                policy=to_facts(load_policy(None)),
                actor="staff:officer",
                now=utcnow() - timedelta(days=days_ago),
            )
    finally:
        database.dispose()


def _run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["obligations", *args])


def _lines(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_list_show_assign_close_reopen(runner: CliRunner, sqlite_url: str) -> None:
    _decide(sqlite_url, "Old Partner KK", days_ago=10)  # supervision overdue by 10 days
    _decide(sqlite_url, "New Partner KK", "New Partner KK")  # due today
    tasks = _lines(_run(runner, "list", "--json"))
    assert [t["recipient_name"] for t in tasks] == ["Old Partner KK", "New Partner KK"]
    assert tasks[0]["overdue"] is True
    assert tasks[1]["decision_count"] == 2
    overdue = _lines(_run(runner, "list", "--overdue", "--json"))
    assert [t["recipient_name"] for t in overdue] == ["Old Partner KK"]
    upcoming = _lines(_run(runner, "list", "--upcoming", "7", "--json"))
    assert [t["recipient_name"] for t in upcoming] == ["New Partner KK"]
    assert _lines(_run(runner, "list", "--status", "done", "--json")) == []
    table = _run(runner, "list")
    assert table.exit_code == 0
    assert "Old Partner KK" in table.stdout
    assert "overdue" in table.stdout
    old = tasks[0]["id"]

    assigned = _lines(
        _run(
            runner,
            "assign",
            old,
            "--owner",
            OWNER,
            "--owner-kind",
            "person",
            "--due",
            (today_in_japan() + timedelta(days=30)).isoformat(),
            "--reason",
            "契約更新待ち",
            "--actor",
            "staff:manager",
            "--json",
        )
    )[0]
    assert assigned["owner"] == {"kind": "person", "name": OWNER}
    assert assigned["overdue"] is False
    mine = _lines(_run(runner, "list", "--owner", OWNER, "--json"))
    assert [t["id"] for t in mine] == [old]

    closed = _lines(
        _run(
            runner, "close", old, "--document", "委託先評価シート", "--reference", "EV-1", "--json"
        )
    )[0]
    assert closed["status"] == "done"
    assert closed["evidence"]["reference"] == "EV-1"
    shown = _run(runner, "show", old)
    assert shown.exit_code == 0
    assert "task.closed" in shown.stdout
    assert "EV-1" in shown.stdout
    # the periodic supervision's next round is open, a year later
    nxt = [t for t in _lines(_run(runner, "list", "--json")) if t["round"] == 2]
    assert len(nxt) == 1
    reopened = _lines(_run(runner, "reopen", old, "--reason", "評価漏れ", "--json"))[0]
    assert reopened["status"] == "open"
    database = Database.from_url(sqlite_url)
    with database.read() as session:
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.actor).where(AuditEntry.action.like("task.%"))
        ).all()
    database.dispose()
    assert ("task.assigned", "staff:manager") in entries
    assert any(a == "task.closed" and actor.startswith("cli:") for a, actor in entries)
    assert OWNER not in str(entries)


def test_close_with_a_record_and_errors(runner: CliRunner, sqlite_url: str) -> None:
    _decide(sqlite_url, "Partner KK")
    [task] = _lines(_run(runner, "list", "--json"))
    decision = task["first_decision_id"]
    missing = _run(runner, "close", task["id"], "--record", "decision:" + "f" * 32)
    assert missing.exit_code == 2
    assert "no such kojin record" in missing.output
    both = _run(runner, "close", task["id"], "--record", "x:y", "--document", "d")
    assert both.exit_code == 2
    bad_due = _run(runner, "assign", task["id"], "--due", "2027-13-01", "--reason", "x")
    assert bad_due.exit_code == 2
    assert "--due" in bad_due.output
    no_reason = _run(runner, "assign", task["id"], "--due", "2030-01-01")
    assert no_reason.exit_code == 2
    assert "reason" in no_reason.output
    assert _run(runner, "show", "0" * 32).exit_code != 0
    assert _run(runner, "list", "--status", "closed").exit_code == 2
    done = _lines(_run(runner, "close", task["id"], "--record", f"decision:{decision}", "--json"))
    assert done[0]["evidence"]["record_id"] == decision


def test_remind_without_addresses_sends_nothing(runner: CliRunner, sqlite_url: str) -> None:
    _decide(sqlite_url, "Partner KK", days_ago=3)
    result = _run(runner, "remind")
    assert result.exit_code == 0
    assert "0 reminder(s) sent" in result.stdout
