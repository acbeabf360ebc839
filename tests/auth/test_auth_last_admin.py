"""The last active admin token cannot be revoked (409), and an unknown id is a 404 that does
not repeat the id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from auth_tokens import Made, Worker, make_token
from sqlalchemy import update

from kojin.auth.models import ApiToken
from kojin.auth.roles import Role
from kojin.db.uow import Database


def test_the_last_admin_token_cannot_be_revoked(
    workers: Callable[[], Worker], admin: Made, database: Database
) -> None:
    client = workers().client
    make_token(database, Role.AUDITOR, "not an admin")
    refused = client.delete(f"/api/v1/tokens/{admin.token.id}", headers=admin.header)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "conflict"
    assert "last active admin token" in error["message"]
    assert admin.token.id not in refused.text
    assert client.get("/api/v1/tokens", headers=admin.header).status_code == 200


def test_an_admin_may_revoke_itself_while_another_is_active(
    workers: Callable[[], Worker], admin: Made, second_admin: Made
) -> None:
    client = workers().client
    revoked = client.delete(f"/api/v1/tokens/{admin.token.id}", headers=admin.header)
    assert revoked.status_code == 200
    again = client.delete(f"/api/v1/tokens/{second_admin.token.id}", headers=second_admin.header)
    assert again.status_code == 409


def test_revoked_and_expired_admin_tokens_do_not_count(
    workers: Callable[[], Worker], admin: Made, database: Database
) -> None:
    client = workers().client
    expired = make_token(database, Role.ADMIN, "expired admin")
    revoked = make_token(database, Role.ADMIN, "revoked admin")
    assert client.delete(f"/api/v1/tokens/{revoked.token.id}", headers=admin.header).is_success
    with database.uow() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == expired.token.id)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    refused = client.delete(f"/api/v1/tokens/{admin.token.id}", headers=admin.header)
    assert refused.status_code == 409
    # an expired admin token may itself be revoked: it is not active
    assert client.delete(f"/api/v1/tokens/{expired.token.id}", headers=admin.header).is_success


def test_an_unknown_token_id_is_a_404_without_the_id(
    workers: Callable[[], Worker], admin: Made
) -> None:
    client = workers().client
    unknown = "0123456789abcdef0123456789abcdef"
    response = client.delete(f"/api/v1/tokens/{unknown}", headers=admin.header)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "API token not found"
    assert unknown not in response.text
