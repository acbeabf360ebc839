"""``/api/v1/subjects``: data subjects. Identifiers are decrypted only for the roles in
``roles.SUBJECTS_DECRYPTED`` and only when asked for (``reveal=true``; each reveal is recorded in
the audit chain); handlers read subjects without them.

Subjects of a category the policy marks specific personal information are visible only to roles
with My Number authority, and those roles see no others (R-MN-9): for any other role such a
subject is "subject not found", listing by such a category is refused (403, decided by the
category alone), and searches and unfiltered listings leave such subjects out in the query.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import PermissionDeniedError
from kojin.registry.subjects import (
    FlagsUpdate,
    SubjectCreate,
    SubjectOut,
    create_subject,
    find_subject,
    get_subject,
    list_subjects,
    set_flags,
)
from kojin.registry.subjects.service import MAX_LIMIT, MAX_OFFSET
from kojin.registry.subjects.text import Text100, Text320

router = APIRouter(prefix="/api/v1/subjects", tags=["subjects"], route_class=UniqueKeysRoute)

Reader = Annotated[ApiTokenOut, allow(roles.SUBJECTS_READ, name="read data subjects")]
Writer = Annotated[ApiTokenOut, allow(roles.SUBJECTS_WRITE, name="change data subjects")]

#: a category filter: a policy id's shape
CategoryFilter = Annotated[
    str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
]


class SubjectSearch(BaseModel):
    """Find subjects by e-mail or customer number (sent in the body, never in the URL)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: Text320 | None = None
    customer_number: Text100 | None = None


@router.post("", status_code=201)
def create(body: SubjectCreate, request: Request, actor: Writer) -> SubjectOut:
    """Register a data subject of a category the policy declares; identifiers are encrypted at
    rest, the response omits them."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return create_subject(
            session=session,
            cipher=state.cipher(),
            subject_in=body,
            policy=state.facts,
            actor=actor_label(actor),
            scope=roles.subject_scope(Role(actor.role), state.facts),
        )


@router.get("")
def list_all(
    request: Request,
    actor: Reader,
    category: CategoryFilter = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[SubjectOut]:
    """Subjects the role may see, oldest first, without identifiers."""
    state = app_state(request)
    with state.read() as session:
        return list_subjects(
            session=session,
            category=category,
            limit=limit,
            offset=offset,
            scope=roles.subject_scope(Role(actor.role), state.facts),
        )


@router.post("/search")
def search(body: SubjectSearch, request: Request, actor: Reader) -> list[SubjectOut]:
    """Subjects the role may see whose e-mail or customer number matches, by blind index; no
    identifiers."""
    state = app_state(request)
    with state.read() as session:
        return find_subject(
            session=session,
            cipher=state.cipher(),
            email=body.email,
            customer_number=body.customer_number,
            scope=roles.subject_scope(Role(actor.role), state.facts),
        )


@router.get("/{subject_id}")
def get_one(subject_id: str, request: Request, actor: Reader, reveal: bool = False) -> SubjectOut:
    """One subject; ``reveal=true`` decrypts its identifiers (privacy_officer, admin and, for
    specific personal information, mynumber_handler) and records the reveal in the audit chain
    (``subject.revealed``: who, which subject, the names of the fields revealed)."""
    state = app_state(request)
    role = Role(actor.role)
    scope = roles.subject_scope(role, state.facts)
    if not reveal:
        with state.read() as session:
            return get_subject(session=session, subject_id=subject_id, scope=scope)
    if role not in roles.SUBJECTS_DECRYPTED:
        raise PermissionDeniedError(f"role '{actor.role}' may not reveal subject identifiers")
    with state.unit_of_work() as session:
        return get_subject(
            session=session,
            subject_id=subject_id,
            cipher=state.cipher(),
            actor=actor_label(actor),
            scope=scope,
        )


@router.patch("/{subject_id}/flags")
def update_flags(subject_id: str, body: FlagsUpdate, request: Request, actor: Writer) -> SubjectOut:
    """Set or clear stop-use / stop-provision (APPI Art. 35); the change is audited, its
    reference kept outside the audit chain."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return set_flags(
            session=session,
            subject_id=subject_id,
            flags=body,
            actor=actor_label(actor),
            scope=roles.subject_scope(Role(actor.role), state.facts),
        )
