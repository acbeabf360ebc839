"""Revocation reaches every worker within a second; a token being revoked cannot mint another
or revoke anything, whatever a worker's cache still says."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from auth_tokens import Made, Worker, make_token
from sqlalchemy import event

from kojin.api.security import TOKEN_CACHE_SECONDS, TokenCache
from kojin.auth.roles import Role
from kojin.auth.service import create_token, revoke_token
from kojin.db.uow import Database
from kojin.errors import AuthenticationError, ConflictError


def test_the_cache_trusts_a_check_for_at_most_one_second() -> None:
    assert TOKEN_CACHE_SECONDS <= 1.0


def test_revocation_through_one_worker_is_refused_by_another_within_a_second(
    workers: Callable[[], Worker], database: Database, admin: Made
) -> None:
    first, second = workers(), workers()
    auditor = make_token(database, Role.AUDITOR, "audit")
    assert second.client.get("/api/v1/policy", headers=auditor.header).status_code == 200
    assert second.state.token_cache.get(TokenCache.key(auditor.plaintext)) is not None

    revoked = first.client.delete(f"/api/v1/tokens/{auditor.token.id}", headers=admin.header)
    assert revoked.status_code == 200
    answered = time.monotonic()  # the revocation was committed before this answer
    # The other worker may still answer from its cache, but never a second after the commit.
    time.sleep(max(0.0, answered + 1.0 - time.monotonic()))
    late = second.client.get("/api/v1/policy", headers=auditor.header)
    assert late.status_code == 401
    assert first.client.get("/api/v1/policy", headers=auditor.header).status_code == 401


def test_a_revoked_admin_cannot_mint_or_revoke_while_a_worker_still_trusts_it(
    workers: Callable[[], Worker], admin: Made, second_admin: Made, database: Database
) -> None:
    first, second = workers(), workers()
    second.state.token_cache = TokenCache(ttl=60)  # the window an attacker would use
    victim = make_token(database, Role.HANDLER, "someone's token")
    assert second.client.get("/api/v1/tokens", headers=second_admin.header).status_code == 200

    revoked = first.client.delete(f"/api/v1/tokens/{second_admin.token.id}", headers=admin.header)
    assert revoked.status_code == 200
    # the second worker's cache still lets the revoked token read...
    assert second.client.get("/api/v1/tokens", headers=second_admin.header).status_code == 200
    # ...but not mint a token or revoke one: both check the caller in their transaction
    minted = second.client.post(
        "/api/v1/tokens", json={"role": "admin", "name": "backdoor"}, headers=second_admin.header
    )
    assert minted.status_code == 401
    assert minted.json()["error"]["code"] == "unauthenticated"
    revoking = second.client.delete(
        f"/api/v1/tokens/{victim.token.id}", headers=second_admin.header
    )
    assert revoking.status_code == 401
    names = [t["name"] for t in first.client.get("/api/v1/tokens", headers=admin.header).json()]
    assert "backdoor" not in names
    listed = {t["id"]: t for t in first.client.get("/api/v1/tokens", headers=admin.header).json()}
    assert listed[victim.token.id]["revoked_at"] is None


def _hold(
    database: Database, work: Callable[..., object], **kwargs: object
) -> tuple[threading.Thread, threading.Event, threading.Event, list[BaseException]]:
    """Run `work(session=..., **kwargs)` in a thread whose transaction stays open (its locks
    held) until the returned release event is set."""
    done, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with database.uow() as session:
                work(session=session, **kwargs)
                done.set()
                release.wait(10)
        except BaseException as exc:
            errors.append(exc)
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    assert done.wait(10)
    return thread, release, done, errors


def _outcome(
    database: Database, work: Callable[..., object], **kwargs: object
) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            with database.uow() as session:
                outcome.append(work(session=session, **kwargs))
        except (AuthenticationError, ConflictError) as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_minting_waits_for_a_revocation_in_progress_and_is_refused(
    database: Database, admin: Made, second_admin: Made
) -> None:
    holder, release, _, errors = _hold(
        database,
        revoke_token,
        token_id=second_admin.token.id,
        actor="token:first",
        caller_id=admin.token.id,
    )
    minter, outcome = _outcome(
        database,
        create_token,
        role=Role.ADMIN,
        name="minted meanwhile",
        actor="token:second",
        caller_id=second_admin.token.id,
    )
    minter.join(0.5)
    assert minter.is_alive(), "the mint must wait for the revocation's transaction"
    release.set()
    holder.join(10)
    minter.join(10)
    assert errors == []
    assert len(outcome) == 1
    assert isinstance(outcome[0], AuthenticationError)


def test_two_admins_revoking_each_other_leave_one(
    database: Database, admin: Made, second_admin: Made
) -> None:
    holder, release, _, errors = _hold(
        database,
        revoke_token,
        token_id=second_admin.token.id,
        actor="token:first",
        caller_id=admin.token.id,
    )
    other, outcome = _outcome(
        database,
        revoke_token,
        token_id=admin.token.id,
        actor="token:second",
        caller_id=second_admin.token.id,
    )
    other.join(0.5)
    assert other.is_alive()
    release.set()
    holder.join(10)
    other.join(10)
    assert errors == []
    assert len(outcome) == 1
    assert isinstance(outcome[0], AuthenticationError)  # its own token is revoked now


@pytest.mark.parametrize("order", ["first", "second"])
def test_two_operators_revoking_both_admins_at_once_leave_one(
    database: Database, admin: Made, second_admin: Made, order: str
) -> None:
    # `kojin token revoke` from two terminals: no caller token, only the last-admin rule
    one, two = (admin, second_admin) if order == "first" else (second_admin, admin)
    holder, release, _, errors = _hold(database, revoke_token, token_id=one.token.id, actor="cli:a")
    other, outcome = _outcome(database, revoke_token, token_id=two.token.id, actor="cli:b")
    other.join(0.5)
    assert other.is_alive()
    release.set()
    holder.join(10)
    other.join(10)
    assert errors == []
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConflictError)
    assert "last active admin" in str(outcome[0])


def test_a_worker_asks_the_token_table_about_once_a_second_per_token(
    workers: Callable[[], Worker], database: Database
) -> None:
    worker = workers()
    auditor = make_token(database, Role.AUDITOR, "audit")
    engine = worker.state.database.engine
    asked: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "api_tokens" in statement:
            asked.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    calls = 20
    try:
        started = time.monotonic()
        for _ in range(calls):
            assert worker.client.get("/api/v1/policy", headers=auditor.header).status_code == 200
        elapsed = time.monotonic() - started
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # once when first seen, then at most once per TOKEN_CACHE_SECONDS however busy the machine
    assert 1 <= len(asked) <= 1 + int(elapsed / TOKEN_CACHE_SECONDS)
    assert len(asked) < calls
