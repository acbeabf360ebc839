"""The obligation tasks (``/admin/obligations``): the list (overdue first, with filters), a task's
page (what is owed, its decisions, history, and the forms to assign, close with evidence and
reopen), and the dashboard's card (overdue, due within 14 days).

The pages are thin: every read and write goes through :mod:`kojin.registry.obligations.service`
(closing through :mod:`kojin.management.task_evidence`, which checks a linked record exists),
which writes the history and the audit chain. Forms carry the session's CSRF token; answers are
``Cache-Control: no-store`` (:mod:`kojin.web.headers`). No error message repeats a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError
from kojin.law.vocabulary import ObligationCode
from kojin.management.task_evidence import close_task_with_evidence
from kojin.registry.obligations.schemas import (
    AssignTask,
    Evidence,
    EvidenceKind,
    OwnerKind,
    RecordKind,
    TaskDetail,
    TaskFigures,
    TaskStatus,
)
from kojin.registry.obligations.service import (
    assign_task,
    get_task,
    list_tasks,
    reopen_task,
    task_figures,
)
from kojin.web.admin import roles
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import render, translate

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.OBLIGATIONS_READ))]
Actor = Annotated[StaffSession, Depends(require_roles(roles.OBLIGATIONS_ACT))]

#: the dashboard's "due soon" window
UPCOMING_DAYS: Final = 14
#: the links between the obligation pages: (key under obligations.nav, query)
_NAV: Final = (
    ("open", "?status=open"),
    ("overdue", "?overdue=1"),
    ("upcoming", f"?upcoming={UPCOMING_DAYS}"),
    ("done", "?status=done"),
)
#: the codes that become tasks (provider records never do)
_TASK_CODES: Final = tuple(
    c
    for c in ObligationCode
    if c not in (ObligationCode.RECORD_PROVISION, ObligationCode.RECORD_PRI_PROVISION)
)


def today_of(request: Request) -> date:
    return tokyo_today(web_context(request).site.now())


def root_of(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@dataclass(frozen=True, slots=True)
class ObligationsCard:
    """The dashboard's task figures: open, overdue, due within 14 days."""

    figures: TaskFigures
    upcoming: int


def obligations_card(request: Request, staff: StaffSession) -> ObligationsCard | None:
    """The dashboard's card for the roles of the obligation pages (None for the others)."""
    if staff.user.role not in roles.OBLIGATIONS_READ:
        return None
    state = web_context(request).state
    today = today_of(request)
    with state.read() as session:
        figures = task_figures(session, since=today, until=today, today=today)
        upcoming = list_tasks(
            session, cipher=state.cipher(), due_within_days=UPCOMING_DAYS, today=today, limit=1
        ).total
    return ObligationsCard(figures=figures, upcoming=upcoming)


def _page(
    request: Request,
    staff: StaffSession,
    template: str,
    current: str,
    values: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    page: dict[str, Any] = {
        "nav_current": "obligations",
        "ob_current": current,
        "obligations_nav": _NAV,
        "may_act": staff.user.role in roles.OBLIGATIONS_ACT,
    }
    page.update(values)
    return render(request, template, page, status_code=status_code)


@router.get("/obligations")
def list_page(request: Request, staff: Reader) -> Response:
    query = request.query_params
    overdue = query.get("overdue") == "1"
    upcoming_text = query.get("upcoming", "")
    upcoming = int(upcoming_text) if upcoming_text.isdigit() and len(upcoming_text) <= 4 else None
    status_text = query.get("status", "open" if not (overdue or upcoming) else "")
    status = TaskStatus(status_text) if status_text in ("open", "done") else None
    code_text = query.get("code", "")
    code = ObligationCode(code_text) if code_text in {c.value for c in _TASK_CODES} else None
    current = (
        "overdue"
        if overdue
        else "upcoming"
        if upcoming is not None
        else (status.value if status is not None else "")
    )
    state = web_context(request).state
    with state.read() as session:
        page = list_tasks(
            session,
            cipher=state.cipher(),
            status=status,
            overdue=overdue,
            due_within_days=upcoming,
            code=code,
            today=today_of(request),
            limit=500,
        )
    return _page(
        request,
        staff,
        "admin/obligations_list.html",
        current,
        {
            "page": page,
            "status": status.value if status is not None else "",
            "code": code.value if code is not None else "",
            "overdue": overdue,
            "upcoming": upcoming,
            "codes": [
                (c.value, translate(request, f"obligations.code.{c.value}")) for c in _TASK_CODES
            ],
        },
    )


def _task(request: Request, task_id: str) -> TaskDetail:
    state = web_context(request).state
    with state.read() as session:
        return get_task(session, cipher=state.cipher(), task_id=task_id, today=today_of(request))


def task_page(
    request: Request,
    staff: StaffSession,
    task_id: str,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    submitted: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    task = _task(request, task_id)
    done = request.query_params.get("done", "")
    return _page(
        request,
        staff,
        "admin/obligations_task.html",
        "",
        {
            "task": task,
            "done": done if done in ("assigned", "closed", "reopened") else "",
            "next_round": request.query_params.get("next") == "1",
            "errors": errors or {"assign": {}, "close": {}, "reopen": {}},
            "submitted": submitted or {"assign": {}, "close": {}, "reopen": {}},
            "owner_kinds": [
                (k.value, translate(request, f"obligations.owner_kind.{k.value}"))
                for k in OwnerKind
            ],
            "evidence_kinds": [
                (k.value, translate(request, f"obligations.evidence_kind.{k.value}"))
                for k in EvidenceKind
            ],
            "record_kinds": [
                (k.value, translate(request, f"obligations.record_kind.{k.value}"))
                for k in RecordKind
            ],
        },
        status_code=status_code,
    )


@router.get("/obligations/{task_id}")
def show(request: Request, task_id: str, staff: Reader) -> Response:
    return task_page(request, staff, task_id)


async def _form(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    form = await request.form()
    return {
        name: value.strip() if isinstance(value := form.get(name), str) else "" for name in names
    }


def _messages(request: Request, errors: dict[str, str]) -> dict[str, str]:
    return {field: translate(request, f"obligations.error.{key}") for field, key in errors.items()}


def _again(
    request: Request,
    staff: StaffSession,
    task_id: str,
    form: str,
    errors: dict[str, str],
    submitted: dict[str, str],
    status_code: int = 422,
) -> HTMLResponse:
    all_errors: dict[str, dict[str, str]] = {"assign": {}, "close": {}, "reopen": {}}
    all_submitted: dict[str, dict[str, str]] = {"assign": {}, "close": {}, "reopen": {}}
    all_errors[form] = _messages(request, errors)
    # a refused value is not shown again: it may hold what was refused (an individual number)
    all_submitted[form] = {k: ("" if k in errors else v) for k, v in submitted.items()}
    return task_page(
        request,
        staff,
        task_id,
        errors=all_errors,
        submitted=all_submitted,
        status_code=status_code,
    )


def _back(request: Request, task_id: str, done: str, *, next_round: bool = False) -> Response:
    extra = "&next=1" if next_round else ""
    return RedirectResponse(
        f"{root_of(request)}/obligations/{task_id}?done={done}{extra}", status_code=303
    )


@router.post("/obligations/{task_id}/assign")
async def assign(request: Request, task_id: str, staff: Actor) -> Response:
    submitted = await _form(request, ("owner_kind", "owner_name", "due_on", "reason"))
    return await run_in_threadpool(_assign, request, staff, task_id, submitted)


def _assign(
    request: Request, staff: StaffSession, task_id: str, submitted: dict[str, str]
) -> Response:
    current = _task(request, task_id)  # 404 for an unknown task

    def again(errors: dict[str, str], status_code: int = 422) -> Response:
        return _again(request, staff, task_id, "assign", errors, submitted, status_code)

    errors: dict[str, str] = {}
    owner: dict[str, str] | None = None
    if submitted["owner_name"]:
        if submitted["owner_kind"] not in {k.value for k in OwnerKind}:
            errors["owner_kind"] = "owner_kind"
        owner = {"kind": submitted["owner_kind"], "name": submitted["owner_name"]}
    due: date | None = None
    if submitted["due_on"]:
        try:
            due = date.fromisoformat(submitted["due_on"])
        except ValueError:
            errors["due_on"] = "due_on"
    if due == current.due_on:
        due = None
    if owner is None and due is None and not errors:
        errors["owner_name"] = "nothing"
    if errors:
        return again(errors)
    try:
        change = AssignTask.model_validate(
            {"owner": owner, "due_on": due, "reason": submitted["reason"] or None}
        )
    except ValidationError as exc:
        return again(_fields_of(exc, {"owner": "owner_name", "reason": "reason"}))
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            assign_task(
                session,
                cipher=state.cipher(),
                task_id=task_id,
                change=change,
                actor=actor_of(staff),
            )
    except InputError as exc:
        return again({"reason": "reason"} if exc.field == "reason" else {"owner_name": "nothing"})
    return _back(request, task_id, "assigned")


def _fields_of(exc: ValidationError, names: dict[str, str]) -> dict[str, str]:
    """Form field -> error key of the fields a validation error names (never its input)."""
    found: dict[str, str] = {}
    for error in exc.errors(include_input=False):
        loc = [str(p) for p in error["loc"]]
        for prefix, field in names.items():
            if prefix in loc:
                found[field] = field
    return found or {next(iter(names.values())): next(iter(names.values()))}


@router.post("/obligations/{task_id}/close")
async def close(request: Request, task_id: str, staff: Actor) -> Response:
    submitted = await _form(
        request, ("evidence_kind", "description", "reference", "record_kind", "record_id")
    )
    return await run_in_threadpool(_close, request, staff, task_id, submitted)


def _close(
    request: Request, staff: StaffSession, task_id: str, submitted: dict[str, str]
) -> Response:
    _task(request, task_id)

    def again(errors: dict[str, str], status_code: int = 422) -> Response:
        return _again(request, staff, task_id, "close", errors, submitted, status_code)

    kind = submitted["evidence_kind"]
    if kind == EvidenceKind.DOCUMENT.value:
        errors = {name: name for name in ("description", "reference") if not submitted[name]}
        raw: dict[str, Any] = {
            "kind": kind,
            "description": submitted["description"],
            "reference": submitted["reference"],
        }
    elif kind == EvidenceKind.RECORD.value:
        errors = {}
        if submitted["record_kind"] not in {k.value for k in RecordKind}:
            errors["record_kind"] = "record_kind"
        if not submitted["record_id"]:
            errors["record_id"] = "record_id"
        raw = {
            "kind": kind,
            "record_kind": submitted["record_kind"],
            "record_id": submitted["record_id"][:40],
        }
    else:
        return again({"evidence_kind": "evidence_kind"})
    if errors:
        return again(errors)
    try:
        evidence = Evidence.model_validate(raw)
    except ValidationError as exc:
        return again(
            _fields_of(
                exc,
                {"description": "description", "reference": "reference", "record_id": "record_id"},
            )
        )
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            task = close_task_with_evidence(
                session,
                cipher=state.cipher(),
                task_id=task_id,
                evidence=evidence,
                actor=actor_of(staff),
            )
    except InputError:
        return again({"record_id": "record_id"} if kind == "record" else {"reference": "reference"})
    except ConflictError:
        return again({"evidence_kind": "closed"}, 409)
    return _back(request, task_id, "closed", next_round=task.timing == "periodic")


@router.post("/obligations/{task_id}/reopen")
async def reopen(request: Request, task_id: str, staff: Actor) -> Response:
    submitted = await _form(request, ("reason",))
    return await run_in_threadpool(_reopen, request, staff, task_id, submitted)


def _reopen(
    request: Request, staff: StaffSession, task_id: str, submitted: dict[str, str]
) -> Response:
    _task(request, task_id)
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            reopen_task(
                session,
                cipher=state.cipher(),
                task_id=task_id,
                actor=actor_of(staff),
                reason=submitted["reason"] or None,
            )
    except InputError:
        return _again(request, staff, task_id, "reopen", {"reason": "reason"}, submitted)
    except ConflictError:
        return _again(request, staff, task_id, "reopen", {"reason": "open"}, submitted, 409)
    return _back(request, task_id, "reopened")
