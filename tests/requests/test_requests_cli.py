"""``kojin requests list`` and ``kojin requests purge`` through the real Typer app, against a
registry made by ``kojin init`` and requests submitted through the services."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from requests_support import NOW, Outbox, Requests, form, watch_outbox
from typer.testing import CliRunner

from kojin.cli import app
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.law.policy_facts import PolicyFacts
from kojin.policy.model import Policy
from kojin.requests.kinds import RequestKind
from kojin.requests.schemas import ActionIn
from kojin.requests.service import act
from kojin.requests.states import StaffAction
from kojin.settings import Settings

TYPED = ("山田", "taro.yamada", "example.jp", "03-1234-5678", "千代田", "UNIQUE-DETAIL")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def registry(
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    runner: CliRunner,
    policy: Policy,
) -> Iterator[Requests]:
    """A registry made by ``kojin init``, and a driver submitting requests to it."""
    home = tmp_path / "kojin-home"
    monkeypatch.setenv("KOJIN_HOME", str(home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", db_url)
    for name in ("KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE", "KOJIN_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    made = runner.invoke(app, ["init"])
    assert made.exit_code == 0, made.output
    settings = Settings(home=home, database_url=db_url)
    cipher = FieldCipher(Keyring.read(keyring_path(settings)))
    database = Database.from_url(db_url)
    try:
        with watch_outbox(Outbox(database, cipher)) as outbox:
            yield Requests(database, cipher, settings, policy, outbox)
    finally:
        database.dispose()


def _withdraw(registry: Requests, facts: PolicyFacts, request_id: str) -> None:
    with registry.database.uow() as session:
        act(
            session=session,
            cipher=registry.cipher,
            settings=registry.settings,
            policy=registry.policy,
            facts=facts,
            request_id=request_id,
            action=ActionIn(action=StaffAction.WITHDRAW),
            actor="staff:officer",
            now=NOW + timedelta(days=1),
        )


def test_the_queue_for_scripts(runner: CliRunner, registry: Requests, facts: PolicyFacts) -> None:
    early = registry.arrived(form(details="UNIQUE-DETAIL 1")).request_id
    late = registry.arrived(
        form(RequestKind.COMPLAINT, email="b@example.jp", details="UNIQUE-DETAIL 2"),
        uploads=[],
        now=NOW + timedelta(days=21),
    ).request_id
    gone = registry.arrived(form(RequestKind.INQUIRY, email="c@example.jp"), uploads=[])
    _withdraw(registry, facts, gone.request_id)
    registry.submit(form(email="unverified@example.jp"))

    listed = runner.invoke(app, ["requests", "list", "--json", "--today", "2027-04-28"])
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [row["id"] for row in rows] == [early, late]
    assert rows[0] == {
        "id": early,
        "short_id": f"R-{early[:8].upper()}",
        "kind": "disclosure",
        "state": "received",
        "received_at": "2027-04-07T00:00:00Z",
        "due_on": "2027-04-21",
        "days_left": -5,
        "suit_from": "2027-04-22",
        "overdue": True,
        "stop_ground": None,
        "incident_reference": None,
    }
    assert (rows[1]["kind"], rows[1]["days_left"], rows[1]["overdue"]) == ("complaint", 10, False)

    table = runner.invoke(app, ["requests", "list", "--today", "2027-04-28"])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].startswith("request ")
    assert lines[0].split()[1:4] == ["kind", "state", "received"]
    assert lines[1].split() == [
        f"R-{early[:8].upper()}",
        "disclosure",
        "received",
        "2027-04-07T00:00Z",
        "2027-04-21",
        "-5",
        "overdue",
    ]
    assert lines[2].split()[:2] == [f"R-{late[:8].upper()}", "complaint"]
    assert lines[-1] == "2 request(s) as of 2027-04-28"

    everything = runner.invoke(app, ["requests", "list", "--all", "--json"])
    assert everything.exit_code == 0, everything.output
    every = [json.loads(line) for line in everything.stdout.splitlines()]
    states = {row["id"]: row["state"] for row in every}
    assert states == {early: "received", late: "received", gone.request_id: "withdrawn"}
    for output in (listed.stdout, table.stdout, everything.stdout):
        for typed in TYPED:
            assert typed not in output  # never a personal field

    bad = runner.invoke(app, ["requests", "list", "--today", "next week"])
    assert bad.exit_code == 2
    assert "--today" in bad.stderr


def test_the_scheduled_purge(runner: CliRunner, registry: Requests, facts: PolicyFacts) -> None:
    result = registry.arrived()
    _withdraw(registry, facts, result.request_id)
    before = runner.invoke(app, ["requests", "purge", "--now", "2027-04-09T00:00:00"])
    assert before.exit_code == 0, before.output
    assert before.stdout.splitlines() == [
        "purged as of 2027-04-09T00:00:00+00:00:",
        "  0 request document(s) or request record(s)",
        "  0 outbox message(s)",
        "  0 staff session(s)",
        "  0 fulfilment job(s) with rows found in the stores",
    ]
    after = runner.invoke(app, ["requests", "purge", "--now", "2027-06-01T09:00:00+09:00"])
    assert after.exit_code == 0, after.output
    assert after.stdout.splitlines()[1:] == [
        "  1 request document(s) or request record(s)",
        "  2 outbox message(s)",
        "  0 staff session(s)",
        "  0 fulfilment job(s) with rows found in the stores",
    ]
    assert registry.outbox.sent == []

    bad = runner.invoke(app, ["requests", "purge", "--now", "yesterday"])
    assert bad.exit_code == 2
    assert "--now" in bad.stderr
