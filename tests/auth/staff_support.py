"""What the staff-user tests share: cheap argon2 parameters, users made as the CLI makes them,
and the audit entries written."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.auth import passwords
from kojin.auth.roles import Role
from kojin.auth.staff import StaffUserOut, create_staff_user
from kojin.db.uow import Database

#: a password that meets the rules
PASSWORD = "correct horse battery"
#: argon2id with small parameters: the same algorithm, a fraction of the time
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def use_cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash with :data:`CHEAP` for the rest of the test."""
    monkeypatch.setattr(passwords, "HASHER", CHEAP)


def make_user(
    database: Database, username: str, role: Role = Role.HANDLER, password: str = PASSWORD
) -> StaffUserOut:
    """A new staff user, created as ``kojin user create`` does."""
    with database.uow() as session:
        return create_staff_user(
            session=session, username=username, password=password, role=role, actor="cli:test"
        )


def entries(database: Database, prefix: str = "staff.") -> list[dict[str, Any]]:
    """The chain's entries whose action starts with `prefix`, oldest first."""
    with database.read() as session:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.seq)
        ).scalars()
        return [
            {
                "actor": r.actor,
                "action": r.action,
                "object_id": r.object_id,
                "details": dict(r.details),
            }
            for r in rows
        ]
