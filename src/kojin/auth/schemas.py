"""Token values the API returns (never the hash, and the plaintext only once at creation)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kojin.auth.roles import Role


class ApiTokenCreate(BaseModel):
    """A request for a new token."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    name: str = Field(default="token", min_length=1, max_length=200)


class ApiTokenOut(BaseModel):
    """A token as shown: id, name, role, display prefix and dates."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
