"""``kojin review``: preparing a review, the office's entries and the top manager's decisions
from YAML, JSON for scripts, and the report written to a private file (0600, never over a file
without ``--force``), each step in the audit chain."""

from __future__ import annotations

import json
import stat
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
MANAGER = "代表取締役 山田太郎"


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
    done = runner.invoke(app, ["review", *args])
    assert done.exit_code == code, (args, done.output)
    return done


def _json(done: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_a_review_from_creation_to_its_report(
    runner: CliRunner, tmp_path: Path, cli_settings: Settings
) -> None:
    made = _json(_run(runner, "create", "--fiscal-year", "2025", "--title", "2025年度", "--json"))
    assert made["reference"] == f"MR-{TODAY.year}-01"
    assert (made["since"], made["until"]) == ("2025-04-01", "2026-03-31")
    assert made["inputs"]["requests"]["total"]["received"] == 0
    reference = made["reference"]
    entries = tmp_path / "entries.yaml"
    entries.write_text(
        "law_changes:\n  - title: 施行規則の改正\n    effective_on: 2026-04-01\n"
        "improvements: [教育資料の更新]\n",
        encoding="utf-8",
    )
    updated = _json(_run(runner, "update", reference, str(entries), "--json"))
    assert updated["law_changes"][0]["title"] == "施行規則の改正"
    outcome = tmp_path / "outcome.json"
    outcome.write_text(
        json.dumps(
            {
                "held_on": (TODAY - timedelta(days=1)).isoformat(),
                "top_manager": MANAGER,
                "decisions": [{"kind": "resources", "text": "担当者を増員する"}],
            }
        ),
        encoding="utf-8",
    )
    decided = _run(runner, "decide", reference, str(outcome), "--actor", "staff:ceo")
    assert "decisions / 決定: 1" in decided.stdout
    listed = [json.loads(line) for line in _run(runner, "list", "--json").stdout.splitlines()]
    assert [(r["reference"], r["status"]) for r in listed] == [(reference, "decided")]
    assert "2025年度" in _run(runner, "list").stdout
    assert "requests / 請求: received 0" in _run(runner, "show", reference).stdout
    # decided: the inputs are kept
    refused = _run(runner, "refresh", reference, code=1)
    assert MANAGER not in refused.output

    out = tmp_path / "review.pdf"
    _run(runner, "report", reference, "--format", "pdf", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    again = _run(runner, "report", reference, "--format", "pdf", "--out", str(out), code=2)
    assert "--force" in again.output
    page = tmp_path / "review.html"
    _run(runner, "report", reference, "--lang", "en", "--out", str(page))
    assert "Management review report" in page.read_text(encoding="utf-8")
    _run(runner, "report", reference, "--lang", "en", "--out", str(page), "--force")

    database = Database.from_url(cli_settings.resolved_database_url())
    try:
        with database.read() as session:
            chain = [
                (e.actor, e.action, dict(e.details))
                for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
                if e.action.startswith("review.")
            ]
    finally:
        database.dispose()
    assert [a for _, a, _ in chain] == [
        "review.created",
        "review.updated",
        "review.decided",
        "review.reported",
        "review.reported",
        "review.reported",
    ]
    assert chain[2][0] == "staff:ceo"
    assert chain[0][0].startswith("cli:")
    assert MANAGER not in repr(chain)


def test_bad_input_is_refused_without_values(runner: CliRunner, tmp_path: Path) -> None:
    done = _run(runner, "create", "--since", "2026-13-01", "--until", "2026-12-31", code=2)
    assert "since" in done.output
    _run(runner, "create", "--year", "2025", "--since", "2025-01-01", code=2)
    _run(runner, "show", "MR-2099-01", code=1)
    _run(runner, "show", "nonsense", code=2)
    made = _json(_run(runner, "create", "--json"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("improvements: [番号 123456789018]\nsecret_key: 1\n", encoding="utf-8")
    refused = _run(runner, "update", made["reference"], str(bad), code=2)
    assert "123456789018" not in refused.output
    assert "improvements.0" in refused.output
