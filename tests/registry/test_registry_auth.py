"""API tokens: the plaintext is shown once, only its SHA-256 is stored; revocation works."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from kojin.auth.roles import Role
from kojin.auth.service import authenticate, create_token, list_tokens, revoke_token
from kojin.db.uow import Database
from kojin.errors import AuthenticationError, InputError, NotFoundError


def test_token_lifecycle(database: Database) -> None:
    with database.uow() as session:
        token, plaintext = create_token(session=session, role=Role.AUDITOR, name="annual audit")
    assert plaintext.startswith("kojin_")
    assert len(plaintext) > 40
    assert plaintext.startswith(token.prefix)
    with database.engine.connect() as conn:
        stored = conn.execute(text("select token_hash from api_tokens")).scalar_one()
        dump = str(conn.execute(text("select * from api_tokens")).all())
        audit = str(conn.execute(text("select * from audit_entries")).all())
    assert stored == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in dump
    assert plaintext not in audit
    with database.read() as session:
        who = authenticate(session=session, token=plaintext)
        assert [t.id for t in list_tokens(session=session)] == [token.id]
    assert (who.id, who.role, who.name) == (token.id, Role.AUDITOR, "annual audit")
    with database.uow() as session:
        revoked = revoke_token(session=session, token_id=token.id, actor="admin")
    assert revoked.revoked_at is not None
    with database.read() as session, pytest.raises(AuthenticationError):
        authenticate(session=session, token=plaintext)


@pytest.mark.parametrize("token", ["", "kojin_", "kojin_wrong", "Bearer kojin_x", "x" * 60])
def test_unknown_tokens_fail(database: Database, token: str) -> None:
    with database.uow() as session:
        create_token(session=session, role=Role.ADMIN, name="admin")
    with database.read() as session, pytest.raises(AuthenticationError):
        authenticate(session=session, token=token)


def test_bad_input(database: Database) -> None:
    with database.uow() as session:
        with pytest.raises(InputError, match="name"):
            create_token(session=session, role=Role.HANDLER, name="  ")
        with pytest.raises(NotFoundError):
            revoke_token(session=session, token_id="nope", actor="a")


def test_roles_are_the_documented_set() -> None:
    assert {r.value for r in Role} == {
        "admin",
        "privacy_officer",
        "handler",
        "mynumber_handler",
        "auditor",
        "system",
    }
