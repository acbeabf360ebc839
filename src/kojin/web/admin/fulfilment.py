"""Fulfilment in the company's systems, from a request's staff page: start the search
(``POST /admin/requests/{id}/fulfilment/start``), approve the preview of an erasure or a
correction (``.../approve``), cancel a job (``.../cancel``) and retry a failed one
(``.../retry``).

Each post is committed, then the job is handed to the workers (the server's own worker thread,
or the queue of ``kojin worker``), and the browser is sent back to the request's page, where a
reload shows the job's progress. A correction's form carries the items to change: rows of a
target (a field of the data map, or every field of a kind) and the new value, or "delete this
item". Errors are shown on the form, tied to the row; a job that changed meanwhile is said at
the top of the section. Nothing typed here is logged.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from typing import Annotated, Final

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.api.roles import subject_scope
from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError
from kojin.fulfilment.job_schemas import JobOut
from kojin.fulfilment.plans import ItemChange
from kojin.fulfilment.service import (
    approve_fulfilment,
    cancel_fulfilment,
    latest_job,
    retry_fulfilment,
    start_fulfilment,
)
from kojin.registry.subjects.service import visible_subject
from kojin.requests.records import load
from kojin.requests.states import RequestState
from kojin.web.admin import roles
from kojin.web.admin.fulfilment_view import (
    CHANGE_ROWS,
    MAX_CHANGE_ROWS,
    ChangeRow,
    blank_rows,
    read_datamap,
    target_options,
)
from kojin.web.admin.requests import detail_page
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

#: the longest new value of an item
MAX_VALUE: Final = 2000

_JOB_ACTIONS: Final[dict[str, Callable[..., JobOut]]] = {
    "approve": approve_fulfilment,
    "cancel": cancel_fulfilment,
    "retry": retry_fulfilment,
}
#: the job actions after which a worker has something to run
_RUNS: Final = frozenset({"approve", "retry"})


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def posted_rows(form: Mapping[str, object]) -> list[ChangeRow] | None:
    """The item rows of a posted correction form (None: the form has none, it is not a
    correction's)."""
    count = _text(form.get("rows"))
    if not count:
        return None
    number = int(count[:2]) if count.isascii() and count.isdigit() else CHANGE_ROWS
    return [
        ChangeRow(
            index=i,
            target=_text(form.get(f"target_{i}"))[:400],
            value=_text(form.get(f"value_{i}")),
            delete=_text(form.get(f"delete_{i}")) == "1",
        )
        for i in range(1, max(1, min(number, MAX_CHANGE_ROWS)) + 1)
    ]


def _value_error(row: ChangeRow) -> str | None:
    """The message key of what is wrong with a row's value, or None."""
    if row.delete and row.value:
        return "admin.fulfilment.error.value_and_delete"
    if not row.delete and not row.value:
        return "admin.fulfilment.error.value"
    if len(row.value) > MAX_VALUE:
        return "admin.fulfilment.error.value_long"
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in row.value):
        return "admin.fulfilment.error.value_invalid"
    return None


def item_changes(
    request: Request, rows: list[ChangeRow], targets: set[str]
) -> tuple[list[ItemChange], dict[str, str]]:
    """The item changes of the filled-in rows, and the errors by field (``target_<n>``,
    ``value_<n>``); blank rows are skipped."""
    changes: list[ItemChange] = []
    errors: dict[str, str] = {}
    for row in rows:
        if row.blank:
            continue
        wrong = False
        if row.target not in targets:
            key = "target" if not row.target else "target_unknown"
            errors[f"target_{row.index}"] = translate(request, f"admin.fulfilment.error.{key}")
            wrong = True
        problem = _value_error(row)
        if problem is not None:
            errors[f"value_{row.index}"] = translate(request, problem)
            wrong = True
        if not wrong:
            changes.append(ItemChange(target=row.target, value=None if row.delete else row.value))
    if not errors and not changes:
        errors["target_1"] = translate(request, "admin.fulfilment.error.changes")
    return changes, errors


def _back(request: Request, request_id: str, done: str) -> Response:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return RedirectResponse(
        f"{root}/requests/{request_id}?done=fulfilment_{done}#fulfilment", status_code=303
    )


def _conflict(request: Request, staff: StaffSession, request_id: str, key: str) -> Response:
    message = translate(request, f"admin.fulfilment.error.{key}")
    return detail_page(
        request, staff, request_id, fulfilment_errors={"_form": message}, status_code=409
    )


@router.post("/requests/{request_id}/fulfilment/start")
async def start(
    request: Request,
    request_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.REQUESTS_ACT))],
) -> Response:
    form = await request.form()
    rows = posted_rows(form)
    more = form.get("more_rows") == "1"
    return await run_in_threadpool(_start, request, staff, request_id, rows, more)


def _start(
    request: Request,
    staff: StaffSession,
    request_id: str,
    rows: list[ChangeRow] | None,
    more: bool,
) -> Response:
    context = web_context(request)
    state = context.state
    if more and rows is not None:  # the form asked for more rows: nothing is started
        room = max(0, min(CHANGE_ROWS, MAX_CHANGE_ROWS - len(rows)))
        more_rows = rows + blank_rows(room, start=len(rows) + 1)
        return detail_page(request, staff, request_id, fulfilment_rows=more_rows)
    changes: list[ItemChange] = []
    if rows is not None:
        datamap = read_datamap(state.settings)
        if datamap is None:
            return _conflict(request, staff, request_id, "start_conflict")
        changes, errors = item_changes(request, rows, {v for v, _ in target_options(datamap)})
        if errors:
            return detail_page(
                request,
                staff,
                request_id,
                fulfilment_errors=errors,
                fulfilment_rows=rows,
                status_code=422,
            )
    try:
        with state.unit_of_work() as session:
            job = start_fulfilment(
                session=session,
                cipher=state.cipher(),
                settings=state.settings,
                request_id=request_id,
                actor=actor_of(staff),
                changes=changes,
                now=context.site.now(),
                scope=subject_scope(staff.user.role, state.facts),
            )
    except InputError:
        message = translate(request, "admin.fulfilment.error.changes")
        return detail_page(
            request,
            staff,
            request_id,
            fulfilment_errors={"target_1": message},
            fulfilment_rows=rows or blank_rows(),
            status_code=422,
        )
    except ConflictError:
        return _conflict(request, staff, request_id, "start_conflict")
    state.enqueue_job(job.id)
    return _back(request, request_id, "start")


def _check_request(
    session: Session, request: Request, staff: StaffSession, request_id: str, what: str
) -> None:
    """NotFoundError (404) for an unknown request, or one whose subject the role may not see
    (My Number, R-MN-9): the same answer as the page gives. ConflictError when a job would
    run for a request no longer under review (refused or withdrawn meanwhile): only a
    cancellation is left then."""
    row = load(session, request_id)
    if row.subject_id is not None:
        scope = subject_scope(staff.user.role, web_context(request).state.facts)
        visible_subject(session=session, subject_id=row.subject_id, scope=scope)
    if what in _RUNS and row.state != RequestState.IN_REVIEW.value:
        raise ConflictError("the request is no longer under review")


def _job_action(
    request: Request, staff: StaffSession, request_id: str, job_id: str, what: str
) -> Response:
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            _check_request(session, request, staff, request_id, what)
            job = latest_job(session=session, request_id=request_id)
            if job is None or job.id != job_id:
                raise ConflictError("the request's job changed")
            _JOB_ACTIONS[what](session=session, job_id=job.id, actor=actor_of(staff))
    except ConflictError:
        return _conflict(request, staff, request_id, "job_conflict")
    if what in _RUNS:
        state.enqueue_job(job.id)
    return _back(request, request_id, what)


async def _posted_job(
    request: Request, staff: StaffSession, request_id: str, what: str
) -> Response:
    form = await request.form()
    job_id = _text(form.get("job_id"))
    return await run_in_threadpool(_job_action, request, staff, request_id, job_id, what)


@router.post("/requests/{request_id}/fulfilment/approve")
async def approve(
    request: Request,
    request_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.REQUESTS_ACT))],
) -> Response:
    return await _posted_job(request, staff, request_id, "approve")


@router.post("/requests/{request_id}/fulfilment/cancel")
async def cancel(
    request: Request,
    request_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.REQUESTS_ACT))],
) -> Response:
    return await _posted_job(request, staff, request_id, "cancel")


@router.post("/requests/{request_id}/fulfilment/retry")
async def retry(
    request: Request,
    request_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.REQUESTS_ACT))],
) -> Response:
    return await _posted_job(request, staff, request_id, "retry")
