"""Internal audits on the staff site (``/admin/audits``; JIS Q 15001, R-PM-5, R-PM-7).

- ``GET /audits``: the audits, the latest planned first, with their counts;
- ``GET /audits/new``, ``POST /audits``: planning an audit (its checklist is every control the
  policy makes applicable); the form comes back with each error tied to its field;
- ``GET /audits/{id}``: the audit (:mod:`kojin.web.admin.audits_view` holds its forms);
- ``GET /audits/{id}/report-{lang}.{html|pdf}``: the report for top management, recorded in
  the audit chain.

The pages parse, call :mod:`kojin.management.audits.service` and render; every answer is
``Cache-Control: no-store``. No error message repeats a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import NotFoundError
from kojin.management.audits.report import report_html, report_pdf
from kojin.management.audits.schemas import AuditPlan, AuditStatus
from kojin.management.audits.service import get_audit, list_audits, plan_audit, record_report
from kojin.web.admin import roles
from kojin.web.admin.files import NOTICE_CSP, content_disposition
from kojin.web.context import web_context
from kojin.web.i18n import as_lang, tokyo_today
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import render, translate

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.AUDITS_READ))]
Actor = Annotated[StaffSession, Depends(require_roles(roles.AUDITS_ACT))]

#: the plan form's fields, in the form's order
PLAN_FIELDS = (
    "title",
    "period_from",
    "period_to",
    "scope_departments",
    "lead_auditor",
    "lead_auditor_department",
    "planned_on",
)
FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def today_of(request: Request) -> date:
    return tokyo_today(web_context(request).site.now())


def root_of(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def may_act(staff: StaffSession) -> bool:
    return staff.user.role in roles.AUDITS_ACT


def audits_page(
    request: Request,
    staff: StaffSession,
    template: str,
    values: Mapping[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    page: dict[str, Any] = {"nav_current": "audits", "may_act": may_act(staff)}
    page.update(values)
    return render(request, template, page, status_code=status_code)


@router.get("/audits")
def list_page(request: Request, staff: Reader) -> Response:
    state = web_context(request).state
    wanted = request.query_params.get("status")
    status = AuditStatus(wanted) if wanted in {s.value for s in AuditStatus} else None
    with state.read() as session:
        page = list_audits(session=session, status=status, limit=200)
    return audits_page(request, staff, "admin/audits_list.html", {"page": page})


def _plan_form(
    request: Request,
    staff: StaffSession,
    posted: Mapping[str, str],
    errors: Mapping[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return audits_page(
        request,
        staff,
        "admin/audits_new.html",
        {"posted": posted, "errors": dict(errors), "today": today_of(request)},
        status_code=status_code,
    )


@router.get("/audits/new")
def new_form(request: Request, staff: Actor) -> Response:
    return _plan_form(request, staff, {}, {})


def plan_errors(exc: ValidationError) -> dict[str, str]:
    """Form field -> error key (``audits.form.error.<key>``): the field's own, or the plan's
    rules (the period's order, the auditor's own department)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        field = location[0] if location else ""
        message = str(error["msg"])
        if field in PLAN_FIELDS:
            errors.setdefault(field, field)
            continue
        if "own department" in message:
            errors.setdefault("lead_auditor_department", "own_department")
        if "period_to" in message:
            errors.setdefault("period_to", "period_order")
        if "repeat" in message:
            errors.setdefault("scope_departments", "scope_departments")
    return errors


@router.post("/audits")
async def plan(request: Request, staff: Actor) -> Response:
    form = await request.form()
    posted = {name: str(form.get(name) or "") for name in PLAN_FIELDS}
    return await run_in_threadpool(_plan, request, staff, posted)


def _plan(request: Request, staff: StaffSession, posted: dict[str, str]) -> Response:
    departments = [line.strip() for line in posted["scope_departments"].splitlines()]
    values: dict[str, Any] = {**posted, "scope_departments": [d for d in departments if d]}
    try:
        body = AuditPlan.model_validate(values)
    except ValidationError as exc:
        errors = {
            field: translate(request, f"audits.form.error.{key}")
            for field, key in plan_errors(exc).items()
        }
        return _plan_form(request, staff, posted, errors, 422)
    state = web_context(request).state
    with state.unit_of_work() as session:
        view = plan_audit(
            session=session,
            cipher=state.cipher(),
            policy=state.facts,
            plan=body,
            actor=actor_of(staff),
        )
    return RedirectResponse(f"{root_of(request)}/audits/{view.id}?done=planned", status_code=303)


@router.get("/audits/{audit_id}/report-{lang}.{fmt}")
def report(request: Request, audit_id: str, lang: str, fmt: str, staff: Reader) -> Response:
    chosen = as_lang(lang)
    if chosen is None or fmt not in FORMATS:
        raise NotFoundError("no such report")
    state = web_context(request).state
    today = today_of(request)
    organization = state.policy.organization.name.get(chosen)
    with state.unit_of_work() as session:
        view = get_audit(session=session, cipher=state.cipher(), audit_id=audit_id, today=today)
        record_report(
            session=session, audit_id=view.id, actor=actor_of(staff), what=f"{fmt}.{chosen}"
        )
    if fmt == "pdf":
        content = report_pdf(view=view, lang=chosen, organization=organization, today=today)
    else:
        html = report_html(view=view, lang=chosen, organization=organization, today=today)
        content = html.encode("utf-8")
    kind: Literal["inline", "attachment"] = "inline" if fmt == "html" else "attachment"
    return Response(
        content,
        media_type=FORMATS[fmt],
        headers={
            "content-disposition": content_disposition(kind, f"{view.reference}-{chosen}.{fmt}"),
            "cache-control": "no-store",
            "content-security-policy": NOTICE_CSP,
            "x-content-type-options": "nosniff",
        },
    )
