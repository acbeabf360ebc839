"""``kojin audits``: plan, collect, findings and actions, reported and closed, the report in a
private file, JSON for scripts, and errors with exit 2 that name no value."""

from __future__ import annotations

import json
import stat
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from kojin.audit.models import AuditEntry
from kojin.cli import app
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.management.audits.schemas import ItemResult, ItemResultIn
from kojin.management.audits.service import record_result
from kojin.settings import Settings

TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()
AUDITOR = "監査 花子"
FINDING = "委託先の監督記録がない"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KOJIN_HOME", str(settings.home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("COLUMNS", "240")
    for name in ("KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def _run(runner: CliRunner, *args: str, code: int = 0) -> Result:
    done = runner.invoke(app, ["audits", *args])
    assert done.exit_code == code, (args, done.output, done.stderr)
    return done


def _json(done: Result) -> Any:
    return json.loads(done.stdout)


def test_an_audit_from_the_command_line(
    runner: CliRunner, database: Database, cipher: FieldCipher, tmp_path: Any
) -> None:
    made = _json(
        _run(
            runner, "plan", "--title", "内部監査", "--from", "2026-04-01", "--to", "2027-03-31",
            "--department", "営業部", "--department", "人事部", "--lead-auditor", AUDITOR,
            "--lead-department", "内部監査室", "--actor", "staff:auditor", "--json",
        )
    )  # fmt: skip
    ref = made["reference"]
    assert made["status"] == "planned"
    collected = _json(_run(runner, "collect", ref, "--json"))
    chain_item = next(i for i in collected["checklist"] if i["control_id"] == "R-SEC-2")
    assert chain_item["evidence"]["counts"]["intact"] == 1
    mn = next(i for i in collected["checklist"] if i["control_id"] == "R-MN-7")
    assert mn["evidence"]["status"] == "ok"  # the vault was read: no records
    assert mn["evidence"]["counts"]["active"] == 0
    found = _json(
        _run(
            runner, "finding", ref, "R-SEC-4", "--kind", "nonconformity", "--description", FINDING,
            "--root-cause", "手順なし", "--json",
        )
    )  # fmt: skip
    action = _json(
        _run(
            runner, "action", "add", found["id"], "--action", "監督手順を定める",
            "--owner-department", "営業部", "--owner-person", "佐藤", "--due",
            TODAY.isoformat(), "--follow-up", TODAY.isoformat(), "--json",
        )
    )  # fmt: skip
    _run(runner, "action", "done", action["id"])
    _run(runner, "action", "verify", action["id"], "--effectiveness", "記録を確認")
    with database.uow() as session:  # the rest conform
        for item in collected["checklist"]:
            if item["control_id"] != "R-SEC-4":
                record_result(
                    session=session, cipher=cipher, audit_id=ref, control_id=item["control_id"],
                    result=ItemResultIn(result=ItemResult.CONFORM), actor="t",
                )  # fmt: skip
    _run(runner, "record", ref, "R-PM-1", "observation", "--notes", "年次見直し1件遅延")
    _run(runner, "reported", ref, "--summary", "指摘1件")
    _run(runner, "close", ref)
    listed = [json.loads(line) for line in _run(runner, "list", "--json").stdout.splitlines()]
    assert [(a["reference"], a["status"]) for a in listed] == [(ref, "closed")]
    shown = _json(_run(runner, "show", ref, "--json"))
    assert shown["findings"][0]["actions"][0]["status"] == "verified"
    assert "R-SEC-4" in _run(runner, "show", ref).stdout

    out = tmp_path / "report.pdf"
    _run(runner, "report", ref, "--format", "pdf", "--lang", "en", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    refused = _run(runner, "report", ref, "--out", str(out), code=2)
    assert "--force" in refused.stderr
    html = tmp_path / "report.html"
    _run(runner, "report", ref, "--out", str(html))
    assert FINDING in html.read_text(encoding="utf-8")

    with database.read() as session:
        entries = list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    actions = [e.action for e in entries if e.action.startswith("audit.")]
    assert actions[0] == "audit.planned"
    assert actions[-2:] == ["audit.report_written", "audit.report_written"]
    assert entries[[e.action for e in entries].index("audit.planned")].actor == "staff:auditor"
    text = " ".join(repr(e.details) for e in entries)
    assert AUDITOR not in text
    assert FINDING not in text


def test_errors_exit_2_without_values(runner: CliRunner) -> None:
    done = _run(
        runner, "plan", "--title", "x", "--from", "2026-04-01", "--to", "2026-03-01",
        "--department", "営業部", "--lead-auditor", AUDITOR, "--lead-department", "営業部",
        code=2,
    )  # fmt: skip
    assert "period_to" in done.stderr
    done = _run(
        runner, "plan", "--title", "x", "--from", "2026-04-01", "--to", "2026-05-01",
        "--department", "営業部", "--lead-auditor", AUDITOR, "--lead-department", "営業部",
        code=2,
    )  # fmt: skip
    assert "own department" in done.stderr
    assert AUDITOR not in done.stderr
    _run(runner, "list", "--status", "nope", code=2)
    assert "not found" in _run(runner, "show", "AUD-2099-01", code=1).stderr
