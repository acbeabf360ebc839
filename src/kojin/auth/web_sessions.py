"""Staff sign-in and server-side web sessions.

Signing in gives the browser a random token (``secrets.token_urlsafe(32)``) for its cookie; the
database keeps only the token's SHA-256, with the session's own CSRF token and its times. A
session ends after `idle` without a request, `max_age` after sign-in whatever its use, on sign-out,
and when its user is disabled or gets a new password. ``last_seen_at`` is written at most once a
minute per session, not on every request.

Every refusal says the same thing, whether the user name is unknown, the password wrong or the
user disabled, and costs the same argon2 verification. Sign-ins and refusals are chained; a
refusal records the SHA-256 of the user name typed, never the name (it may be a password typed
into the wrong field). The refusal is written in the caller's transaction before
AuthenticationError is raised: catch the error inside the unit of work, so that it commits.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.auth.models import StaffUser, WebSession
from kojin.auth.passwords import hash_password, needs_rehash, verify_dummy, verify_password
from kojin.auth.staff import OBJECT_TYPE, StaffUserOut, normalize_username, staff_actor
from kojin.db.base import utcnow
from kojin.errors import AuthenticationError

#: the one message for an unknown user name, a wrong password and a disabled user
REFUSED = "wrong user name or password"
#: the actor of a refused sign-in: nobody has been authenticated
ANONYMOUS = "anonymous"
#: ``last_seen_at`` is written again only when it is at least this old
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class StaffSession:
    """A live session: who, the CSRF token its forms carry, and its absolute end (it ends
    earlier when left idle)."""

    user: StaffUserOut
    csrf_token: str
    expires_at: datetime


def token_digest(token: str) -> str:
    """The SHA-256 (hex) of a session token: what the database stores and looks up."""
    return hashlib.sha256(token.encode()).hexdigest()


def username_digest(username: str) -> str:
    """The SHA-256 (hex) of a typed user name, normalized: what a refused sign-in chains."""
    return hashlib.sha256(normalize_username(username).encode()).hexdigest()


def _refuse(session: Session, username: str, user_id: str | None) -> AuthenticationError:
    append_entry(
        session=session,
        actor=ANONYMOUS,
        action="staff.sign_in_refused",
        object_type=OBJECT_TYPE,
        object_id=user_id or "-",
        details={"username_sha256": username_digest(username)},
    )
    return AuthenticationError(REFUSED)


def sign_in(
    *,
    session: Session,
    username: str,
    password: str,
    idle: timedelta,
    max_age: timedelta,
    now: datetime | None = None,
) -> tuple[str, StaffSession]:
    """Check the password and open a session; returns (the cookie's token, the session).

    AuthenticationError(:data:`REFUSED`) for an unknown user, a wrong password or a disabled
    user alike, after the same work and a ``staff.sign_in_refused`` entry. A hash made under
    older argon2 parameters is replaced by a fresh one. `idle` is not stored: the same value
    is given to :func:`current_session`.
    """
    del idle  # the idle timeout is applied on each request, by current_session
    moment = now or utcnow()
    row = session.execute(
        select(StaffUser).where(StaffUser.username == normalize_username(username))
    ).scalar_one_or_none()
    if row is None:
        verify_dummy(password)
        raise _refuse(session, username, None)
    if not verify_password(row.password_hash, password) or row.disabled_at is not None:
        raise _refuse(session, username, row.id)
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    row.last_sign_in_at = moment
    token = secrets.token_urlsafe(32)
    web = WebSession(
        id=uuid.uuid4().hex,
        token_hash=token_digest(token),
        user_id=row.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=moment,
        last_seen_at=moment,
        expires_at=moment + max_age,
    )
    session.add(web)
    user = StaffUserOut.model_validate(row)
    append_entry(
        session=session,
        actor=staff_actor(user),
        action="staff.signed_in",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details={"session": web.id},
    )
    return token, StaffSession(user=user, csrf_token=web.csrf_token, expires_at=web.expires_at)


def current_session(
    *,
    session: Session,
    token: str,
    idle: timedelta,
    max_age: timedelta,
    now: datetime | None = None,
) -> StaffSession | None:
    """The live session the cookie's `token` names, or None when it is unknown, signed out,
    expired (idle longer than `idle`, or older than `max_age` or its own absolute end) or its
    user is disabled. Writes ``last_seen_at`` when it is a minute old or more: call it inside a
    unit of work."""
    if not token:
        return None
    moment = now or utcnow()
    found = session.execute(
        select(WebSession, StaffUser)
        .join(StaffUser, StaffUser.id == WebSession.user_id)
        .where(WebSession.token_hash == token_digest(token))
    ).first()
    if found is None:
        return None
    web, row = found
    expired = (
        web.ended_at is not None
        or moment >= web.expires_at
        or moment >= web.created_at + max_age
        or moment >= web.last_seen_at + idle
    )
    if expired or row.disabled_at is not None:
        return None
    if moment - web.last_seen_at >= TOUCH_INTERVAL:
        web.last_seen_at = moment
    ends = min(web.expires_at, web.created_at + max_age)
    user = StaffUserOut.model_validate(row)
    return StaffSession(user=user, csrf_token=web.csrf_token, expires_at=ends)


def sign_out(*, session: Session, token: str) -> None:
    """End the session `token` names (nothing happens for an unknown or ended one)."""
    if not token:
        return
    found = session.execute(
        select(WebSession, StaffUser)
        .join(StaffUser, StaffUser.id == WebSession.user_id)
        .where(WebSession.token_hash == token_digest(token), WebSession.ended_at.is_(None))
    ).first()
    if found is None:
        return
    web, row = found
    web.ended_at = utcnow()
    append_entry(
        session=session,
        actor=staff_actor(StaffUserOut.model_validate(row)),
        action="staff.signed_out",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details={"session": web.id},
    )


def purge_sessions(*, session: Session, older_than: datetime) -> int:
    """Delete sessions that ended or reached their absolute end before `older_than` (live
    sessions are kept); returns how many."""
    result = session.execute(
        delete(WebSession).where(
            or_(
                WebSession.expires_at < older_than,
                and_(WebSession.ended_at.is_not(None), WebSession.ended_at < older_than),
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
