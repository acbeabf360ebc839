"""``GET /healthz``: the process is up and has its policy loaded (no token needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from kojin.api.state import app_state

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    policy_categories: int


@router.get("/healthz")
async def healthz(request: Request) -> Health:
    """Liveness: answers as soon as the server accepts connections."""
    return Health(status="ok", policy_categories=len(app_state(request).facts.categories))
