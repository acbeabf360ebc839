"""``/api/v1/subjects``: data subjects. Identifiers are decrypted only for privacy_officer and
admin, and only when asked for (``reveal=true``); handlers read subjects without them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

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

router = APIRouter(prefix="/api/v1/subjects", tags=["subjects"], route_class=UniqueKeysRoute)

Reader = Annotated[ApiTokenOut, allow(roles.SUBJECTS_READ, name="read data subjects")]
Writer = Annotated[ApiTokenOut, allow(roles.SUBJECTS_WRITE, name="change data subjects")]


class SubjectSearch(BaseModel):
    """Find subjects by e-mail or customer number (sent in the body, never in the URL)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str | None = Field(default=None, max_length=320)
    customer_number: str | None = Field(default=None, max_length=100)


@router.post("", status_code=201)
def create(body: SubjectCreate, request: Request, actor: Writer) -> SubjectOut:
    """Register a data subject; identifiers are encrypted at rest, the response omits them."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return create_subject(
            session=session, cipher=state.cipher(), subject_in=body, actor=actor_label(actor)
        )


@router.get("")
def list_all(
    request: Request,
    actor: Reader,
    category: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[SubjectOut]:
    """Subjects, oldest first, without identifiers."""
    with app_state(request).read() as session:
        return list_subjects(session=session, category=category, limit=limit, offset=offset)


@router.post("/search")
def search(body: SubjectSearch, request: Request, actor: Reader) -> list[SubjectOut]:
    """Subjects whose e-mail or customer number matches, by blind index; no identifiers."""
    state = app_state(request)
    with state.read() as session:
        return find_subject(
            session=session,
            cipher=state.cipher(),
            email=body.email,
            customer_number=body.customer_number,
        )


@router.get("/{subject_id}")
def get_one(subject_id: str, request: Request, actor: Reader, reveal: bool = False) -> SubjectOut:
    """One subject; ``reveal=true`` decrypts its identifiers (privacy_officer and admin only)."""
    state = app_state(request)
    if reveal and Role(actor.role) not in roles.SUBJECTS_DECRYPTED:
        raise PermissionDeniedError(f"role '{actor.role}' may not reveal subject identifiers")
    with state.read() as session:
        return get_subject(
            session=session, subject_id=subject_id, cipher=state.cipher() if reveal else None
        )


@router.patch("/{subject_id}/flags")
def update_flags(subject_id: str, body: FlagsUpdate, request: Request, actor: Writer) -> SubjectOut:
    """Set or clear stop-use / stop-provision (APPI Art. 35); the change is audited."""
    with app_state(request).unit_of_work() as session:
        return set_flags(
            session=session, subject_id=subject_id, flags=body, actor=actor_label(actor)
        )
