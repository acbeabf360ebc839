"""Staff sign-in and web sessions: one answer for every refusal, the token stored only as a
digest, idle and absolute expiry, ``last_seen_at`` written at most once a minute, sign-out, and
argon2 hashes renewed when the parameters change."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from staff_support import CHEAP, PASSWORD, entries, make_user, use_cheap_hasher

from kojin.auth import passwords
from kojin.auth.models import StaffUser, WebSession
from kojin.auth.roles import Role
from kojin.auth.staff import disable_staff_user
from kojin.auth.web_sessions import (
    REFUSED,
    StaffSession,
    current_session,
    purge_sessions,
    sign_in,
    sign_out,
    token_digest,
)
from kojin.db.uow import Database
from kojin.errors import AuthenticationError

IDLE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=8)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _cheap(monkeypatch: pytest.MonkeyPatch) -> None:
    use_cheap_hasher(monkeypatch)


def _sign_in(
    database: Database, username: str, password: str = PASSWORD, now: datetime = T0
) -> tuple[str, StaffSession]:
    with database.uow() as session:
        return sign_in(
            session=session,
            username=username,
            password=password,
            idle=IDLE,
            max_age=MAX_AGE,
            now=now,
        )


def _current(
    database: Database, token: str, now: datetime, max_age: timedelta = MAX_AGE
) -> StaffSession | None:
    with database.uow() as session:
        return current_session(session=session, token=token, idle=IDLE, max_age=max_age, now=now)


def _refusal(database: Database, username: str, password: str) -> str:
    """Sign in inside one unit of work, catching the refusal there (as the pages do), so the
    refusal's chain entry commits; returns the message."""
    with database.uow() as session:
        try:
            sign_in(
                session=session, username=username, password=password, idle=IDLE, max_age=MAX_AGE
            )
        except AuthenticationError as exc:
            return exc.message
    raise AssertionError("the sign-in was not refused")


def _last_seen(database: Database) -> datetime:
    with database.read() as session:
        return session.execute(select(WebSession.last_seen_at)).scalar_one()


def test_sign_in_opens_a_session_stored_by_digest(database: Database) -> None:
    user = make_user(database, "nakamura", Role.PRIVACY_OFFICER)
    token, opened = _sign_in(database, "Nakamura")
    assert len(token) >= 43
    assert opened.user.id == user.id
    assert opened.expires_at == T0 + MAX_AGE
    assert len(opened.csrf_token) >= 43
    assert opened.csrf_token != token
    with database.read() as session:
        row = session.execute(select(WebSession)).scalar_one()
        staff = session.execute(select(StaffUser)).scalar_one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() == token_digest(token)
    assert token not in (row.token_hash, row.csrf_token, row.id)
    assert staff.last_sign_in_at == T0
    again = _current(database, token, T0 + timedelta(minutes=5))
    assert again == opened
    [entry] = [e for e in entries(database) if e["action"] == "staff.signed_in"]
    assert entry["actor"] == "staff:nakamura"
    assert entry["details"] == {"session": row.id}


def test_each_sign_in_gets_its_own_token_and_csrf_token(database: Database) -> None:
    make_user(database, "nakamura")
    first, one = _sign_in(database, "nakamura")
    second, two = _sign_in(database, "nakamura")
    assert first != second
    assert one.csrf_token != two.csrf_token


def test_every_refusal_reads_the_same_and_chains_a_digest(database: Database) -> None:
    make_user(database, "boss", Role.ADMIN)
    make_user(database, "yamada")
    make_user(database, "gone")
    with database.uow() as session:
        disable_staff_user(session=session, username="gone", actor="t")
    messages = {
        _refusal(database, "yamada", "not the password"),  # wrong password
        _refusal(database, "nosuchuser", PASSWORD),  # unknown name
        _refusal(database, "gone", PASSWORD),  # disabled
        _refusal(database, "my secret passphrase", PASSWORD),  # a password in the name field
    }
    assert messages == {REFUSED} == {"wrong user name or password"}
    refused = [e for e in entries(database) if e["action"] == "staff.sign_in_refused"]
    assert len(refused) == 4
    typed = ["yamada", "nosuchuser", "gone", "my secret passphrase"]
    for entry, name in zip(refused, typed, strict=True):
        assert entry["actor"] == "anonymous"
        assert entry["details"] == {"username_sha256": hashlib.sha256(name.encode()).hexdigest()}
        assert name not in str(entry)  # the digest, never the name
    assert "my secret passphrase" not in str(entries(database))
    with database.read() as session:
        assert session.execute(select(WebSession)).first() is None


class CountingHasher(PasswordHasher):
    """The cheap hasher, counting verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_name_costs_one_argon2_verification(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(database, "yamada")
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "HASHER", counting)
    for name, password in [("nosuchuser", PASSWORD), ("yamada", "wrong password!")]:
        before = counting.verified
        _refusal(database, name, password)
        assert counting.verified == before + 1, name


def test_unknown_and_known_names_take_about_as_long(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher())  # the real parameters
    make_user(database, "yamada")
    _refusal(database, "nosuchuser", PASSWORD)  # makes the dummy hash once
    unknown, wrong = [], []
    for _ in range(3):
        start = time.perf_counter()
        _refusal(database, "nosuchuser", PASSWORD)
        unknown.append(time.perf_counter() - start)
        start = time.perf_counter()
        _refusal(database, "yamada", "wrong password!")
        wrong.append(time.perf_counter() - start)
    assert 0.5 < min(unknown) / min(wrong) < 2.0, (unknown, wrong)


def test_idle_sessions_end_and_last_seen_is_written_once_a_minute(database: Database) -> None:
    make_user(database, "kimura")
    token, _ = _sign_in(database, "kimura")
    assert _current(database, token, T0 + timedelta(seconds=59)) is not None
    assert _last_seen(database) == T0  # not written within the minute
    assert _current(database, token, T0 + timedelta(minutes=20)) is not None
    assert _last_seen(database) == T0 + timedelta(minutes=20)
    # idle is counted from the last write: 20 + 29 minutes is still alive, 20 + 30 is not
    assert _current(database, token, T0 + timedelta(minutes=49)) is not None
    assert _current(database, token, T0 + timedelta(minutes=79)) is None


def test_sessions_end_at_their_absolute_age_however_busy(database: Database) -> None:
    make_user(database, "kimura")
    token, _ = _sign_in(database, "kimura")
    moment = T0
    while moment < T0 + MAX_AGE - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        assert _current(database, token, moment) is not None
    assert _current(database, token, T0 + MAX_AGE) is None
    # a shorter maximum set later applies to sessions already open
    token, _ = _sign_in(database, "kimura", now=T0)
    assert _current(database, token, T0 + timedelta(hours=2), max_age=timedelta(hours=1)) is None


def test_unknown_and_empty_tokens_have_no_session(database: Database) -> None:
    assert _current(database, "", T0) is None
    assert _current(database, "not-a-token", T0) is None


def test_sign_out_ends_the_session(database: Database) -> None:
    make_user(database, "kimura")
    token, _ = _sign_in(database, "kimura")
    other, _ = _sign_in(database, "kimura")
    with database.uow() as session:
        sign_out(session=session, token=token)
        sign_out(session=session, token=token)  # twice: nothing more happens
        sign_out(session=session, token="unknown")
    assert _current(database, token, T0) is None
    assert _current(database, other, T0) is not None
    assert [e["actor"] for e in entries(database) if e["action"] == "staff.signed_out"] == [
        "staff:kimura"
    ]


def test_purge_removes_ended_and_expired_sessions(database: Database) -> None:
    make_user(database, "kimura")
    ended, _ = _sign_in(database, "kimura", now=datetime.now(UTC))
    with database.uow() as session:
        sign_out(session=session, token=ended)
    _sign_in(database, "kimura", now=T0 - timedelta(days=2))  # long expired
    live, _ = _sign_in(database, "kimura", now=datetime.now(UTC))
    with database.uow() as session:
        purged = purge_sessions(session=session, older_than=datetime.now(UTC))
    assert purged == 2
    assert _current(database, live, datetime.now(UTC)) is not None


def test_hashes_are_renewed_when_the_parameters_change(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(database, "kimura")
    with database.read() as session:
        old = session.execute(select(StaffUser.password_hash)).scalar_one()
    assert "m=8," in old
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(passwords, "HASHER", stronger)
    _refusal(database, "kimura", "wrong password!")
    with database.read() as session:  # a wrong password changes nothing
        assert session.execute(select(StaffUser.password_hash)).scalar_one() == old
    _sign_in(database, "kimura")
    with database.read() as session:
        new = session.execute(select(StaffUser.password_hash)).scalar_one()
    assert new != old
    assert new.startswith("$argon2id$")
    assert "m=16,t=2,p=1" in new
    monkeypatch.setattr(passwords, "HASHER", CHEAP)  # the old parameters still verify
    assert passwords.verify_password(new, PASSWORD)


def test_the_default_parameters_are_argon2id_at_owasp_strength() -> None:
    hasher = PasswordHasher()
    assert hasher.type.name == "ID"
    # OWASP: argon2id with at least 19 MiB and two passes (or an equivalent trade-off)
    assert hasher.memory_cost >= 19 * 1024
    assert hasher.time_cost >= 2
