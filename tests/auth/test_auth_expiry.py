"""Tokens with an expiry: ``expires_in`` on creation, ``expires_at`` shown, expired tokens
refused with 401, also by a worker that remembers the token."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from auth_tokens import Made, Worker, make_token
from sqlalchemy import update

from kojin.api.security import TokenCache
from kojin.auth.models import ApiToken
from kojin.auth.roles import Role
from kojin.auth.schemas import MAX_EXPIRES_IN, MIN_EXPIRES_IN
from kojin.auth.service import authenticate, create_token
from kojin.db.uow import Database
from kojin.errors import AuthenticationError, InputError


def _set_expiry(database: Database, token_id: str, when: datetime) -> None:
    with database.uow() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(expires_at=when))


def test_a_token_created_with_expires_in_shows_when_it_expires(
    workers: Callable[[], Worker], admin: Made
) -> None:
    client = workers().client
    before = datetime.now(UTC)
    created = client.post(
        "/api/v1/tokens",
        json={"role": "auditor", "name": "a week", "expires_in": 7 * 86_400},
        headers=admin.header,
    )
    assert created.status_code == 201
    expires_at = datetime.fromisoformat(created.json()["token"]["expires_at"])
    assert before + timedelta(days=7) <= expires_at <= datetime.now(UTC) + timedelta(days=7)
    listed = client.get("/api/v1/tokens", headers=admin.header).json()
    by_id = {t["id"]: t for t in listed}
    assert by_id[created.json()["token"]["id"]]["expires_at"] is not None
    assert by_id[admin.token.id]["expires_at"] is None
    header = {"Authorization": f"Bearer {created.json()['plaintext']}"}
    assert client.get("/api/v1/audit/verify", headers=header).status_code == 200


@pytest.mark.parametrize(
    "value",
    ["3600", 3600.0, 3600.5, True, MIN_EXPIRES_IN - 1, MAX_EXPIRES_IN + 1, -60, 0, None],
)
def test_expires_in_is_a_bounded_json_integer(
    workers: Callable[[], Worker], admin: Made, value: object
) -> None:
    client = workers().client
    body: dict[str, object] = {"role": "auditor", "expires_in": value}
    response = client.post("/api/v1/tokens", json=body, headers=admin.header)
    if value is None:  # explicit null: no expiry
        assert response.status_code == 201
        assert response.json()["token"]["expires_at"] is None
        return
    assert response.status_code == 422
    error = response.json()["error"]
    assert [f["field"] for f in error["fields"]] == ["body.expires_in"]
    if len(str(value)) > 2:  # (a bound the message names may contain a short value's digits)
        assert str(value) not in response.text


def test_an_expired_token_is_refused(workers: Callable[[], Worker], database: Database) -> None:
    client = workers().client
    auditor = make_token(database, Role.AUDITOR, "expired")
    _set_expiry(database, auditor.token.id, datetime.now(UTC) - timedelta(seconds=1))
    response = client.get("/api/v1/policy", headers=auditor.header)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    with database.read() as session, pytest.raises(AuthenticationError):
        authenticate(session=session, token=auditor.plaintext)


def test_a_remembered_token_is_refused_once_it_expires(
    workers: Callable[[], Worker], database: Database
) -> None:
    worker = workers()
    worker.state.token_cache = TokenCache(ttl=60)  # only the expiry can end it in this test
    auditor = make_token(database, Role.AUDITOR, "short")
    expiry = datetime.now(UTC) + timedelta(milliseconds=600)
    _set_expiry(database, auditor.token.id, expiry)
    assert worker.client.get("/api/v1/policy", headers=auditor.header).status_code == 200
    time.sleep(max(0.0, (expiry - datetime.now(UTC)).total_seconds()) + 0.05)
    assert worker.client.get("/api/v1/policy", headers=auditor.header).status_code == 401


def test_an_expired_admin_cannot_mint(
    workers: Callable[[], Worker], admin: Made, second_admin: Made, database: Database
) -> None:
    worker = workers()
    worker.state.token_cache = TokenCache(ttl=60)
    assert worker.client.get("/api/v1/tokens", headers=second_admin.header).status_code == 200
    _set_expiry(database, second_admin.token.id, datetime.now(UTC) - timedelta(seconds=1))
    minted = worker.client.post(
        "/api/v1/tokens", json={"role": "admin"}, headers=second_admin.header
    )
    assert minted.status_code == 401


def test_the_service_checks_the_bounds(database: Database) -> None:
    with database.uow() as session:
        for bad in (MIN_EXPIRES_IN - 1, MAX_EXPIRES_IN + 1):
            with pytest.raises(InputError) as caught:
                create_token(session=session, role=Role.AUDITOR, name="x", expires_in=bad)
            assert caught.value.field == "expires_in"
        token, _ = create_token(
            session=session, role=Role.AUDITOR, name="x", expires_in=MIN_EXPIRES_IN
        )
    assert token.expires_at is not None


def test_the_schema_documents_expiry(workers: Callable[[], Worker]) -> None:
    schema = workers().client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    expires_in = components["ApiTokenCreate"]["properties"]["expires_in"]["anyOf"][0]
    assert expires_in == {
        "type": "integer",
        "minimum": MIN_EXPIRES_IN,
        "maximum": MAX_EXPIRES_IN,
    }
    assert "expires_at" in components["ApiTokenOut"]["properties"]
    revoke = schema["paths"]["/api/v1/tokens/{token_id}"]["delete"]["responses"]
    assert {"404", "409"} <= set(revoke)
