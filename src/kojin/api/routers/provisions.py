"""``/api/v1/provisions``: provision records (APPI Arts. 29-31; R-TP-REC-1..4, R-PRI-3) and the
purge of those whose retention period has ended."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.registry.provisions import ProvisionOut, list_provisions, purge_expired

router = APIRouter(prefix="/api/v1/provisions", tags=["provisions"], route_class=UniqueKeysRoute)

Reader = Annotated[ApiTokenOut, allow(roles.PROVISIONS_READ, name="read provision records")]
Purger = Annotated[ApiTokenOut, allow(roles.PROVISIONS_PURGE, name="purge provision records")]


#: the largest offset a listing takes (an INTEGER on every database kojin runs on)
MAX_OFFSET = 2**31 - 1
#: a registry id: 32 lower-case hexadecimal digits
RegistryId = Annotated[str | None, Query(min_length=32, max_length=32, pattern="^[0-9a-f]{32}$")]


class PurgeResult(BaseModel):
    purged: int
    ids: list[str]


@router.get("")
def list_all(
    request: Request,
    actor: Reader,
    subject_id: RegistryId = None,
    decision_id: RegistryId = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[ProvisionOut]:
    """Provision records, oldest first, optionally of one subject or one decision.

    ``subject_id`` and ``decision_id`` are registry ids (32 hexadecimal digits); ``offset`` is
    at most 2**31 - 1."""
    with app_state(request).read() as session:
        return list_provisions(
            session=session,
            subject_id=subject_id,
            decision_id=decision_id,
            limit=limit,
            offset=offset,
        )


@router.post("/purge")
def purge(request: Request, actor: Purger) -> PurgeResult:
    """Delete the records whose retention period has ended; the purge is audited."""
    with app_state(request).unit_of_work() as session:
        ids = purge_expired(session=session, now=datetime.now(UTC), actor=actor_label(actor))
    return PurgeResult(purged=len(ids), ids=ids)
