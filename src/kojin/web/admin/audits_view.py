"""One internal audit (``/admin/audits/{id}``): its particulars, the checklist with the evidence
counted from kojin's records and a result form per control, the findings with their corrective
actions, and the forms that collect the evidence, record a finding, add an action, mark it done
or verified, record the report to top management and close the audit.

Each form posts to its own path and comes back to the audit page with what was done
(``?done=…``) or what was refused (``?error=…``: input not accepted, or a change the audit's
state does not allow), in the page's language; no message repeats a value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Final

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.law.controls import Applies, applies
from kojin.management.audits.collect import collect
from kojin.management.audits.schemas import (
    ActionIn,
    ActionProgress,
    ActionStatus,
    AuditStatus,
    FindingIn,
    FindingKind,
    ItemResult,
    ItemResultIn,
)
from kojin.management.audits.service import (
    add_action,
    add_finding,
    close_audit,
    get_audit,
    progress_action,
    record_result,
    report_audit,
)
from kojin.mynumber.filing.retention import load_retention_rules
from kojin.web.admin import roles
from kojin.web.admin.audits_pages import audits_page, root_of, today_of
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.AUDITS_READ))]
Actor = Annotated[StaffSession, Depends(require_roles(roles.AUDITS_ACT))]

#: what a redirect may say (``?done=…``, ``?error=…``)
DONE: Final = frozenset(
    {"planned", "collected", "result", "finding", "action", "progress", "reported", "closed"}
)
ERRORS: Final = frozenset({"invalid", "conflict", "not_found"})


@router.get("/audits/{audit_id}")
def audit_page(request: Request, audit_id: str, staff: Reader) -> Response:
    state = web_context(request).state
    today = today_of(request)
    with state.read() as session:
        view = get_audit(session=session, cipher=state.cipher(), audit_id=audit_id, today=today)
    done = request.query_params.get("done")
    error = request.query_params.get("error")

    def options(prefix: str, values: list[str]) -> list[tuple[str, str]]:
        return [(v, translate(request, f"audits.{prefix}.{v}")) for v in values]

    return audits_page(
        request,
        staff,
        "admin/audits_audit.html",
        {
            "audit": view,
            "today": today,
            "done": done if done in DONE else None,
            "error": error if error in ERRORS else None,
            "result_options": options("result", [r.value for r in ItemResult]),
            "kind_options": options("kind", [k.value for k in FindingKind]),
            "control_options": [(i.control_id, i.control_id) for i in view.checklist],
            "editable": view.status is not AuditStatus.CLOSED,
            "open_status": ActionStatus.OPEN,
            "done_status": ActionStatus.DONE,
        },
    )


def _back(request: Request, audit_id: str, query: str) -> Response:
    return RedirectResponse(f"{root_of(request)}/audits/{audit_id}?{query}", status_code=303)


def _change(request: Request, audit_id: str, done: str, change: Callable[[], object]) -> Response:
    """Run `change`; back to the audit page saying it was done, or why it was refused."""
    try:
        change()
    except (ValidationError, InputError):
        return _back(request, audit_id, "error=invalid")
    except ConflictError:
        return _back(request, audit_id, "error=conflict")
    except NotFoundError:
        return _back(request, audit_id, "error=not_found")
    return _back(request, audit_id, f"done={done}")


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "")


def _optional(form: FormData, name: str) -> str | None:
    return _text(form, name).strip() or None


@router.post("/audits/{audit_id}/collect")
async def collect_evidence(request: Request, audit_id: str, staff: Actor) -> Response:
    state = web_context(request).state

    def change() -> object:
        vault = state.vault() if applies(Applies.MY_NUMBER, state.facts) else None
        return collect(
            database=state.database,
            vault=vault,
            retention=load_retention_rules(state.settings.mynumber_retention_file),
            cipher=state.cipher(),
            audit_id=audit_id,
            actor=actor_of(staff),
            today=today_of(request),
        )

    return await run_in_threadpool(_change, request, audit_id, "collected", change)


@router.post("/audits/{audit_id}/results")
async def result(request: Request, audit_id: str, staff: Actor) -> Response:
    form = await request.form()
    state = web_context(request).state

    def change() -> object:
        body = ItemResultIn.model_validate(
            {"result": _text(form, "result"), "notes": _text(form, "notes")}
        )
        with state.unit_of_work() as session:
            return record_result(
                session=session,
                cipher=state.cipher(),
                audit_id=audit_id,
                control_id=_text(form, "control_id"),
                result=body,
                actor=actor_of(staff),
            )

    return await run_in_threadpool(_change, request, audit_id, "result", change)


@router.post("/audits/{audit_id}/findings")
async def finding(request: Request, audit_id: str, staff: Actor) -> Response:
    form = await request.form()
    state = web_context(request).state

    def change() -> object:
        body = FindingIn.model_validate(
            {
                "kind": _text(form, "kind"),
                "description": _text(form, "description"),
                "root_cause": _text(form, "root_cause"),
            }
        )
        with state.unit_of_work() as session:
            return add_finding(
                session=session,
                cipher=state.cipher(),
                audit_id=audit_id,
                control_id=_text(form, "control_id"),
                finding=body,
                actor=actor_of(staff),
            )

    return await run_in_threadpool(_change, request, audit_id, "finding", change)


@router.post("/audits/{audit_id}/actions")
async def action(request: Request, audit_id: str, staff: Actor) -> Response:
    form = await request.form()
    state = web_context(request).state

    def change() -> object:
        body = ActionIn.model_validate(
            {
                "action": _text(form, "action"),
                "owner_department": _text(form, "owner_department"),
                "owner_person": _optional(form, "owner_person"),
                "due_on": _text(form, "due_on"),
                "follow_up_on": _optional(form, "follow_up_on"),
            }
        )
        with state.unit_of_work() as session:
            return add_action(
                session=session,
                cipher=state.cipher(),
                finding_id=_text(form, "finding_id"),
                action=body,
                actor=actor_of(staff),
            )

    return await run_in_threadpool(_change, request, audit_id, "action", change)


@router.post("/audits/{audit_id}/actions/{action_id}/progress")
async def progress(request: Request, audit_id: str, action_id: str, staff: Actor) -> Response:
    form = await request.form()
    state = web_context(request).state

    def change() -> object:
        body = ActionProgress.model_validate(
            {
                "status": _text(form, "status"),
                "on": _text(form, "on") or today_of(request).isoformat(),
                "effectiveness": _text(form, "effectiveness"),
            }
        )
        with state.unit_of_work() as session:
            return progress_action(
                session=session,
                cipher=state.cipher(),
                action_id=action_id,
                progress=body,
                actor=actor_of(staff),
            )

    return await run_in_threadpool(_change, request, audit_id, "progress", change)


@router.post("/audits/{audit_id}/reported")
async def reported(request: Request, audit_id: str, staff: Actor) -> Response:
    form = await request.form()
    state = web_context(request).state

    def change() -> object:
        with state.unit_of_work() as session:
            return report_audit(
                session=session,
                cipher=state.cipher(),
                audit_id=audit_id,
                summary=_text(form, "summary"),
                on=today_of(request),
                actor=actor_of(staff),
            )

    return await run_in_threadpool(_change, request, audit_id, "reported", change)


@router.post("/audits/{audit_id}/close")
async def close(request: Request, audit_id: str, staff: Actor) -> Response:
    state = web_context(request).state

    def change() -> object:
        with state.unit_of_work() as session:
            return close_audit(
                session=session,
                cipher=state.cipher(),
                audit_id=audit_id,
                on=today_of(request),
                actor=actor_of(staff),
            )

    return await run_in_threadpool(_change, request, audit_id, "closed", change)
