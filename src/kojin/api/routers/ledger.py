"""``/api/v1/ledger``: the personal-information ledger (JIS Q 15001; R-PM-1), CSV in and out."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import InputError
from kojin.registry.ledger import (
    LedgerEntryCreate,
    LedgerEntryOut,
    LedgerEntryUpdate,
    LedgerImportResult,
    create_entry,
    entries_due_for_review,
    export_csv,
    get_entry,
    import_csv,
    list_entries,
    update_entry,
)
from kojin.registry.ledger.csvio import decode_csv
from kojin.registry.ledger.schemas import IDENTIFIER_PATTERN

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"], route_class=UniqueKeysRoute)

Reader = Annotated[ApiTokenOut, allow(roles.LEDGER_READ, name="read the ledger")]
Writer = Annotated[ApiTokenOut, allow(roles.LEDGER_WRITE, name="change the ledger")]

TOKYO = ZoneInfo("Asia/Tokyo")


CategoryFilter = Annotated[
    str | None, Query(max_length=64, pattern=IDENTIFIER_PATTERN, description="A category id.")
]


@router.get("")
def list_all(
    request: Request, actor: Reader, category: CategoryFilter = None
) -> list[LedgerEntryOut]:
    """Every ledger row (optionally of one category), by category then item."""
    with app_state(request).read() as session:
        return list_entries(session=session, category=category)


@router.get("/due")
def due_for_review(
    request: Request, actor: Reader, today: date | None = None
) -> list[LedgerEntryOut]:
    """Rows never reviewed or last reviewed a year or more ago (``today`` defaults to Tokyo's;
    between 1900-01-01 and 9998-12-31)."""
    day = today or datetime.now(TOKYO).date()
    with app_state(request).read() as session:
        return entries_due_for_review(session=session, today=day)


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export(request: Request, actor: Reader) -> Response:
    """The whole ledger as CSV (UTF-8, header first), the format the import reads."""
    out = io.StringIO()
    with app_state(request).read() as session:
        export_csv(session=session, out=out)
    return Response(
        content=out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="kojin-ledger.csv"'},
    )


@router.post(
    "/import",
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def import_rows(request: Request, actor: Writer) -> LedgerImportResult:
    """Import CSV rows (body ``text/csv``): rows without ``id`` are added, others updated.

    The body is read in the ``charset`` of its Content-Type, else as detected: UTF-8 with or
    without a BOM, or Shift_JIS (CP932) as Excel writes it in Japan. Undecodable bytes are a
    422 naming the byte offset and line.

    Every row's category and purposes must be ids the policy declares for it; at most 10,000
    rows, and a body of at most ``KOJIN_MAX_IMPORT_BYTES`` (else 413). Either every row is
    stored or none is; the error lists each problem by line and column, never the cells'
    values.
    """
    state = app_state(request)
    raw = await request.body()
    limit = state.settings.max_import_bytes
    if len(raw) > limit:
        raise HTTPException(413, f"the CSV is larger than {limit} bytes (KOJIN_MAX_IMPORT_BYTES)")
    charset = request.headers.get("content-type", "").partition("charset=")[2].strip(' "')

    def _import() -> LedgerImportResult:
        try:
            text = decode_csv(raw, source="the CSV", encoding=charset or None, option="charset=")
        except InputError as error:
            raise InputError(error.message, field="body") from None
        with state.unit_of_work() as session:
            return import_csv(
                session=session,
                source=io.StringIO(text),
                actor=actor_label(actor),
                policy=state.facts,
            )

    return await run_in_threadpool(_import)


@router.get("/{entry_id}")
def get_one(entry_id: str, request: Request, actor: Reader) -> LedgerEntryOut:
    """One ledger row."""
    with app_state(request).read() as session:
        return get_entry(session=session, entry_id=entry_id)


@router.post("", status_code=201)
def create(body: LedgerEntryCreate, request: Request, actor: Writer) -> LedgerEntryOut:
    """Add a ledger row; its category and purposes must be ids the policy declares for it.

    The audit chain records the row's id and category."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return create_entry(
            session=session, entry_in=body, policy=state.facts, actor=actor_label(actor)
        )


@router.patch("/{entry_id}")
def update(
    entry_id: str, body: LedgerEntryUpdate, request: Request, actor: Writer
) -> LedgerEntryOut:
    """Change the given fields of a row; the audit chain records which fields changed.

    A new category or new purposes must be ids the policy declares, the purposes for the
    category."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return update_entry(
            session=session,
            entry_id=entry_id,
            entry_in=body,
            policy=state.facts,
            actor=actor_label(actor),
        )
