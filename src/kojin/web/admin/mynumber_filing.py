"""The status register (``/admin/mynumber/status``; R-MN-9) and the payment records
(``/admin/mynumber/export``).

The status register lists the files of specific personal information without any number
(:func:`kojin.mynumber.filing.status_register.status_register`), as a table and as CSV. The
payment records page lets a person in charge download the statutory payment record of a year
for one of their affairs (:func:`kojin.mynumber.filing.export.export_payment_records`): the CSV
holds the numbers, so it is the answer to the form's POST, marked ``Kojin-Contains-My-Number:
authorized`` and never cached; the export itself, its decisions and its audit entry are
committed before it is sent. Everyone who may open the page sees the earlier exports.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import InputError, PermissionDeniedError
from kojin.mynumber.filing.export import ExportOptions, export_payment_records
from kojin.mynumber.filing.exports import list_exports
from kojin.mynumber.filing.payer import payer_from_settings
from kojin.mynumber.filing.status_register import (
    FileType,
    StatusRow,
    register_csv,
    status_register,
)
from kojin.mynumber.vault import DecisionRefusedError
from kojin.web.admin import roles
from kojin.web.admin.files import content_disposition
from kojin.web.admin.mynumber_pages import (
    NUMBER_HEADER,
    NUMBER_HEADER_VALUE,
    affair_labeller,
    affair_options,
    form_text,
    mynumber_page,
    root_of,
    scope_of,
    vault_of,
)
from kojin.web.admin.mynumber_schedule import rules_of
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

CSV_TYPE = "text/csv; charset=utf-8"
_EXPORT_FIELDS = {"year": "year", "affair": "affair", "payer": "payer"}

Reader = Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_READ))]


def _register(request: Request) -> list[StatusRow]:
    context = web_context(request)
    state = context.state
    now = context.site.now()
    with vault_of(request).read() as sessions:
        return status_register(
            sessions=sessions,
            policy=state.policy,
            facts=state.facts,
            rules=rules_of(request),
            today=tokyo_today(now),
            now=now.astimezone(UTC),
        )


def _purpose(request: Request, row: StatusRow) -> str:
    """The purpose of a file in the page's language."""
    if row.file_type is FileType.IDENTITY_DOCUMENTS:
        return translate(request, "mynumber.status_register.identity_purpose")
    label = affair_labeller(request)
    return "; ".join(label(affair) for affair in row.affairs) or row.purpose


@router.get("/mynumber/status")
def status_view(request: Request, staff: Reader) -> Response:
    rows = _register(request)
    return mynumber_page(
        request,
        staff,
        "admin/mynumber_status.html",
        "status",
        {"rows": [(row, _purpose(request, row)) for row in rows]},
    )


@router.get("/mynumber/status.csv")
def status_file(request: Request, staff: Reader) -> Response:
    return Response(
        register_csv(_register(request)),
        media_type=CSV_TYPE,
        headers={
            "content-disposition": content_disposition(
                "attachment", "mynumber-status-register.csv"
            ),
            "cache-control": "no-store",
        },
    )


def export_page(
    request: Request,
    staff: StaffSession,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    scope = scope_of(request, staff)
    fillable = {
        affair for affair in (scope.affairs if scope else ()) if _prepares_record(request, affair)
    }
    with web_context(request).state.read() as session:
        exports = list_exports(session=session)
    return mynumber_page(
        request,
        staff,
        "admin/mynumber_export.html",
        "export",
        {
            "designated": scope is not None,
            "scope": scope,
            "affair_options": affair_options(request, frozenset(fillable)),
            "exports": sorted(exports, key=lambda e: e.exported_at, reverse=True),
            "errors": errors or {},
            "submitted": submitted or {},
            "switch_path": f"{root_of(request)}/mynumber/export",
            "switch_query": "",
        },
        status_code=status_code,
    )


def _prepares_record(request: Request, affair: str) -> bool:
    """Whether `affair` prepares a statutory payment record (the policy says which)."""
    facts = web_context(request).state.facts
    return any(affair in category.payment_records for category in facts.categories.values())


@router.get("/mynumber/export")
def export_form(request: Request, staff: Reader) -> Response:
    return export_page(request, staff)


@router.post("/mynumber/export")
async def export(
    request: Request,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_HANDLE))],
) -> Response:
    form = await request.form()
    submitted = {
        "year": form_text(form, "year"),
        "affair": form_text(form, "affair"),
        "below_threshold": form_text(form, "below_threshold"),
    }
    return await run_in_threadpool(_export, request, staff, submitted)


def _export(request: Request, staff: StaffSession, submitted: dict[str, str]) -> Response:
    def again(field: str, key: str, status_code: int = 422) -> Response:
        message = translate(request, f"mynumber.export.error.{key}")
        return export_page(
            request, staff, errors={field: message}, submitted=submitted, status_code=status_code
        )

    year = submitted["year"]
    if not (year.isascii() and year.isdigit() and len(year) == 4 and year >= "1900"):
        return again("year", "year")
    if not submitted["affair"]:
        return again("affair", "affair")
    context = web_context(request)
    state = context.state
    vault = vault_of(request)
    try:
        payer = payer_from_settings(state.settings)
        with vault.transaction() as sessions:
            made = export_payment_records(
                vault=vault,
                sessions=sessions,
                cipher=state.cipher(),
                rules=rules_of(request),
                actor=actor_of(staff),
                year=int(year),
                affair=submitted["affair"],
                payer=payer,
                options=ExportOptions(include_below_threshold=submitted["below_threshold"] == "1"),
                now=context.site.now(),
            )
    except InputError as exc:
        key = _EXPORT_FIELDS.get(exc.field or "", "generic")
        field = "_form" if key in ("payer", "generic") else key
        if key == "year":
            key = "nothing"
        return again(field, key)
    except DecisionRefusedError:
        return again("_form", "refused", 403)
    except PermissionDeniedError:
        return again("affair", "scope", 403)
    # committed: the export is recorded; only now are the numbers sent, in the file
    recorded = made.summary.export
    headers: dict[str, Any] = {
        NUMBER_HEADER: NUMBER_HEADER_VALUE,
        "cache-control": "no-store",
        "content-disposition": content_disposition("attachment", recorded.file_name),
    }
    return Response(made.content, media_type=CSV_TYPE, headers=headers)
