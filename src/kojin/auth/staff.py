"""Staff users: create, list, disable and set passwords; every change goes to the audit chain.

A staff user signs in to the staff pages (:mod:`kojin.auth.web_sessions`) and acts there as
``staff:<username>`` with one of kojin's roles. The chain records the role, never the password
or its hash. Disabling a user or setting a new password ends the user's web sessions. The last
enabled admin cannot be disabled, as the last active admin token cannot be revoked: on SQLite
every write transaction holds the database lock from its start; on PostgreSQL the rows read
for the check are locked ``FOR UPDATE`` in id order.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.auth.models import StaffUser, WebSession
from kojin.auth.passwords import check_password_rules, generate_password, hash_password
from kojin.auth.roles import Role
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError, NotFoundError

USERNAME = re.compile(r"[a-z0-9._-]{3,64}")
USERNAME_RULE = "user name must be 3 to 64 characters of a-z, 0-9, '.', '_' and '-'"
NOT_FOUND = "staff user not found"
TAKEN = "a staff user with this user name already exists"
LAST_ADMIN = (
    "the last enabled admin staff user cannot be disabled: create another admin staff user "
    "first, then disable this one"
)
#: the user ``kojin init`` creates, with a generated password shown once
FIRST_ADMIN = "admin"
OBJECT_TYPE = "staff_user"


class StaffUserOut(BaseModel):
    """A staff user as shown: never the password hash."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    username: str
    role: Role
    created_at: datetime
    disabled_at: datetime | None = None
    last_sign_in_at: datetime | None = None


def normalize_username(text: str) -> str:
    """`text` as a user name is stored: NFKC (full-width letters typed in Japanese input become
    ASCII), surrounding spaces removed, lower case. Not validated: see :func:`check_username`."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def check_username(text: str) -> str:
    """The normalized user name; InputError (field ``username``) when it breaks the rule."""
    name = normalize_username(text)
    if USERNAME.fullmatch(name) is None:
        raise InputError(USERNAME_RULE, field="username")
    return name


def check_staff_role(role: Role) -> Role:
    """`role` as a staff user's role; InputError (field ``role``) for ``system``, which is for
    API tokens of other systems."""
    role = Role(role)
    if role is Role.SYSTEM:
        raise InputError("the system role is for API tokens, not staff users", field="role")
    return role


def staff_actor(user: StaffUserOut) -> str:
    """The actor the audit chain records for `user`: ``staff:<username>``."""
    return f"staff:{user.username}"


def _by_name(session: Session, username: str) -> StaffUser | None:
    return session.execute(
        select(StaffUser).where(StaffUser.username == username)
    ).scalar_one_or_none()


def _end_sessions(session: Session, user_id: str, now: datetime) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def _locked(session: Session, *conditions: ColumnElement[bool]) -> Sequence[StaffUser]:
    """Staff rows matching any of `conditions`, read afresh and locked in id order."""
    query = (
        select(StaffUser)
        .where(or_(*conditions))
        .order_by(StaffUser.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(query).scalars().all()


def create_staff_user(
    *, session: Session, username: str, password: str, role: Role, actor: str
) -> StaffUserOut:
    """Create a staff user; InputError for a bad user name, password or role, ConflictError
    when the name is taken."""
    name = check_username(username)
    role = check_staff_role(role)
    check_password_rules(password)
    if _by_name(session, name) is not None:
        raise ConflictError(TAKEN)
    row = StaffUser(
        id=uuid.uuid4().hex,
        username=name,
        password_hash=hash_password(password),
        role=role.value,
        created_at=utcnow(),
    )
    session.add(row)
    append_entry(
        session=session,
        actor=actor,
        action="staff.created",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details={"role": row.role},
    )
    return StaffUserOut.model_validate(row)


def create_first_admin(*, session: Session, actor: str) -> tuple[StaffUserOut, str] | None:
    """Create the staff user ``admin`` (role admin) with a generated 20-character password and
    return it with the password (shown once); None when any staff user exists already."""
    if session.execute(select(StaffUser.id).limit(1)).first() is not None:
        return None
    password = generate_password(20)
    user = create_staff_user(
        session=session, username=FIRST_ADMIN, password=password, role=Role.ADMIN, actor=actor
    )
    return user, password


def get_staff_user(*, session: Session, username: str) -> StaffUserOut:
    """The staff user named `username`; NotFoundError when there is none."""
    row = _by_name(session, normalize_username(username))
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return StaffUserOut.model_validate(row)


def list_staff_users(*, session: Session) -> list[StaffUserOut]:
    """Every staff user by user name, disabled ones included."""
    rows = session.execute(select(StaffUser).order_by(StaffUser.username)).scalars()
    return [StaffUserOut.model_validate(row) for row in rows]


def disable_staff_user(*, session: Session, username: str, actor: str) -> StaffUserOut:
    """Disable a staff user and end their sessions (idempotent); NotFoundError for an unknown
    name, ConflictError for the last enabled admin."""
    name = normalize_username(username)
    rows = _locked(
        session,
        StaffUser.username == name,
        and_(StaffUser.role == Role.ADMIN.value, StaffUser.disabled_at.is_(None)),
    )
    row = next((r for r in rows if r.username == name), None)
    if row is None:
        raise NotFoundError(NOT_FOUND)
    if row.disabled_at is not None:
        return StaffUserOut.model_validate(row)
    if row.role == Role.ADMIN.value:
        others = [r for r in rows if r.id != row.id and r.role == row.role and not r.disabled_at]
        if not others:
            raise ConflictError(LAST_ADMIN)
    now = utcnow()
    row.disabled_at = now
    _end_sessions(session, row.id, now)
    append_entry(
        session=session,
        actor=actor,
        action="staff.disabled",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details={"role": row.role},
    )
    return StaffUserOut.model_validate(row)


def set_staff_password(*, session: Session, username: str, password: str, actor: str) -> None:
    """Give a staff user a new password and end their sessions (signed in elsewhere with the
    old one); InputError when it breaks the rules, NotFoundError for an unknown name."""
    check_password_rules(password)
    row = _by_name(session, normalize_username(username))
    if row is None:
        raise NotFoundError(NOT_FOUND)
    row.password_hash = hash_password(password)
    _end_sessions(session, row.id, utcnow())
    append_entry(
        session=session,
        actor=actor,
        action="staff.password_set",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details={"role": row.role},
    )
