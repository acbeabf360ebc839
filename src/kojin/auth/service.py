"""Create, authenticate, list and revoke API tokens; every change goes to the audit chain."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.auth.models import ApiToken
from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.db.base import utcnow
from kojin.errors import AuthenticationError, InputError, NotFoundError

TOKEN_PREFIX = "kojin_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    *, session: Session, role: Role, name: str, actor: str = "system"
) -> tuple[ApiTokenOut, str]:
    """Create a token for `role`; returns its description and the plaintext (shown only now)."""
    if not name.strip():
        raise InputError("token name must not be empty", field="name")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        id=uuid.uuid4().hex,
        name=name.strip(),
        role=Role(role).value,
        token_hash=_hash(plaintext),
        prefix=plaintext[: len(TOKEN_PREFIX) + 4],
        created_at=utcnow(),
    )
    session.add(row)
    append_entry(
        session=session,
        actor=actor,
        action="token.created",
        object_type="api_token",
        object_id=row.id,
        details={"role": row.role},
    )
    return ApiTokenOut.model_validate(row), plaintext


def authenticate(*, session: Session, token: str) -> ApiTokenOut:
    """The token's description; AuthenticationError when it is unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX):
        raise AuthenticationError("invalid API token")
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == _hash(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise AuthenticationError("invalid or revoked API token")
    return ApiTokenOut.model_validate(row)


def list_tokens(*, session: Session) -> list[ApiTokenOut]:
    """Every token, oldest first, revoked ones included."""
    rows = session.execute(select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)).scalars()
    return [ApiTokenOut.model_validate(row) for row in rows]


def revoke_token(*, session: Session, token_id: str, actor: str) -> ApiTokenOut:
    """Revoke a token by id (idempotent); NotFoundError for an unknown id."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"API token {token_id} does not exist")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        append_entry(
            session=session,
            actor=actor,
            action="token.revoked",
            object_type="api_token",
            object_id=row.id,
        )
    return ApiTokenOut.model_validate(row)
