"""The registry commands, run through the real Typer app against a fresh registry."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from kojin.audit.models import AuditEntry
from kojin.auth.service import authenticate
from kojin.cli import app
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.migrate import head_revision
from kojin.db.uow import Database
from kojin.policy import load_policy, to_facts
from kojin.registry.bootstrap import sample_ledger_text
from kojin.registry.ledger.models import LedgerEntry
from kojin.registry.subjects import SubjectCreate, create_subject, get_subject
from kojin.settings import Settings


@pytest.fixture
def home(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kojin-home"
    monkeypatch.setenv("KOJIN_HOME", str(path))
    monkeypatch.setenv("KOJIN_DATABASE_URL", db_url)
    monkeypatch.delenv("KOJIN_MASTER_KEY", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _count(db_url: str, model: type) -> int:
    database = Database.from_url(db_url)
    try:
        with database.read() as session:
            return int(session.execute(select(func.count()).select_from(model)).scalar_one())
    finally:
        database.dispose()


def test_init_then_refuse(runner: CliRunner, home: Path, db_url: str) -> None:
    first = runner.invoke(app, ["init", "--sample"])
    assert first.exit_code == 0, first.output
    token = first.stdout.strip().splitlines()[-1]
    keyring_file = home.parent / "kojin-home-keys" / "keyring.json"
    assert keyring_file.exists()
    assert not (home / "keys").exists()  # a copy of the data folder carries no key
    assert f"data folder: {home}" in first.stdout
    assert f"keys folder: {keyring_file.parent}" in first.stdout
    database = Database.from_url(db_url)
    try:
        with database.read() as session:
            assert authenticate(session=session, token=token).role == "admin"
            actions = list(
                session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars()
            )
    finally:
        database.dispose()
    assert actions[0] == "policy.recorded"
    assert actions[-1] == "system.initialised"
    assert _count(db_url, LedgerEntry) == 8
    keyring_before = keyring_file.read_bytes()

    again = runner.invoke(app, ["init"])
    assert again.exit_code == 1
    assert "already initialised" in again.output
    assert _count(db_url, AuditEntry) == len(actions)
    assert keyring_file.read_bytes() == keyring_before


def test_db_upgrade(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    head = head_revision()
    assert head is not None
    assert head.startswith("2026")  # migrations are named by date
    assert f"revision {head}" in result.stdout


def test_token_create(runner: CliRunner, home: Path, db_url: str) -> None:
    result = runner.invoke(app, ["token", "create", "--role", "auditor", "--name", "audit 2026"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    database = Database.from_url(db_url)
    try:
        with database.read() as session:
            who = authenticate(session=session, token=token)
    finally:
        database.dispose()
    assert (who.role, who.name) == ("auditor", "audit 2026")
    bad = runner.invoke(app, ["token", "create", "--role", "superuser"])
    assert bad.exit_code == 2


def test_ledger_import_and_export(
    runner: CliRunner, home: Path, tmp_path: Path, db_url: str
) -> None:
    rows = list(csv.DictReader(io.StringIO(sample_ledger_text())))
    rows[2]["record_count"] = "lots"
    rows[4]["medium"] = "tape"
    bad_file = tmp_path / "bad.csv"
    with bad_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    bad = runner.invoke(app, ["ledger", "import", str(bad_file)])
    assert bad.exit_code == 2
    assert "line 4, column record_count" in bad.stderr
    assert "line 6, column medium" in bad.stderr
    assert "Traceback" not in bad.output
    assert _count(db_url, LedgerEntry) == 0

    good_file = tmp_path / "good.csv"
    good_file.write_text(sample_ledger_text(), encoding="utf-8")
    good = runner.invoke(app, ["ledger", "import", str(good_file)])
    assert good.exit_code == 0, good.output
    assert "8 created" in good.stdout

    out_file = tmp_path / "out" / "ledger.csv"
    exported = runner.invoke(app, ["ledger", "export", str(out_file)])
    assert exported.exit_code == 0, exported.output
    to_stdout = runner.invoke(app, ["ledger", "export"])
    assert to_stdout.stdout == out_file.read_text(encoding="utf-8")
    assert len(list(csv.DictReader(io.StringIO(to_stdout.stdout)))) == 8

    missing = runner.invoke(app, ["ledger", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2


def test_records_purge(runner: CliRunner, home: Path) -> None:
    bad = runner.invoke(app, ["records", "purge", "--now", "yesterday"])
    assert bad.exit_code == 2
    assert "--now" in bad.stderr
    ok = runner.invoke(app, ["records", "purge", "--now", "2030-01-01"])
    assert ok.exit_code == 0, ok.output
    assert "0 expired provision record(s) purged as of 2030-01-01T00:00:00+00:00" in ok.stdout


def test_audit_verify_and_export(
    runner: CliRunner, home: Path, tmp_path: Path, db_url: str
) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "audit chain intact: 4 entries" in verified.stdout
    target = tmp_path / "audit.jsonl"
    exported = runner.invoke(app, ["audit", "export", str(target)])
    assert exported.exit_code == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 4

    database = Database.from_url(db_url)
    try:
        with database.engine.begin() as conn:
            conn.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor="mallory"))
    finally:
        database.dispose()
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "entry 2" in broken.stderr

    database = Database.from_url(db_url)
    try:
        with database.engine.begin() as conn:
            conn.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    finally:
        database.dispose()
    gap = runner.invoke(app, ["audit", "verify"])
    assert gap.exit_code == 1
    assert "entry 2 is missing" in gap.stderr


def test_keys_rotate(runner: CliRunner, home: Path, db_url: str) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    settings = Settings(home=home, database_url=db_url)
    old = Keyring.read(keyring_path(settings))
    database = Database.from_url(db_url)
    try:
        with database.uow() as session:
            subject = create_subject(
                session=session,
                cipher=FieldCipher(old),
                subject_in=SubjectCreate(category="customer", email="r@example.jp"),
                actor="t",
                policy=to_facts(load_policy(None)),
            )
        result = runner.invoke(app, ["keys", "rotate", "--batch-size", "1"])
        assert result.exit_code == 0, result.output
        assert "1 subject(s) re-encrypted" in result.stdout
        new = Keyring.read(keyring_path(settings))
        assert new.current != old.current
        assert set(old.keys) < set(new.keys)
        with database.read() as session:
            out = get_subject(session=session, subject_id=subject.id, cipher=FieldCipher(new))
    finally:
        database.dispose()
    assert out.identifiers is not None
    assert out.identifiers.email == "r@example.jp"


def test_unreachable_database_is_one_clean_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOJIN_HOME", str(tmp_path))
    monkeypatch.setenv("KOJIN_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "cannot use the registry database" in result.stderr
    assert "Traceback" not in result.output


def test_ledger_due(runner: CliRunner, home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "--sample"]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(sample_ledger_text())))
    cutoff = "2025-11-29"
    expected = sum(1 for row in rows if row["last_reviewed"] <= cutoff)
    result = runner.invoke(app, ["ledger", "due", "--today", "2026-11-29"])
    assert result.exit_code == 0, result.output
    assert f"{expected} ledger row(s) due for review as of 2026-11-29" in result.stdout
    assert result.stdout.count("last reviewed") == expected
    bad = runner.invoke(app, ["ledger", "due", "--today", "tomorrow"])
    assert bad.exit_code == 2
