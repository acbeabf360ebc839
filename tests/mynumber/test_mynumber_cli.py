"""``kojin mynumber``: designations, masked records, disposal and key rotation from the command
line, which never prints a number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mynumber_support import AFFAIRS, HANDLER, REMUNERATION, chain, numbers, register
from typer.testing import CliRunner

from kojin.cli import app
from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.law.mynumber_vocabulary import IdentityDocument
from kojin.mynumber.numbers import MASKED
from kojin.mynumber.schemas import RecordOut
from kojin.mynumber.service import add_document
from kojin.mynumber.vault import Vault
from kojin.settings import Settings

NUMBER = next(numbers(1, seed=31))


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands use the test's registry, keys and vault."""
    monkeypatch.setenv("KOJIN_HOME", str(settings.home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", settings.resolved_database_url())
    monkeypatch.delenv("KOJIN_MASTER_KEY", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    monkeypatch.delenv("KOJIN_VAULT_KEYS_DIR", raising=False)
    monkeypatch.delenv("KOJIN_VAULT_DATABASE_URL", raising=False)
    return CliRunner()


def _designate(runner: CliRunner) -> str:
    args = ["mynumber", "handlers", "designate", HANDLER, "--department", "経理部"]
    for affair in AFFAIRS:
        args += ["--affair", affair]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    return done.stdout.split()[1].rstrip(":")


@pytest.fixture
def record(runner: CliRunner, vault: Vault, person: str) -> RecordOut:
    _designate(runner)
    return register(vault, person, NUMBER)


def test_designations_are_made_listed_and_revoked(
    runner: CliRunner, vault: Vault, database: Database
) -> None:
    made = _designate(runner)
    listed = runner.invoke(app, ["mynumber", "handlers", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert HANDLER in listed.stdout
    assert made in listed.stdout
    assert chain(database)[-1].actor.startswith("cli")
    revoked = runner.invoke(app, ["mynumber", "handlers", "revoke", made])
    assert revoked.exit_code == 0, revoked.output
    again = runner.invoke(app, ["mynumber", "handlers", "revoke", made])
    assert again.exit_code == 1
    assert "already revoked" in again.stderr


def test_a_designation_needs_declared_affairs(runner: CliRunner, vault: Vault) -> None:
    done = runner.invoke(
        app,
        ["mynumber", "handlers", "designate", HANDLER, "--affair", "sales", "--department", "x"],
    )
    assert done.exit_code == 2
    assert "sales" not in done.stderr


def test_records_are_listed_masked(runner: CliRunner, record: RecordOut) -> None:
    for args in ([], ["--json"], ["--status", "active"]):
        listed = runner.invoke(app, ["mynumber", "records", "list", *args])
        assert listed.exit_code == 0, listed.output
        assert record.id in listed.stdout
        assert MASKED in listed.stdout
        assert NUMBER not in listed.output
    none = runner.invoke(app, ["mynumber", "records", "list", "--status", "disposed"])
    assert record.id not in none.stdout


def test_dispose_then_the_records_stay_without_numbers(
    runner: CliRunner, record: RecordOut, vault: Vault, database: Database
) -> None:
    old_key = vault.keys.current_id
    done = runner.invoke(app, ["mynumber", "dispose", record.id, "--reason", "保存期間満了"])
    assert done.exit_code == 0, done.output
    assert "crypto_shredding" in done.stdout
    assert old_key not in vault.keys.ids()
    listed = runner.invoke(app, ["mynumber", "records", "list", "--status", "disposed", "--json"])
    assert record.id in listed.stdout
    assert MASKED not in listed.stdout
    assert [e.action for e in chain(database)][-2:] == [
        "mynumber.disposed",
        "mynumber.keys_rotated",
    ]
    assert NUMBER not in done.output + listed.output


def test_keys_rotate(runner: CliRunner, record: RecordOut, vault: Vault) -> None:
    old_key = vault.keys.current_id
    done = runner.invoke(app, ["mynumber", "keys", "rotate"])
    assert done.exit_code == 0, done.output
    assert "1 data key(s) re-wrapped" in done.stdout
    assert f"destroyed: {old_key}" in done.stdout
    assert vault.keys.current_id != old_key


def test_documents_purge(runner: CliRunner, record: RecordOut, vault: Vault) -> None:
    with vault.transaction() as sessions:
        add_document(
            vault=vault,
            sessions=sessions,
            actor=HANDLER,
            record_id=record.id,
            document_type=IdentityDocument.MY_NUMBER_CARD,
            content_type="image/png",
            content=b"png",
            scope=None,
            now=utcnow() - timedelta(days=vault.settings.mynumber_document_holding_days + 1),
        )
    done = runner.invoke(app, ["mynumber", "documents", "purge"])
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "1 document image(s) purged"
    assert REMUNERATION in record.affairs
