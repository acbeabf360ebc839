"""The vault's records (``/admin/mynumber``, ``/admin/mynumber/records/{id}``): masked lists and
views, the reveal with a reason, and the end of a record's affairs.

A person in charge sees the records of their designation; the privacy office and auditors see
every record, masked. Revealing is a form (``POST .../reveal``) naming the affair and a reason:
the vault checks the designation, records a ``use`` decision and the audit entry (a digest of
the reason, never the number), commits, and only then does this module write the number, once,
into the answer: a page marked ``Kojin-Contains-My-Number: authorized``, never cached, never
redirected to and never in a URL. The end of a record's affairs (from which its disposal is
counted) is recorded by the privacy office, or by a person in charge of all its affairs.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kojin.mynumber.handlers import HandlerScope
from kojin.mynumber.records import MAX_LIMIT
from kojin.mynumber.schemas import RecordOut
from kojin.mynumber.service import (
    end_affairs,
    get_record,
    list_documents,
    list_records,
    reveal_number,
)
from kojin.mynumber.vault import DecisionRefusedError
from kojin.web.admin import roles
from kojin.web.admin.mynumber_pages import (
    NUMBER_HEADER,
    NUMBER_HEADER_VALUE,
    affair_options,
    form_text,
    mynumber_page,
    root_of,
    scope_of,
    vault_of,
)
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

#: the statuses a record may have (the list's filter)
STATUSES = ("active", "disposed")
_DONE = frozenset({"registered", "affairs_ended"})


def _chosen(value: str | None, allowed: set[str] | tuple[str, ...]) -> str | None:
    return value if value in allowed else None


@router.get("/mynumber")
def records_page(
    request: Request,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_READ))],
) -> Response:
    scope = scope_of(request, staff)
    handler = staff.user.role in roles.MYNUMBER_HANDLE
    options = affair_options(request, scope.affairs if scope else None)
    affair = _chosen(request.query_params.get("affair"), {value for value, _ in options})
    status = _chosen(request.query_params.get("status"), STATUSES)
    records: list[RecordOut] = []
    if scope is not None or not handler:
        with vault_of(request).read() as sessions:
            records = list_records(
                vault_session=sessions.vault, scope=scope, status=status, limit=MAX_LIMIT
            )
        if affair is not None:
            records = [record for record in records if affair in record.affairs]
    return mynumber_page(
        request,
        staff,
        "admin/mynumber_records.html",
        "records",
        {
            "designated": scope is not None,
            "scope": scope,
            "records": records,
            "filters": {"affair": affair, "status": status},
            "affair_options": options,
            "status_options": [(s, translate(request, f"mynumber.status.{s}")) for s in STATUSES],
        },
    )


def _reveal_affairs(
    request: Request, record: RecordOut, scope: HandlerScope | None
) -> list[tuple[str, str]]:
    """The record's affairs the designation lets the person reveal the number for."""
    if scope is None or record.status != "active":
        return []
    allowed = frozenset(
        affair
        for affair in record.affairs
        if scope.allows(affair=affair, subject_id=record.subject_id)
    )
    return affair_options(request, allowed)


def _ends_affairs(staff: StaffSession, record: RecordOut, scope: HandlerScope | None) -> bool:
    """Whether this person may record the end of the record's affairs: the privacy office, or
    a person in charge of all of them (a record still used for another's affair is not theirs
    to end)."""
    if staff.user.role not in roles.MYNUMBER_DISPOSE:
        return False
    if staff.user.role not in roles.MYNUMBER_HANDLE:
        return True
    return scope is not None and all(
        scope.allows(affair=affair, subject_id=record.subject_id) for affair in record.affairs
    )


def _may_end(staff: StaffSession, record: RecordOut, scope: HandlerScope | None) -> bool:
    """Whether the page offers the form: an active record whose affairs continue."""
    active = record.status == "active" and record.affairs_ended_on is None
    return active and _ends_affairs(staff, record, scope)


def record_page(
    request: Request,
    staff: StaffSession,
    record_id: str,
    *,
    reveal_errors: dict[str, str] | None = None,
    end_errors: dict[str, str] | None = None,
    submitted: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The record's page (404 for a record the role may not see), with a form's errors."""
    scope = scope_of(request, staff)
    handler = staff.user.role in roles.MYNUMBER_HANDLE
    if handler and scope is None:
        raise NotFoundError("record not found")
    with vault_of(request).read() as sessions:
        record = get_record(vault_session=sessions.vault, scope=scope, record_id=record_id)
        documents = list_documents(vault_session=sessions.vault, record_id=record.id, scope=scope)
    errors = dict(reveal_errors or {})
    page_error = errors.pop("_form", None) or (end_errors or {}).get("_form")
    done = request.query_params.get("done")
    return mynumber_page(
        request,
        staff,
        "admin/mynumber_record.html",
        "records",
        {
            "record": record,
            "documents": documents,
            "reveal_affairs": _reveal_affairs(request, record, scope),
            "may_end": _may_end(staff, record, scope),
            "reveal_errors": errors,
            "end_errors": {k: v for k, v in (end_errors or {}).items() if k != "_form"},
            "submitted": submitted or {},
            "page_error": page_error,
            "done": done if done in _DONE else None,
            "switch_path": f"{root_of(request)}/mynumber/records/{record.id}",
            "switch_query": "",
        },
        status_code=status_code,
    )


@router.get("/mynumber/records/{record_id}")
def record_view(
    request: Request,
    record_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_READ))],
) -> Response:
    return record_page(request, staff, record_id)


@router.post("/mynumber/records/{record_id}/reveal")
async def reveal(
    request: Request,
    record_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_HANDLE))],
) -> Response:
    form = await request.form()
    submitted = {"affair": form_text(form, "affair"), "reason": form_text(form, "reason")}
    return await run_in_threadpool(_reveal, request, staff, record_id, submitted)


def _reveal(
    request: Request, staff: StaffSession, record_id: str, submitted: dict[str, str]
) -> Response:
    def again(field: str, key: str, status_code: int) -> Response:
        return record_page(
            request,
            staff,
            record_id,
            reveal_errors={field: translate(request, f"mynumber.record.error.{key}")},
            submitted=submitted,
            status_code=status_code,
        )

    if not submitted["affair"]:
        return again("affair", "affair", 422)
    if not submitted["reason"]:
        return again("reason", "reason", 422)
    vault = vault_of(request)
    try:
        with vault.transaction() as sessions:
            revealed = reveal_number(
                vault=vault,
                sessions=sessions,
                actor=actor_of(staff),
                record_id=record_id,
                affair=submitted["affair"],
                reason=submitted["reason"],
                now=web_context(request).site.now(),
            )
    except InputError as exc:
        field = exc.field if exc.field in ("affair", "reason") else "_form"
        return again(field, field if field != "_form" else "generic", 422)
    except DecisionRefusedError:
        return again("_form", "refused", 403)
    except PermissionDeniedError:
        return again("affair", "scope", 403)
    except ConflictError:
        return again("_form", "disposed", 409)
    # committed: the reveal is on the audit chain; only now is the number written out
    number = revealed.number
    return mynumber_page(
        request,
        staff,
        "admin/mynumber_reveal.html",
        "records",
        {
            "revealed": revealed,
            "grouped": " ".join(number[i : i + 4] for i in range(0, len(number), 4)),
            "switch_path": f"{root_of(request)}/mynumber/records/{revealed.record_id}",
            "switch_query": "",
        },
        headers={NUMBER_HEADER: NUMBER_HEADER_VALUE, "cache-control": "no-store"},
    )


@router.post("/mynumber/records/{record_id}/affairs-end")
async def affairs_end(
    request: Request,
    record_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_DISPOSE))],
) -> Response:
    form = await request.form()
    submitted = {"ended_on": form_text(form, "ended_on")}
    return await run_in_threadpool(_end, request, staff, record_id, submitted)


def _end(
    request: Request, staff: StaffSession, record_id: str, submitted: dict[str, Any]
) -> Response:
    def again(field: str, key: str, status_code: int) -> Response:
        return record_page(
            request,
            staff,
            record_id,
            end_errors={field: translate(request, f"mynumber.record.error.{key}")},
            submitted=submitted,
            status_code=status_code,
        )

    try:
        ended_on = date.fromisoformat(submitted["ended_on"])
    except ValueError:
        return again("ended_on", "ended_on", 422)
    scope = scope_of(request, staff)
    if scope is None and staff.user.role in roles.MYNUMBER_HANDLE:
        raise NotFoundError("record not found")  # not designated: as for any record
    vault = vault_of(request)
    with vault.read() as sessions:
        record = get_record(vault_session=sessions.vault, scope=scope, record_id=record_id)
    if not _ends_affairs(staff, record, scope):
        return again("_form", "scope", 403)
    try:
        with vault.transaction() as sessions:
            end_affairs(
                vault=vault,
                sessions=sessions,
                actor=actor_of(staff),
                record_id=record_id,
                ended_on=ended_on,
                scope=scope,
                now=web_context(request).site.now(),
            )
    except InputError:
        return again("ended_on", "ended_on", 422)
    except PermissionDeniedError:
        return again("_form", "scope", 403)
    except ConflictError:
        return again("_form", "disposed", 409)
    return RedirectResponse(
        f"{root_of(request)}/mynumber/records/{record_id}?done=affairs_ended", status_code=303
    )
