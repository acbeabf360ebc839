"""Staff users: the rules for names, roles and passwords, the audit entries, disabling (never
the last enabled admin) and new passwords, both ending the user's sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from staff_support import PASSWORD, entries, make_user, use_cheap_hasher

from kojin.auth.models import StaffUser, WebSession
from kojin.auth.passwords import verify_password
from kojin.auth.roles import Role
from kojin.auth.staff import (
    create_first_admin,
    create_staff_user,
    disable_staff_user,
    get_staff_user,
    list_staff_users,
    set_staff_password,
    staff_actor,
)
from kojin.auth.web_sessions import current_session, sign_in
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, NotFoundError

IDLE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=8)


@pytest.fixture(autouse=True)
def _cheap(monkeypatch: pytest.MonkeyPatch) -> None:
    use_cheap_hasher(monkeypatch)


def _session_token(database: Database, username: str, password: str = PASSWORD) -> str:
    with database.uow() as session:
        token, _ = sign_in(
            session=session, username=username, password=password, idle=IDLE, max_age=MAX_AGE
        )
    return token


def _alive(database: Database, token: str) -> bool:
    with database.uow() as session:
        found = current_session(session=session, token=token, idle=IDLE, max_age=MAX_AGE)
    return found is not None


def test_create_stores_an_argon2id_hash_and_chains_the_role_only(database: Database) -> None:
    user = make_user(database, "Sato.Hanako", Role.PRIVACY_OFFICER)
    assert user.username == "sato.hanako"
    assert user.role is Role.PRIVACY_OFFICER
    assert staff_actor(user) == "staff:sato.hanako"
    with database.read() as session:
        row = session.execute(select(StaffUser)).scalar_one()
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert verify_password(row.password_hash, PASSWORD)
    [entry] = entries(database)
    assert entry == {
        "actor": "cli:test",
        "action": "staff.created",
        "object_id": user.id,
        "details": {"role": "privacy_officer"},
    }


def test_full_width_names_are_normalized(database: Database) -> None:
    user = make_user(database, "ｔａｎａｋａ")  # typed with a Japanese input method
    assert user.username == "tanaka"
    with database.read() as session:
        assert get_staff_user(session=session, username="TANAKA").id == user.id


@pytest.mark.parametrize("name", ["ab", "a" * 65, "山田", "with space", "semi;colon", ""])
def test_bad_user_names_are_refused(database: Database, name: str) -> None:
    with pytest.raises(InputError) as caught, database.uow() as session:
        create_staff_user(
            session=session, username=name, password=PASSWORD, role=Role.HANDLER, actor="t"
        )
    assert caught.value.field == "username"
    assert "3 to 64 characters" in caught.value.message


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short-pass1", "at least 12 characters"),
        ("x" * 1025, "at most 1024 characters"),
        ("aaaaaaaaaaaaaaaa", "must not repeat a single character"),
    ],
)
def test_passwords_breaking_a_rule_are_refused_by_name(
    database: Database, password: str, rule: str
) -> None:
    with pytest.raises(InputError) as caught, database.uow() as session:
        create_staff_user(
            session=session, username="suzuki", password=password, role=Role.HANDLER, actor="t"
        )
    assert caught.value.field == "password"
    assert rule in caught.value.message
    assert password not in caught.value.message
    with database.read() as session:
        assert list_staff_users(session=session) == []


def test_a_twelve_character_password_and_a_1024_character_one_are_accepted(
    database: Database,
) -> None:
    make_user(database, "twelve", password="abcdefghijk1")
    make_user(database, "long", password="ab" * 512)
    with database.read() as session:
        assert [u.username for u in list_staff_users(session=session)] == ["long", "twelve"]


def test_the_system_role_is_for_tokens(database: Database) -> None:
    with pytest.raises(InputError) as caught, database.uow() as session:
        create_staff_user(
            session=session, username="robot", password=PASSWORD, role=Role.SYSTEM, actor="t"
        )
    assert caught.value.field == "role"


def test_a_taken_name_is_a_conflict(database: Database) -> None:
    make_user(database, "kato")
    with pytest.raises(ConflictError, match="already exists"):
        make_user(database, "KATO")


def test_disable_ends_sessions_and_is_chained(database: Database) -> None:
    make_user(database, "boss", Role.ADMIN)
    make_user(database, "ito")
    token = _session_token(database, "ito")
    assert _alive(database, token)
    with database.uow() as session:
        user = disable_staff_user(session=session, username="ito", actor="staff:boss")
    assert user.disabled_at is not None
    assert not _alive(database, token)
    with database.read() as session:
        ended = session.execute(select(WebSession.ended_at)).scalar_one()
    assert ended is not None
    disabled = [e for e in entries(database) if e["action"] == "staff.disabled"]
    assert disabled == [
        {
            "actor": "staff:boss",
            "action": "staff.disabled",
            "object_id": user.id,
            "details": {"role": "handler"},
        }
    ]
    with database.uow() as session:  # idempotent: no second entry
        disable_staff_user(session=session, username="ito", actor="staff:boss")
    assert len([e for e in entries(database) if e["action"] == "staff.disabled"]) == 1


def test_the_last_enabled_admin_cannot_be_disabled(database: Database) -> None:
    make_user(database, "first", Role.ADMIN)
    make_user(database, "auditor", Role.AUDITOR)
    with pytest.raises(ConflictError, match="last enabled admin"), database.uow() as session:
        disable_staff_user(session=session, username="first", actor="t")
    make_user(database, "second", Role.ADMIN)
    with database.uow() as session:
        disable_staff_user(session=session, username="first", actor="t")
    with pytest.raises(ConflictError), database.uow() as session:
        disable_staff_user(session=session, username="second", actor="t")
    with database.read() as session:
        enabled = [u.username for u in list_staff_users(session=session) if not u.disabled_at]
    assert enabled == ["auditor", "second"]


def test_unknown_users_are_not_found(database: Database) -> None:
    with pytest.raises(NotFoundError, match="staff user not found"), database.uow() as session:
        disable_staff_user(session=session, username="nobody", actor="t")
    with pytest.raises(NotFoundError), database.uow() as session:
        set_staff_password(session=session, username="nobody", password=PASSWORD, actor="t")


def test_a_new_password_works_ends_sessions_and_is_chained(database: Database) -> None:
    user = make_user(database, "mori")
    token = _session_token(database, "mori")
    with database.uow() as session:
        set_staff_password(
            session=session, username="mori", password="a new passphrase", actor="cli:test"
        )
    assert not _alive(database, token)
    assert _alive(database, _session_token(database, "mori", "a new passphrase"))
    [entry] = [e for e in entries(database) if e["action"] == "staff.password_set"]
    assert entry["object_id"] == user.id
    assert entry["details"] == {"role": "handler"}
    assert "a new passphrase" not in str(entries(database))


def test_a_new_password_must_meet_the_rules(database: Database) -> None:
    make_user(database, "mori")
    with pytest.raises(InputError, match="at least 12"), database.uow() as session:
        set_staff_password(session=session, username="mori", password="short", actor="t")


def test_the_first_admin_is_made_once_with_a_generated_password(database: Database) -> None:
    with database.uow() as session:
        made = create_first_admin(session=session, actor="kojin init")
    assert made is not None
    user, password = made
    assert (user.username, user.role) == ("admin", Role.ADMIN)
    assert len(password) == 20
    assert password.isalnum()
    assert _alive(database, _session_token(database, "admin", password))
    with database.uow() as session:
        assert create_first_admin(session=session, actor="kojin init") is None
    with database.read() as session:
        assert len(list_staff_users(session=session)) == 1
