"""``/api/v1/policy``: the policy this server decides by (every authenticated role may read it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import allow
from kojin.api.state import app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.policy.model import Policy

router = APIRouter(prefix="/api/v1/policy", tags=["policy"], route_class=UniqueKeysRoute)

Reader = Annotated[ApiTokenOut, allow(roles.POLICY_READ, name="read the policy")]


@router.get("")
async def read_policy(request: Request, actor: Reader) -> Policy:
    """The loaded policy: organization, categories, purposes, provision and foreign rules."""
    return app_state(request).policy
