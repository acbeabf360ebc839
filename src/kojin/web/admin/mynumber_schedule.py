"""The disposal schedule (``/admin/mynumber/schedule``; R-MN-7) and the dashboard's card.

The schedule lists the active records past their disposal date and those due within the
horizon (:func:`kojin.mynumber.filing.disposal_due.disposal_schedule`: due once the affairs have
ended and every retention period has passed), and the records already disposed of, with who
disposed of them and when. The privacy office, or a person in charge for records wholly within
their designation, disposes of chosen overdue records with a reason, after confirming that the
numbers will be destroyed: the vault crypto-shreds them and rotates its key
(:func:`kojin.mynumber.disposal.dispose_and_shred`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, NotFoundError, PermissionDeniedError
from kojin.mynumber.filing.disposal_due import disposal_schedule, schedule_summary
from kojin.mynumber.filing.retention import RetentionRules, load_retention_rules
from kojin.mynumber.filing.schedule import DEFAULT_HORIZON_DAYS, ScheduleRow, ScheduleStatus
from kojin.mynumber.handlers import NOBODY, HandlerScope
from kojin.mynumber.records import MAX_LIMIT
from kojin.mynumber.schemas import MAX_DISPOSAL, RecordOut
from kojin.mynumber.service import dispose_and_shred, list_records
from kojin.web.admin import roles
from kojin.web.admin.mynumber_pages import (
    form_list,
    form_text,
    mynumber_page,
    root_of,
    scope_of,
    vault_of,
)
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.language import request_language
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

#: the longest reason a disposal keeps
REASON_LENGTH = 500


def rules_of(request: Request) -> RetentionRules:
    """The retention rules in force (the statutory ones, changed by the settings' file)."""
    return load_retention_rules(web_context(request).state.settings.mynumber_retention_file)


def _today(request: Request) -> date:
    return tokyo_today(web_context(request).site.now())


@dataclass(frozen=True, slots=True)
class VaultCard:
    """The dashboard's figures: records past their disposal date, and due within `horizon`."""

    overdue: int
    upcoming: int
    horizon: int


def vault_card(request: Request, staff: StaffSession) -> VaultCard | None:
    """The card for the roles of the My Number pages (None for the others)."""
    if staff.user.role not in roles.MYNUMBER_READ:
        return None
    summary = schedule_summary(
        vault=vault_of(request), rules=rules_of(request), today=_today(request)
    )
    return VaultCard(
        overdue=summary.overdue, upcoming=summary.upcoming, horizon=summary.horizon_days
    )


def _may_dispose(staff: StaffSession, scope: HandlerScope | None) -> bool:
    handler = staff.user.role in roles.MYNUMBER_HANDLE
    return staff.user.role in roles.MYNUMBER_DISPOSE and (scope is not None or not handler)


def _disposable(rows: list[ScheduleRow], scope: HandlerScope | None) -> set[str]:
    """The overdue records this person may dispose of: all of them for the privacy office,
    those wholly within the designation for a person in charge."""
    return {
        row.record_id
        for row in rows
        if row.status is ScheduleStatus.OVERDUE
        and (scope is None or scope.affairs.issuperset(row.affairs))
    }


def _reading_scope(request: Request, staff: StaffSession) -> HandlerScope | None:
    """A person in charge reads their designation (nothing without one); the others every
    record (None)."""
    if staff.user.role not in roles.MYNUMBER_HANDLE:
        return None
    return scope_of(request, staff) or NOBODY


def _schedule(request: Request, scope: HandlerScope | None) -> list[ScheduleRow]:
    with vault_of(request).read() as sessions:
        return disposal_schedule(
            sessions=sessions, rules=rules_of(request), scope=scope, today=_today(request)
        )


def schedule_page(
    request: Request,
    staff: StaffSession,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    scope = _reading_scope(request, staff)
    rows = _schedule(request, scope)
    with vault_of(request).read() as sessions:
        disposed: list[RecordOut] = list_records(
            vault_session=sessions.vault, scope=scope, status="disposed", limit=MAX_LIMIT
        )
    disposed.sort(key=lambda record: (record.disposed_at is None, record.disposed_at), reverse=True)
    values = dict(submitted or {})
    done = request.query_params.get("disposed", "")
    may_dispose = _may_dispose(staff, None if scope is NOBODY else scope)
    return mynumber_page(
        request,
        staff,
        "admin/mynumber_schedule.html",
        "schedule",
        {
            "today": _today(request),
            "horizon": DEFAULT_HORIZON_DAYS,
            "overdue": [row for row in rows if row.status is ScheduleStatus.OVERDUE],
            "upcoming": [row for row in rows if row.status is ScheduleStatus.UPCOMING],
            "disposed": disposed,
            "may_dispose": may_dispose,
            "disposable": _disposable(rows, scope) if may_dispose else set(),
            "chosen": set(values.get("records", [])),
            "errors": errors or {},
            "submitted": {"reason": values.get("reason", "")},
            "done_count": int(done) if done.isdigit() else None,
            "retention_label": _retention_labeller(request),
            "switch_path": f"{root_of(request)}/mynumber/schedule",
            "switch_query": "",
        },
        status_code=status_code,
    )


def _retention_labeller(request: Request) -> Callable[[str], str]:
    """The name of a document kind in the page's language (its retention rule's label)."""
    rules = rules_of(request).rules
    japanese = request_language(request) == "ja"

    def label(document: str) -> str:
        found = rules.get(document)
        if found is None:
            return document
        return found.label[1] if japanese else found.label[0]

    return label


@router.get("/mynumber/schedule")
def schedule_view(
    request: Request,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_READ))],
) -> Response:
    return schedule_page(request, staff)


@router.post("/mynumber/schedule/dispose")
async def dispose(
    request: Request,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_DISPOSE))],
) -> Response:
    form = await request.form()
    submitted: dict[str, Any] = {
        "records": form_list(form, "records")[:MAX_DISPOSAL],
        "reason": form_text(form, "reason"),
        "confirm": form_text(form, "confirm"),
    }
    return await run_in_threadpool(_dispose, request, staff, submitted)


def _dispose(request: Request, staff: StaffSession, submitted: dict[str, Any]) -> Response:
    def again(field: str, key: str, status_code: int = 422) -> Response:
        message = translate(request, f"mynumber.schedule.error.{key}")
        return schedule_page(
            request, staff, errors={field: message}, submitted=submitted, status_code=status_code
        )

    if not submitted["records"]:
        return again("records", "records")
    if not submitted["reason"] or len(submitted["reason"]) > REASON_LENGTH:
        return again("reason", "reason")
    if submitted["confirm"] != "1":
        return again("confirm", "confirm")
    handler = staff.user.role in roles.MYNUMBER_HANDLE
    scope = scope_of(request, staff) if handler else None
    if handler and scope is None:
        return again("_form", "generic", 403)
    if not set(submitted["records"]) <= _disposable(_schedule(request, scope), scope):
        return again("_form", "not_due", 409)
    try:
        disposed = dispose_and_shred(
            vault=vault_of(request),
            actor=actor_of(staff),
            record_ids=submitted["records"],
            reason=submitted["reason"],
            handler=handler,
            now=web_context(request).site.now(),
        )
    except (NotFoundError, ConflictError, PermissionDeniedError):
        return again("_form", "not_due", 409)
    return RedirectResponse(
        f"{root_of(request)}/mynumber/schedule?disposed={len(disposed)}", status_code=303
    )
