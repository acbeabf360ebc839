"""The recipient register's pages (``/admin/recipients``): the register (overdue checks first),
registering and editing a recipient, the recipient's page with its checks and the check form,
ending it, and the Art. 28(3) statement in Japanese or English (R-SEC-4, R-MN-8, R-TP-FX-3,
R-PM-11).

The pages are thin: every read and write goes through
:mod:`kojin.registry.recipients.service`, which keeps the due dates and writes the audit chain;
the pages parse, call and render. Every answer is sent with ``Cache-Control: no-store``
(:mod:`kojin.web.headers`). Errors are tied to their fields and never repeat a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError
from kojin.policy.model_base import Lang
from kojin.registry.recipients.register import required_kinds
from kojin.registry.recipients.schemas import (
    CheckResult,
    ContractItem,
    EvaluationResult,
    RecipientStatus,
    RecipientView,
    Rule16Basis,
)
from kojin.registry.recipients.service import (
    add_recipient,
    end_recipient,
    get_recipient,
    list_recipients,
    record_check,
    statement,
    update_recipient,
)
from kojin.web.admin import roles
from kojin.web.admin.recipients_form import (
    STATEMENT_ITEMS,
    Posted,
    blank,
    check_input,
    messages,
    posted_from,
    read_check,
    read_posted,
    recipient_fields,
)
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import render, translate

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.RECIPIENTS_READ))]
Actor = Annotated[StaffSession, Depends(require_roles(roles.RECIPIENTS_ACT))]

#: what a redirect after a change may say (``?done=...``)
DONE: Final = frozenset({"added", "updated", "checked", "ended"})
#: the register's filters (``?status=...``)
FILTERS: Final = ("active", "overdue", "ended", "all")
#: the links between the recipient pages (key under ``recipients.nav``, path, roles)
RECIPIENTS_NAV: Final = (
    ("active", "/recipients", roles.RECIPIENTS_READ),
    ("overdue", "/recipients?status=overdue", roles.RECIPIENTS_READ),
    ("ended", "/recipients?status=ended", roles.RECIPIENTS_READ),
    ("new", "/recipients/new", roles.RECIPIENTS_ACT),
)


def today_of(request: Request) -> date:
    return tokyo_today(web_context(request).site.now())


def root_of(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _options(request: Request, prefix: str, values: Any) -> list[tuple[str, str]]:
    return [(v.value, translate(request, f"recipients.{prefix}.{v.value}")) for v in values]


def recipients_page(
    request: Request,
    staff: StaffSession,
    template: str,
    current: str,
    values: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """A recipient page: the staff frame and the links between the recipient pages."""
    role = staff.user.role
    page: dict[str, Any] = {
        "nav_current": "recipients",
        "rcp_current": current,
        "recipients_nav": [(k, p) for k, p, allowed in RECIPIENTS_NAV if role in allowed],
        "may_act": role in roles.RECIPIENTS_ACT,
    }
    page.update(values or {})
    return render(request, template, page, status_code=status_code)


@router.get("/recipients")
def register_page(request: Request, staff: Reader) -> Response:
    chosen = request.query_params.get("status", "active")
    shown = chosen if chosen in FILTERS else "active"
    status = {
        "active": RecipientStatus.ACTIVE,
        "overdue": RecipientStatus.ACTIVE,
        "ended": RecipientStatus.ENDED,
    }.get(shown)
    state = web_context(request).state
    with state.read() as session:
        rows = list_recipients(
            session=session,
            cipher=state.cipher(),
            today=today_of(request),
            status=status,
            overdue=shown == "overdue",
        )
    return recipients_page(
        request,
        staff,
        "admin/recipients_list.html",
        shown if shown != "all" else "",
        {"recipients": rows, "status": shown},
    )


def form_page(
    request: Request,
    staff: StaffSession,
    *,
    posted: Posted,
    recipient: RecipientView | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The recipient form: a new recipient (`recipient` None) or the edit of one."""
    action = "/recipients" if recipient is None else f"/recipients/{recipient.id}/edit"
    shown = messages(lambda key: translate(request, key), errors or {})
    return recipients_page(
        request,
        staff,
        "admin/recipients_form.html",
        "new" if recipient is None else "",
        {
            "recipient": recipient,
            "posted": posted,
            "errors": shown,
            "action": action,
            "item_options": _options(request, "item", ContractItem),
            "evaluation_options": _options(request, "evaluation", EvaluationResult),
            "basis_options": [
                ("", translate(request, "recipients.basis.none")),
                *_options(request, "basis", Rule16Basis),
            ],
            "statement_items": STATEMENT_ITEMS,
            "switch_path": root_of(request)
            + ("/recipients/new" if recipient is None else f"/recipients/{recipient.id}/edit"),
            "switch_query": "",
        },
        status_code=status_code,
    )


@router.get("/recipients/new")
def new_form(request: Request, staff: Actor) -> Response:
    return form_page(request, staff, posted=blank())


@router.post("/recipients")
async def add(request: Request, staff: Actor) -> Response:
    posted = read_posted(await request.form())
    return await run_in_threadpool(_save, request, staff, posted, None)


@router.get("/recipients/{recipient_id}/edit")
def edit_form(recipient_id: str, request: Request, staff: Actor) -> Response:
    view = _load(request, recipient_id)
    return form_page(request, staff, posted=posted_from(view.fields), recipient=view)


@router.post("/recipients/{recipient_id}/edit")
async def edit(recipient_id: str, request: Request, staff: Actor) -> Response:
    posted = read_posted(await request.form())
    return await run_in_threadpool(_save, request, staff, posted, recipient_id)


def _save(
    request: Request, staff: StaffSession, posted: Posted, recipient_id: str | None
) -> Response:
    current = None if recipient_id is None else _load(request, recipient_id)

    def again(errors: dict[str, str], status_code: int = 422) -> Response:
        return form_page(
            request,
            staff,
            posted=posted,
            recipient=current,
            errors=errors,
            status_code=status_code,
        )

    fields, errors = recipient_fields(posted)
    if fields is None:
        return again(errors)
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            if current is None:
                view = add_recipient(
                    session=session,
                    cipher=state.cipher(),
                    actor=actor_of(staff),
                    fields=fields,
                    today=today_of(request),
                    declared=state.facts.categories,
                )
            else:
                view = update_recipient(
                    session=session,
                    cipher=state.cipher(),
                    actor=actor_of(staff),
                    recipient_id=current.id,
                    fields=fields,
                    today=today_of(request),
                    declared=state.facts.categories,
                )
    except InputError as exc:
        return again({exc.field or "_form": "refused"})
    except ConflictError:
        return again({"name": "duplicate"}, 409)
    done = "added" if current is None else "updated"
    return RedirectResponse(f"{root_of(request)}/recipients/{view.id}?done={done}", 303)


def _load(request: Request, recipient_id: str) -> RecipientView:
    state = web_context(request).state
    with state.read() as session:
        return get_recipient(
            session=session,
            cipher=state.cipher(),
            recipient_id=recipient_id,
            today=today_of(request),
        )


def recipient_page(
    request: Request,
    staff: StaffSession,
    recipient_id: str,
    *,
    check_posted: Posted | None = None,
    errors: Mapping[str, str] | None = None,
    end_error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The recipient's page (NotFoundError, shown as 404, for an unknown id)."""
    view = _load(request, recipient_id)
    kinds = required_kinds(entrustee=view.entrustee, foreign_rule16=view.foreign_rule16)
    done = request.query_params.get("done")
    today = today_of(request)
    return recipients_page(
        request,
        staff,
        "admin/recipients_recipient.html",
        "",
        {
            "recipient": view,
            "fields": view.fields,
            "kind_options": [
                (k.value, translate(request, f"recipients.check_kind.{k.value}")) for k in kinds
            ],
            "result_options": _options(request, "result", CheckResult),
            "check_posted": check_posted or Posted(texts={"checked_on": today.isoformat()}),
            "errors": messages(lambda key: translate(request, key), errors or {}),
            "end_error": end_error,
            "done": done if done in DONE else None,
            "today": today,
            "switch_path": f"{root_of(request)}/recipients/{view.id}",
            "switch_query": "",
        },
        status_code=status_code,
    )


@router.get("/recipients/{recipient_id}")
def show(recipient_id: str, request: Request, staff: Reader) -> Response:
    return recipient_page(request, staff, recipient_id)


@router.post("/recipients/{recipient_id}/checks")
async def check(recipient_id: str, request: Request, staff: Actor) -> Response:
    posted = read_check(await request.form())
    return await run_in_threadpool(_check, request, staff, recipient_id, posted)


def _check(request: Request, staff: StaffSession, recipient_id: str, posted: Posted) -> Response:
    def again(errors: dict[str, str], status_code: int = 422) -> Response:
        return recipient_page(
            request,
            staff,
            recipient_id,
            check_posted=posted,
            errors=errors,
            status_code=status_code,
        )

    today = today_of(request)
    check_in, errors = check_input(posted, today)
    if check_in is None:
        return again(errors)
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            record_check(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                recipient_id=recipient_id,
                check=check_in,
                today=today,
            )
    except InputError as exc:
        return again({exc.field or "_form": "refused"})
    except ConflictError:
        return again({"_form": "ended"}, 409)
    return RedirectResponse(f"{root_of(request)}/recipients/{recipient_id}?done=checked", 303)


@router.post("/recipients/{recipient_id}/end")
async def end(recipient_id: str, request: Request, staff: Actor) -> Response:
    form = await request.form()
    value = form.get("ended_on")
    typed = value.strip() if isinstance(value, str) else ""
    return await run_in_threadpool(_end, request, staff, recipient_id, typed)


def _end(request: Request, staff: StaffSession, recipient_id: str, typed: str) -> Response:
    today = today_of(request)
    try:
        day = date.fromisoformat(typed) if typed else today
    except ValueError:
        day = None
    state = web_context(request).state
    try:
        if day is None:
            raise InputError("not a date", field="ended_on")
        with state.unit_of_work() as session:
            end_recipient(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                recipient_id=recipient_id,
                on=day,
                today=today,
            )
    except InputError:
        message = translate(request, "recipients.form.error.end_date")
        return recipient_page(request, staff, recipient_id, end_error=message, status_code=422)
    except ConflictError:
        message = translate(request, "recipients.form.error.ended")
        return recipient_page(request, staff, recipient_id, end_error=message, status_code=409)
    return RedirectResponse(f"{root_of(request)}/recipients/{recipient_id}?done=ended", 303)


@router.get("/recipients/{recipient_id}/statement")
def statement_page(recipient_id: str, request: Request, staff: Reader) -> Response:
    """The Art. 28(3) information in the language asked (``?in=ja|en``; default: Japanese)."""
    asked = request.query_params.get("in", "ja")
    lang: Lang = "en" if asked == "en" else "ja"
    state = web_context(request).state
    with state.read() as session:
        view = statement(
            session=session, cipher=state.cipher(), recipient_id=recipient_id, lang=lang
        )
    return recipients_page(
        request,
        staff,
        "admin/recipients_statement.html",
        "",
        {
            "statement": view,
            "items": [(item, getattr(view.items, item)) for item in STATEMENT_ITEMS],
            "other": "ja" if lang == "en" else "en",
            "switch_path": f"{root_of(request)}/recipients/{recipient_id}/statement",
            "switch_query": f"in={lang}",
        },
    )
