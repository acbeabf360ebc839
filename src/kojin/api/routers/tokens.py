"""``/api/v1/tokens``: API token management (admin only). The plaintext is shown once.

Creating and revoking check the caller's own token again inside their write transaction, so a
token revoked a moment ago (still remembered by a worker's cache) cannot mint or revoke.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from kojin.api import roles
from kojin.api.errors import ErrorBody
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.schemas import ApiTokenCreate, ApiTokenOut
from kojin.auth.service import create_token, list_tokens, revoke_token

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"], route_class=UniqueKeysRoute)

Admin = Annotated[ApiTokenOut, allow(roles.TOKENS_MANAGE, name="manage API tokens")]


class CreatedToken(BaseModel):
    """The new token's description and its plaintext, which is never shown again."""

    token: ApiTokenOut
    plaintext: str


@router.post("", status_code=201)
def create(body: ApiTokenCreate, request: Request, actor: Admin) -> CreatedToken:
    """Create a token for a role, optionally expiring after `expires_in` seconds; store the
    plaintext now, kojin keeps only its hash."""
    with app_state(request).unit_of_work() as session:
        token, plaintext = create_token(
            session=session,
            role=body.role,
            name=body.name,
            actor=actor_label(actor),
            expires_in=body.expires_in,
            caller_id=actor.id,
        )
    return CreatedToken(token=token, plaintext=plaintext)


@router.get("")
def list_all(request: Request, actor: Admin) -> list[ApiTokenOut]:
    """Every token (id, name, role, display prefix, dates), revoked and expired ones included."""
    with app_state(request).read() as session:
        return list_tokens(session=session)


@router.delete(
    "/{token_id}",
    responses={
        404: {"model": ErrorBody, "description": "No token has this id"},
        409: {"model": ErrorBody, "description": "The last active admin token"},
    },
)
async def revoke(token_id: str, request: Request, actor: Admin) -> ApiTokenOut:
    """Revoke a token; every worker process refuses it within a second. The last active
    (neither revoked nor expired) admin token cannot be revoked (409)."""
    state = app_state(request)

    def _revoke() -> ApiTokenOut:
        with state.unit_of_work() as session:
            return revoke_token(
                session=session, token_id=token_id, actor=actor_label(actor), caller_id=actor.id
            )

    revoked = await run_in_threadpool(_revoke)
    state.token_cache.clear()
    return revoked
