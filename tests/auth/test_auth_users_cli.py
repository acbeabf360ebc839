"""``kojin user create/list/disable/password`` and the staff user ``admin`` of ``kojin init``,
through the real Typer app against a fresh registry."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from staff_support import PASSWORD, entries, use_cheap_hasher
from typer.testing import CliRunner, Result

from kojin.auth.staff import list_staff_users
from kojin.auth.web_sessions import sign_in
from kojin.cli import app
from kojin.db.uow import Database
from kojin.errors import AuthenticationError

IDLE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=8)


@pytest.fixture(autouse=True)
def _cheap(monkeypatch: pytest.MonkeyPatch) -> None:
    use_cheap_hasher(monkeypatch)


@pytest.fixture
def home(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kojin-home"
    monkeypatch.setenv("KOJIN_HOME", str(path))
    monkeypatch.setenv("KOJIN_DATABASE_URL", db_url)
    monkeypatch.delenv("KOJIN_KEYS_DIR", raising=False)
    monkeypatch.delenv("KOJIN_MASTER_KEY", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _user(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, ["user", *args], input=stdin)


def _create(runner: CliRunner, name: str, role: str, password: str = PASSWORD) -> None:
    done = _user(runner, "create", name, "--role", role, "--password-stdin", stdin=password + "\n")
    assert done.exit_code == 0, done.output
    assert done.stdout == f"staff user {name} ({role}) created\n"


def _signs_in(db_url: str, username: str, password: str) -> bool:
    database = Database.from_url(db_url)
    try:
        with database.uow() as session:
            try:
                sign_in(
                    session=session,
                    username=username,
                    password=password,
                    idle=IDLE,
                    max_age=MAX_AGE,
                )
            except AuthenticationError:
                return False
            return True
    finally:
        database.dispose()


def test_create_from_stdin_then_list(runner: CliRunner, home: Path, db_url: str) -> None:
    _create(runner, "sato", "privacy_officer")
    _create(runner, "ito", "auditor")
    assert _signs_in(db_url, "sato", PASSWORD)
    table = _user(runner, "list")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["username", "role", "status", "created"]
    assert [line.split()[:3] for line in lines[1:]] == [
        ["ito", "auditor", "active"],
        ["sato", "privacy_officer", "active"],
    ]
    as_json = _user(runner, "list", "--json")
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [(r["username"], r["role"], r["status"]) for r in rows] == [
        ("ito", "auditor", "active"),
        ("sato", "privacy_officer", "active"),
    ]
    assert all("password" not in key for row in rows for key in row)
    assert PASSWORD not in table.output + as_json.output
    database = Database.from_url(db_url)
    try:
        created = [e for e in entries(database) if e["action"] == "staff.created"]
    finally:
        database.dispose()
    assert len(created) == 2
    assert all(e["actor"].startswith("cli:") for e in created)


def test_create_asks_twice_without_echo(runner: CliRunner, home: Path, db_url: str) -> None:
    done = _user(runner, "create", "kato", "--role", "handler", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert done.exit_code == 0, done.output
    assert "Password:" in done.output
    assert "Repeat for confirmation:" in done.output
    assert PASSWORD not in done.output
    assert _signs_in(db_url, "kato", PASSWORD)


def test_two_different_answers_create_nothing(runner: CliRunner, home: Path, db_url: str) -> None:
    done = _user(runner, "create", "kato", "--role", "handler", stdin=f"{PASSWORD}\nother one!!!\n")
    assert done.exit_code != 0
    assert "do not match" in done.output
    assert PASSWORD not in done.output
    database = Database.from_url(db_url)
    try:
        with database.read() as session:
            assert list_staff_users(session=session) == []
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["ab", "--role", "handler"], "unused\n", "user name must be 3 to 64 characters"),
        (["sato", "--role", "system"], "unused\n", "system role is for API tokens"),
        (["sato", "--role", "handler"], "short\n", "at least 12 characters"),
        (["sato", "--role", "handler"], "zzzzzzzzzzzzzzzz\n", "single character"),
        (["sato", "--role", "handler"], "", "no password on stdin"),
        (["sato", "--role", "nobody"], "unused\n", "--role"),
    ],
)
def test_bad_input_exits_2_naming_the_rule(
    runner: CliRunner, home: Path, args: list[str], stdin: str, message: str
) -> None:
    done = _user(runner, "create", *args, "--password-stdin", stdin=stdin)
    assert done.exit_code == 2, done.output
    assert message in done.stderr
    assert "Traceback" not in done.output
    if stdin.strip() and stdin.strip() != "unused":
        assert stdin.strip() not in done.output


def test_a_taken_name_exits_1_before_asking(runner: CliRunner, home: Path) -> None:
    _create(runner, "sato", "handler")
    done = _user(runner, "create", "SATO", "--role", "auditor")  # no input: must not prompt
    assert done.exit_code == 1
    assert "already exists" in done.stderr
    assert "Password:" not in done.output


def test_disable_and_the_last_admin(runner: CliRunner, home: Path, db_url: str) -> None:
    _create(runner, "boss", "admin")
    _create(runner, "ito", "handler")
    done = _user(runner, "disable", "ito")
    assert done.exit_code == 0, done.output
    assert done.stdout == "staff user ito (handler) disabled\n"
    assert not _signs_in(db_url, "ito", PASSWORD)
    listed = [json.loads(line) for line in _user(runner, "list", "--json").stdout.splitlines()]
    assert {r["username"]: r["status"] for r in listed} == {"boss": "active", "ito": "disabled"}
    last = _user(runner, "disable", "boss")
    assert last.exit_code == 1
    assert "last enabled admin staff user cannot be disabled" in last.stderr
    unknown = _user(runner, "disable", "nobody")
    assert unknown.exit_code == 1
    assert "staff user not found" in unknown.stderr


def test_password_sets_a_new_one(runner: CliRunner, home: Path, db_url: str) -> None:
    _create(runner, "mori", "handler")
    done = _user(runner, "password", "mori", "--password-stdin", stdin="a brand new phrase\n")
    assert done.exit_code == 0, done.output
    assert "a brand new phrase" not in done.output
    assert _signs_in(db_url, "mori", "a brand new phrase")
    assert not _signs_in(db_url, "mori", PASSWORD)
    asked = _user(runner, "password", "mori", stdin="another phrase!\nanother phrase!\n")
    assert asked.exit_code == 0, asked.output
    assert _signs_in(db_url, "mori", "another phrase!")
    short = _user(runner, "password", "mori", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2
    assert "at least 12 characters" in short.stderr
    unknown = _user(runner, "password", "nobody")  # no input: must not prompt
    assert unknown.exit_code == 1
    assert "staff user not found" in unknown.stderr


def test_init_creates_the_admin_staff_user_once(runner: CliRunner, home: Path, db_url: str) -> None:
    first = runner.invoke(app, ["init"])
    assert first.exit_code == 0, first.output
    lines = first.stdout.strip().splitlines()
    at = lines.index(
        "Staff user admin, password (shown only now; change it with `kojin user password admin`):"
    )
    password = lines[at + 1]
    assert len(password) == 20
    assert password.isalnum()
    assert lines[-1].startswith("kojin_")  # the admin token stays the last line
    assert _signs_in(db_url, "admin", password)
    listed = [json.loads(line) for line in _user(runner, "list", "--json").stdout.splitlines()]
    assert [(r["username"], r["role"]) for r in listed] == [("admin", "admin")]
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 1
    assert "Staff user admin" not in again.output
    listed = [json.loads(line) for line in _user(runner, "list", "--json").stdout.splitlines()]
    assert len(listed) == 1
