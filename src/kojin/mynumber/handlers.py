"""Designated persons in charge of specific personal information (MNA Art. 12; R-MN-9 C).

A designation names an actor (``staff:<username>`` or ``token:<id>``), the affairs they handle
and, optionally, the only people whose numbers they may handle; the department is kept for the
status register. Only an actor with an unrevoked designation may register or reveal a number,
and only for an affair and a person within it. Designating and revoking are chained in the
audit log (ids and digests only: the department's name is hashed).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.errors import ConflictError, NotFoundError, PermissionDeniedError
from kojin.law.policy_facts import PolicyFacts
from kojin.mynumber.affairs import check_affairs
from kojin.mynumber.models import HandlerDesignation
from kojin.mynumber.schemas import HandlerIn, HandlerOut
from kojin.mynumber.vault import VaultSessions
from kojin.registry.subjects.text import is_row_id

NOT_DESIGNATED = (
    "only a designated person in charge of specific personal information may do this "
    "(R-MN-9): this actor has no designation"
)


def text_sha256(text: str) -> str:
    """SHA-256 (hex) of free text someone wrote: what the audit chain holds in its place."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class HandlerScope:
    """What one designated handler may handle: affairs, and people (None: all of them)."""

    actor: str
    affairs: frozenset[str]
    subject_ids: frozenset[str] | None
    department: str

    def covers(self, subject_id: str) -> bool:
        """Whether the person `subject_id` is within the designation."""
        return self.subject_ids is None or subject_id in self.subject_ids

    def allows(self, *, affair: str, subject_id: str) -> bool:
        """Whether the handler may handle `subject_id`'s number for `affair`."""
        return affair in self.affairs and self.covers(subject_id)

    def sees(self, *, affairs: list[str], subject_id: str) -> bool:
        """Whether a record of `affairs` about `subject_id` is within the designation (at least
        one of its affairs, and the person)."""
        return self.covers(subject_id) and not self.affairs.isdisjoint(affairs)


#: the scope of a handler without a designation: no affair, no person
NOBODY = HandlerScope(actor="", affairs=frozenset(), subject_ids=frozenset(), department="")


_ACTIVE = (
    select(HandlerDesignation)
    .where(HandlerDesignation.actor == bindparam("actor"), HandlerDesignation.revoked_at.is_(None))
    .limit(1)
)
#: where a transaction keeps the scopes it has read (``Session.info``): a batch of reveals
#: reads its designation once; designating or revoking in the transaction forgets them
_SCOPES = "kojin.mynumber.scopes"


def _active(vault: Session, actor: str) -> HandlerDesignation | None:
    return vault.execute(_ACTIVE, {"actor": actor}).scalars().first()


def _forget_scopes(vault: Session) -> None:
    vault.info.pop(_SCOPES, None)


def handler_scope(*, vault: Session, actor: str) -> HandlerScope | None:
    """The designation of `actor`, or None when it has no unrevoked one (read once per
    transaction)."""
    known: dict[str, HandlerScope | None] = vault.info.setdefault(_SCOPES, {})
    if actor in known:
        return known[actor]
    row = _active(vault, actor)
    scope = (
        None
        if row is None
        else HandlerScope(
            actor=row.actor,
            affairs=frozenset(row.affairs),
            subject_ids=None if row.subject_ids is None else frozenset(row.subject_ids),
            department=row.department,
        )
    )
    known[actor] = scope
    return scope


def require_scope(*, vault: Session, actor: str) -> HandlerScope:
    """The designation of `actor`; PermissionDeniedError when it has none."""
    scope = handler_scope(vault=vault, actor=actor)
    if scope is None:
        raise PermissionDeniedError(NOT_DESIGNATED)
    return scope


def _out(row: HandlerDesignation) -> HandlerOut:
    return HandlerOut(
        id=row.id,
        actor=row.actor,
        affairs=list(row.affairs),
        subject_ids=None if row.subject_ids is None else list(row.subject_ids),
        department=row.department,
        designated_by=row.designated_by,
        designated_at=row.designated_at,
        revoked_by=row.revoked_by,
        revoked_at=row.revoked_at,
    )


def designate_handler(
    *,
    sessions: VaultSessions,
    policy: PolicyFacts,
    actor: str,
    body: HandlerIn,
    now: datetime | None = None,
) -> HandlerOut:
    """Designate `body.actor` for affairs the policy declares (and, optionally, only some
    people); ConflictError when that actor already holds a designation (revoke it first).
    Chained as ``mynumber.handler_designated``."""
    check_affairs(policy, body.affairs)
    if _active(sessions.vault, body.actor) is not None:
        raise ConflictError("this actor is already designated: revoke the designation first")
    row = HandlerDesignation(
        id=uuid.uuid4().hex,
        actor=body.actor,
        affairs=list(body.affairs),
        subject_ids=None if body.subject_ids is None else sorted(set(body.subject_ids)),
        department=body.department,
        designated_by=actor,
        designated_at=now or utcnow(),
    )
    sessions.vault.add(row)
    sessions.vault.flush()
    _forget_scopes(sessions.vault)
    append_entry(
        session=sessions.registry,
        actor=actor,
        action="mynumber.handler_designated",
        object_type="mynumber_handler",
        object_id=row.id,
        details={
            "designee": row.actor,
            "affairs": row.affairs,
            "subject_ids": row.subject_ids,
            "department_sha256": text_sha256(row.department),
        },
        now=row.designated_at,
    )
    return _out(row)


def revoke_handler(
    *, sessions: VaultSessions, actor: str, handler_id: str, now: datetime | None = None
) -> HandlerOut:
    """End a designation (kept, with who ended it and when); NotFoundError for an unknown id,
    ConflictError when it was already revoked. Chained as ``mynumber.handler_revoked``."""
    row = sessions.vault.get(HandlerDesignation, handler_id) if is_row_id(handler_id) else None
    if row is None:
        raise NotFoundError("handler designation not found")
    if row.revoked_at is not None:
        raise ConflictError("this designation was already revoked")
    row.revoked_at = now or utcnow()
    row.revoked_by = actor
    sessions.vault.flush()
    _forget_scopes(sessions.vault)
    append_entry(
        session=sessions.registry,
        actor=actor,
        action="mynumber.handler_revoked",
        object_type="mynumber_handler",
        object_id=row.id,
        details={"designee": row.actor},
        now=row.revoked_at,
    )
    return _out(row)


def list_handlers(*, vault: Session, include_revoked: bool = True) -> list[HandlerOut]:
    """Every designation, oldest first (revoked ones too unless told otherwise): the access
    holders of the status register."""
    query = select(HandlerDesignation).order_by(
        HandlerDesignation.designated_at, HandlerDesignation.id
    )
    if not include_revoked:
        query = query.where(HandlerDesignation.revoked_at.is_(None))
    return [_out(row) for row in vault.execute(query).scalars()]
