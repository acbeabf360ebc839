"""``/api/v1/audit``: verify the hash chain and export it (R-SEC-2 operation records)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import allow
from kojin.api.state import app_state
from kojin.audit import VerifyResult, export_chain, verify_chain
from kojin.auth.schemas import ApiTokenOut

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], route_class=UniqueKeysRoute)

Reader = Annotated[ApiTokenOut, allow(roles.AUDIT_READ, name="read the audit chain")]

_SPOOL_BYTES = 8 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024


@router.get("/verify")
def verify(request: Request, actor: Reader) -> VerifyResult:
    """Walk the whole chain; ``ok`` is false with the first bad entry and the reason otherwise."""
    with app_state(request).read() as session:
        return verify_chain(session=session)


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := spool.read(_CHUNK_BYTES):
            yield chunk
    finally:
        spool.close()


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def export(request: Request, actor: Reader) -> StreamingResponse:
    """Every entry as one canonical JSON line with its hash (recomputable by an auditor)."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - closed by _chunks
    try:
        with app_state(request).read() as session:
            export_chain(session=session, out=spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return StreamingResponse(
        _chunks(spool),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="kojin-audit.jsonl"'},
    )
