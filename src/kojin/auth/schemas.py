"""Token values the API returns (never the hash, and the plaintext only once at creation)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from kojin.auth.roles import Role

#: the shortest lifetime a token may be given (seconds)
MIN_EXPIRES_IN = 60
#: the longest lifetime a token may be given (seconds): five years of 365 days
MAX_EXPIRES_IN = 5 * 365 * 86_400

#: a token's lifetime in seconds, a JSON integer (no string, float or boolean)
ExpiresIn = Annotated[int, Field(strict=True, ge=MIN_EXPIRES_IN, le=MAX_EXPIRES_IN)]


class ApiTokenCreate(BaseModel):
    """A request for a new token; without `expires_in` the token works until revoked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    name: str = Field(default="token", min_length=1, max_length=200)
    expires_in: ExpiresIn | None = Field(
        default=None,
        description=f"Seconds until the token stops working ({MIN_EXPIRES_IN} to "
        f"{MAX_EXPIRES_IN}); omitted: until revoked.",
    )


class ApiTokenOut(BaseModel):
    """A token as shown: id, name, role, display prefix and dates."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    #: when the token stops working (None: when it is revoked)
    expires_at: datetime | None = None

    def active_at(self, now: datetime) -> bool:
        """Whether the token works at `now`: not revoked and not expired."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
