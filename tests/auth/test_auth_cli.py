"""``kojin token create --expires-in``, ``kojin token list`` and ``kojin token revoke``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kojin.auth.service import authenticate, list_tokens
from kojin.cli import app
from kojin.cli.tokens import parse_lifetime
from kojin.db.uow import Database
from kojin.errors import InputError


@pytest.fixture
def home(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kojin-home"
    monkeypatch.setenv("KOJIN_HOME", str(path))
    monkeypatch.setenv("KOJIN_DATABASE_URL", db_url)
    monkeypatch.delenv("KOJIN_KEYS_DIR", raising=False)
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _create(runner: CliRunner, *args: str) -> tuple[str, str]:
    """(plaintext, stderr) of ``kojin token create ARGS``."""
    result = runner.invoke(app, ["token", "create", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip(), result.stderr


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3600", 3600), ("30m", 1800), ("12h", 43_200), ("90d", 7_776_000), ("60s", 60)],
)
def test_lifetimes(text: str, seconds: int) -> None:
    assert parse_lifetime(text) == seconds


@pytest.mark.parametrize("text", ["90x", "1.5h", "-5m", "", "h", "59", "1826d", "9" * 40])
def test_bad_lifetimes_name_the_option(
    text: str, runner: CliRunner, home: Path, db_url: str
) -> None:
    with pytest.raises(InputError):
        parse_lifetime(text)
    result = runner.invoke(app, ["token", "create", "--role", "auditor", "--expires-in", text])
    assert result.exit_code == 2
    assert "--expires-in must be" in result.stderr
    assert "Traceback" not in result.output
    database = Database.from_url(db_url)
    try:
        with database.read() as session:
            assert list_tokens(session=session) == []
    finally:
        database.dispose()


def test_create_with_an_expiry(runner: CliRunner, home: Path, db_url: str) -> None:
    before = datetime.now(UTC)
    plaintext, note = _create(runner, "--role", "auditor", "--expires-in", "90d")
    assert "expires" in note
    database = Database.from_url(db_url)
    try:
        with database.read() as session:
            who = authenticate(session=session, token=plaintext)
    finally:
        database.dispose()
    assert who.expires_at is not None
    assert before + timedelta(days=90) <= who.expires_at <= before + timedelta(days=90, minutes=1)


def test_list_and_revoke(runner: CliRunner, home: Path, db_url: str) -> None:
    admin, _ = _create(runner, "--role", "admin", "--name", "the admin")
    auditor, _ = _create(runner, "--role", "auditor", "--name", "audit", "--expires-in", "1h")
    listed = runner.invoke(app, ["token", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["name"], r["status"]) for r in rows] == [
        ("the admin", "active"),
        ("audit", "active"),
    ]
    assert rows[0]["expires_at"] is None
    assert rows[1]["expires_at"] is not None
    table = runner.invoke(app, ["token", "list"])
    assert table.exit_code == 0
    for plaintext in (admin, auditor):  # never the plaintext, only the short display prefix
        assert plaintext not in listed.output + table.output
        assert plaintext[8:] not in listed.output + table.output
    assert "audit" in table.stdout

    admin_id, auditor_id = rows[0]["id"], rows[1]["id"]
    revoked = runner.invoke(app, ["token", "revoke", auditor_id])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in revoked.stdout
    refused = runner.invoke(app, ["token", "revoke", admin_id])
    assert refused.exit_code == 1
    assert "last active admin token cannot be revoked" in refused.stderr
    unknown = runner.invoke(app, ["token", "revoke", "f" * 32])
    assert unknown.exit_code == 1
    assert "API token not found" in unknown.stderr
    assert "f" * 32 not in unknown.output
    after = runner.invoke(app, ["token", "list", "--json"])
    statuses = {
        json.loads(line)["id"]: json.loads(line)["status"] for line in after.stdout.splitlines()
    }
    assert statuses == {admin_id: "active", auditor_id: "revoked"}
