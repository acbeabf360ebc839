"""Create, authenticate, list and revoke API tokens; every change goes to the audit chain.

A token works until it is revoked or its ``expires_at`` has passed. Creating and revoking
through the API name the calling token (``caller_id``): it is read again, locked, inside the
same write transaction, so a token revoked (or expired) a moment ago cannot mint another or
revoke anything, whatever an interface's cache still says. The last active admin token cannot
be revoked. On SQLite every write transaction holds the database lock from its start
(``BEGIN IMMEDIATE``); on PostgreSQL the rows read for these checks are locked ``FOR UPDATE``
in id order, so two revocations racing each other see each other's result.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.auth.models import ApiToken
from kojin.auth.roles import Role
from kojin.auth.schemas import MAX_EXPIRES_IN, MIN_EXPIRES_IN, ApiTokenOut
from kojin.db.base import utcnow
from kojin.errors import AuthenticationError, ConflictError, InputError, NotFoundError

TOKEN_PREFIX = "kojin_"

#: what a caller is told when its token is unknown, revoked or expired (never which one)
REFUSED = "invalid, revoked or expired API token"
LAST_ADMIN = (
    "the last active admin token cannot be revoked: create another admin token first, "
    "then revoke this one"
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _active(row: ApiToken, now: datetime) -> bool:
    return row.revoked_at is None and (row.expires_at is None or now < row.expires_at)


def _locked(session: Session, *conditions: ColumnElement[bool]) -> Sequence[ApiToken]:
    """Token rows matching any of `conditions`, locked ``FOR UPDATE`` in id order (SQLite:
    the transaction already holds the database lock), read afresh from the database."""
    query = (
        select(ApiToken)
        .where(or_(*conditions))
        .order_by(ApiToken.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(query).scalars().all()


def _check_caller(row: ApiToken | None, now: datetime) -> None:
    if row is None or not _active(row, now):
        raise AuthenticationError(REFUSED)


def require_active_caller(*, session: Session, caller_id: str) -> ApiTokenOut:
    """The calling token, read and locked in this transaction; AuthenticationError when it has
    been revoked or has expired since an interface authenticated it."""
    rows = _locked(session, ApiToken.id == caller_id)
    row = rows[0] if rows else None
    _check_caller(row, utcnow())
    assert row is not None
    return ApiTokenOut.model_validate(row)


def lifetime(seconds: int) -> timedelta:
    """`seconds` as a token lifetime; InputError (field ``expires_in``) outside the bounds."""
    if isinstance(seconds, bool) or not MIN_EXPIRES_IN <= seconds <= MAX_EXPIRES_IN:
        raise InputError(
            f"expires_in must be between {MIN_EXPIRES_IN} seconds and {MAX_EXPIRES_IN // 86_400}"
            " days",
            field="expires_in",
        )
    return timedelta(seconds=seconds)


def create_token(
    *,
    session: Session,
    role: Role,
    name: str,
    actor: str = "system",
    expires_in: int | None = None,
    caller_id: str | None = None,
) -> tuple[ApiTokenOut, str]:
    """Create a token for `role`; returns its description and the plaintext (shown only now).

    `expires_in` (seconds, see :func:`lifetime`) gives the token an expiry; `caller_id` is the
    token asking, checked again here (see :func:`require_active_caller`).
    """
    if not name.strip():
        raise InputError("token name must not be empty", field="name")
    ttl = None if expires_in is None else lifetime(expires_in)
    if caller_id is not None:
        require_active_caller(session=session, caller_id=caller_id)
    now = utcnow()
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        id=uuid.uuid4().hex,
        name=name.strip(),
        role=Role(role).value,
        token_hash=_hash(plaintext),
        prefix=plaintext[: len(TOKEN_PREFIX) + 4],
        created_at=now,
        expires_at=None if ttl is None else now + ttl,
    )
    session.add(row)
    details: dict[str, object] = {"role": row.role}
    if row.expires_at is not None:
        details["expires_at"] = row.expires_at.isoformat()
    append_entry(
        session=session,
        actor=actor,
        action="token.created",
        object_type="api_token",
        object_id=row.id,
        details=details,
    )
    return ApiTokenOut.model_validate(row), plaintext


def authenticate(*, session: Session, token: str) -> ApiTokenOut:
    """The token's description; AuthenticationError when it is unknown, revoked or expired."""
    if not token.startswith(TOKEN_PREFIX):
        raise AuthenticationError("invalid API token")
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == _hash(token))
    ).scalar_one_or_none()
    if row is None or not _active(row, utcnow()):
        raise AuthenticationError(REFUSED)
    return ApiTokenOut.model_validate(row)


def list_tokens(*, session: Session) -> list[ApiTokenOut]:
    """Every token, oldest first, revoked and expired ones included."""
    rows = session.execute(select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)).scalars()
    return [ApiTokenOut.model_validate(row) for row in rows]


def revoke_token(
    *, session: Session, token_id: str, actor: str, caller_id: str | None = None
) -> ApiTokenOut:
    """Revoke a token by id (idempotent).

    NotFoundError for an unknown id; ConflictError when it is the last active admin token;
    AuthenticationError when `caller_id` (the token asking) is no longer active.
    """
    ids = {token_id} if caller_id is None else {token_id, caller_id}
    rows = _locked(
        session,
        ApiToken.id.in_(sorted(ids)),
        and_(ApiToken.role == Role.ADMIN.value, ApiToken.revoked_at.is_(None)),
    )
    by_id = {row.id: row for row in rows}
    now = utcnow()
    if caller_id is not None:
        _check_caller(by_id.get(caller_id), now)
    row = by_id.get(token_id)
    if row is None:
        raise NotFoundError("API token not found")
    if row.revoked_at is not None:
        return ApiTokenOut.model_validate(row)
    if row.role == Role.ADMIN.value and _active(row, now):
        others = [r for r in rows if r.id != row.id and r.role == row.role and _active(r, now)]
        if not others:
            raise ConflictError(LAST_ADMIN)
    row.revoked_at = now
    append_entry(
        session=session,
        actor=actor,
        action="token.revoked",
        object_type="api_token",
        object_id=row.id,
    )
    return ApiTokenOut.model_validate(row)
