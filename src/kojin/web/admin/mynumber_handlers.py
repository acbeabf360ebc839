"""The persons in charge of individual numbers (``/admin/mynumber/handlers``; My Number Act
Art. 12, R-MN-9): the designations, and for the privacy office the forms that designate and
revoke.

A designation names a staff user with the ``mynumber_handler`` role (the audit chain's actor
``staff:<username>``), their affairs, their department and, when limited, their people. The
vault records each designation and revocation in the audit chain.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.auth.roles import Role
from kojin.auth.staff import list_staff_users, staff_actor
from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.mynumber.handlers import designate_handler, list_handlers, revoke_handler
from kojin.mynumber.schemas import HandlerIn
from kojin.registry.subjects.scope import SubjectScope
from kojin.registry.subjects.service import visible_subject
from kojin.web.admin import roles
from kojin.web.admin.mynumber_pages import (
    affair_options,
    form_list,
    form_text,
    mynumber_page,
    root_of,
    vault_of,
)
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

_DONE = frozenset({"designated", "revoked"})
#: the fields of a designation a service's error may name, and the form's field for each
_FIELDS = {
    "actor": "user",
    "affairs": "affairs",
    "department": "department",
    "subject_ids": "subject_ids",
}


def _handler_users(request: Request) -> list[tuple[str, str]]:
    """(actor, user name) of the enabled staff users with the ``mynumber_handler`` role."""
    state = web_context(request).state
    with state.read() as session:
        users = list_staff_users(session=session)
    return [
        (staff_actor(user), user.username)
        for user in users
        if user.role is Role.MYNUMBER_HANDLER and user.disabled_at is None
    ]


def _specific_people(request: Request, subject_ids: list[str]) -> bool:
    """Whether every id names a registry subject of a specific-personal category."""
    state = web_context(request).state
    scope = SubjectScope.for_policy(state.facts, mynumber_authority=True)
    with state.read() as session:
        for subject_id in subject_ids:
            try:
                visible_subject(session=session, subject_id=subject_id, scope=scope)
            except NotFoundError:
                return False
    return True


def handlers_page(
    request: Request,
    staff: StaffSession,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    with vault_of(request).read() as sessions:
        handlers = list_handlers(vault=sessions.vault)
    fields = dict(errors or {})
    values = dict(submitted or {})
    done = request.query_params.get("done")
    may_designate = staff.user.role in roles.MYNUMBER_DESIGNATE
    return mynumber_page(
        request,
        staff,
        "admin/mynumber_handlers.html",
        "handlers",
        {
            "handlers": sorted(handlers, key=lambda h: h.designated_at, reverse=True),
            "may_designate": may_designate,
            "user_options": _handler_users(request) if may_designate else [],
            "affair_options": affair_options(request),
            "errors": {k: v for k, v in fields.items() if k != "_form"},
            "page_error": fields.get("_form"),
            "submitted": {k: v for k, v in values.items() if isinstance(v, str)},
            "submitted_affairs": values.get("affairs", []),
            "done": done if done in _DONE else None,
            "switch_path": f"{root_of(request)}/mynumber/handlers",
            "switch_query": "",
        },
        status_code=status_code,
    )


@router.get("/mynumber/handlers")
def handlers_view(
    request: Request,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_DESIGNATIONS_READ))],
) -> Response:
    return handlers_page(request, staff)


@router.post("/mynumber/handlers")
async def designate(
    request: Request,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_DESIGNATE))],
) -> Response:
    form = await request.form()
    submitted: dict[str, Any] = {
        "user": form_text(form, "user"),
        "department": form_text(form, "department"),
        "subject_ids": form_text(form, "subject_ids"),
        "affairs": form_list(form, "affairs"),
    }
    return await run_in_threadpool(_designate, request, staff, submitted)


def _designate(request: Request, staff: StaffSession, submitted: dict[str, Any]) -> Response:
    def again(field: str, key: str, status_code: int = 422) -> Response:
        message = translate(request, f"mynumber.handlers.error.{key}")
        return handlers_page(
            request, staff, errors={field: message}, submitted=submitted, status_code=status_code
        )

    if submitted["user"] not in {actor for actor, _ in _handler_users(request)}:
        return again("user", "user")
    known = {value for value, _ in affair_options(request)}
    if not submitted["affairs"] or not set(submitted["affairs"]) <= known:
        return again("affairs", "affairs")
    if not submitted["department"]:
        return again("department", "department")
    people = [line.strip() for line in submitted["subject_ids"].splitlines() if line.strip()]
    if not _specific_people(request, people):
        return again("subject_ids", "subject_ids")
    state = web_context(request).state
    try:
        body = HandlerIn(
            actor=submitted["user"],
            affairs=submitted["affairs"],
            subject_ids=people or None,
            department=submitted["department"],
        )
        with vault_of(request).transaction() as sessions:
            designate_handler(
                sessions=sessions,
                policy=state.facts,
                actor=actor_of(staff),
                body=body,
                now=web_context(request).site.now(),
            )
    except ValidationError as exc:  # the schema's own checks: the field, never the value
        names = [str(e["loc"][0]) for e in exc.errors() if e["loc"]]
        key = next((_FIELDS[n] for n in names if n in _FIELDS), "subject_ids")
        return again(key, key)
    except InputError as exc:
        named = _FIELDS.get(exc.field or "")
        return again("_form", "generic") if named is None else again(named, named)
    except ConflictError:
        return again("user", "conflict", 409)
    return RedirectResponse(f"{root_of(request)}/mynumber/handlers?done=designated", 303)


@router.post("/mynumber/handlers/{handler_id}/revoke")
def revoke(
    request: Request,
    handler_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_DESIGNATE))],
) -> Response:
    with vault_of(request).transaction() as sessions:
        revoke_handler(
            sessions=sessions,
            actor=actor_of(staff),
            handler_id=handler_id,
            now=web_context(request).site.now(),
        )
    return RedirectResponse(f"{root_of(request)}/mynumber/handlers?done=revoked", 303)
