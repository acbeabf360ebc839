"""The management review pages (``/admin/reviews``; JIS Q 15001, R-PM-8).

- the list of reviews and the form that prepares one for a period (the last twelve months, a
  calendar year, a fiscal year or two dates);
- a review's page: its inputs (requests and incidents with the month-by-month charts as SVG,
  the audit, task, recipient, risk and training figures, the improvement opportunities), the
  office's entries (changes in law, opportunities, notes), the top manager's decisions, and
  links to the report (HTML or PDF, Japanese or English);
- the forms: the entries, gathering the inputs again (a draft only), and the decisions.

The pages parse, call :mod:`kojin.management.review.service` and render; the service writes the
audit chain (``review.*``) with the signed-in staff member as the actor. Every form carries the
CSRF token; errors name the field, never repeat a value.
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
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.law.check_digits import holds_my_number
from kojin.management.review.periods import calendar_year, fiscal_year, last_twelve_months
from kojin.management.review.report import (
    incident_table,
    incidents_chart,
    register_tables,
    requests_chart,
    review_html,
    review_pdf,
)
from kojin.management.review.schemas import (
    DecisionKind,
    LawChange,
    ReviewCreate,
    ReviewDecision,
    ReviewOutcome,
    ReviewUpdate,
    ReviewView,
)
from kojin.management.review.service import (
    create_review,
    get_review,
    list_reviews,
    record_outcome,
    record_report,
    refresh_inputs,
    update_review,
)
from kojin.policy.model_base import Lang
from kojin.web.admin import roles
from kojin.web.admin.files import NOTICE_CSP, content_disposition
from kojin.web.context import web_context
from kojin.web.i18n import as_lang, tokyo_today
from kojin.web.language import request_language
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import render, translate

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.MANAGEMENT_READ))]
Actor = Annotated[StaffSession, Depends(require_roles(roles.MANAGEMENT_ACT))]

PERIODS = ("last12", "fiscal", "year", "custom")
DECISION_FIELDS = {kind: f"decisions_{kind.value}" for kind in DecisionKind}
FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _today(request: Request) -> date:
    return tokyo_today(web_context(request).site.now())


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _errors(request: Request, errors: Mapping[str, str]) -> dict[str, str]:
    return {k: translate(request, f"reviews.error.{v}") for k, v in errors.items()}


def _page(
    request: Request,
    staff: StaffSession,
    template: str,
    values: Mapping[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    page: dict[str, Any] = {
        "nav_current": "reviews",
        "may_act": staff.user.role in roles.MANAGEMENT_ACT,
    }
    page.update(values)
    return render(request, template, page, status_code=status_code)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


async def _form(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    form = await request.form()
    return {
        name: value.strip() if isinstance(value := form.get(name), str) else "" for name in names
    }


def _numbered(submitted: dict[str, str]) -> str | None:
    """The first field holding an individual number, emptied so the page never shows it back
    (R-CD-1: numbers live in the vault alone); None when there is none."""
    found = [name for name, value in submitted.items() if value and holds_my_number(value)]
    for name in found:
        submitted[name] = ""
    return found[0] if found else None


def _field_of(error: ValidationError, known: tuple[str, ...]) -> str:
    first = error.errors()[0]["loc"]
    name = str(first[0]) if first else "_form"
    return name if name in known else "_form"


# --- the list and a new review ------------------------------------------------------------

NEW_FIELDS = ("title", "period", "year", "since", "until")


def list_page(
    request: Request,
    staff: StaffSession,
    *,
    submitted: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    state = web_context(request).state
    with state.read() as session:
        reviews = list_reviews(session=session, cipher=state.cipher())
    today = _today(request)
    default_since, default_until = last_twelve_months(today)
    return _page(
        request,
        staff,
        "admin/reviews_list.html",
        {
            "reviews": reviews,
            "submitted": dict(submitted or {"period": "last12"}),
            "errors": dict(errors or {}),
            "periods": [(p, translate(request, f"reviews.new.period_{p}")) for p in PERIODS],
            "default_since": default_since,
            "default_until": default_until,
        },
        status_code=status_code,
    )


@router.get("/reviews")
def reviews_page(request: Request, staff: Reader) -> Response:
    return list_page(request, staff)


def _period(submitted: Mapping[str, str], today: date) -> tuple[date | None, date | None]:
    """The dates the new-review form chose (None, None: the service's default); InputError
    naming the field of a bad value."""
    chosen = submitted.get("period") or "last12"
    if chosen not in PERIODS:
        raise InputError("choose a period", field="period")
    if chosen == "last12":
        return None, None
    if chosen in ("year", "fiscal"):
        text = submitted.get("year", "")
        if not text.isdigit() or not 2000 <= int(text) <= today.year + 1:
            raise InputError("year", field="year")
        return (calendar_year if chosen == "year" else fiscal_year)(int(text))
    days = []
    for name in ("since", "until"):
        try:
            days.append(date.fromisoformat(submitted.get(name, "")))
        except ValueError:
            raise InputError(name, field=name) from None
    return days[0], days[1]


@router.post("/reviews")
async def create(request: Request, staff: Actor) -> Response:
    submitted = await _form(request, NEW_FIELDS)
    return await run_in_threadpool(_create, request, staff, submitted)


def _create(request: Request, staff: StaffSession, submitted: dict[str, str]) -> Response:
    def again(field: str, key: str) -> Response:
        return list_page(
            request,
            staff,
            submitted=submitted,
            errors=_errors(request, {field: key}),
            status_code=422,
        )

    numbered = _numbered(submitted)
    if numbered is not None:
        return list_page(
            request,
            staff,
            submitted=submitted,
            errors=_errors(request, {numbered: "my_number"}),
            status_code=422,
        )
    today = _today(request)
    try:
        since, until = _period(submitted, today)
        review_in = ReviewCreate(title=submitted["title"] or None, since=since, until=until)
    except InputError as exc:
        field = exc.field or "period"
        return again(field, field)
    except ValidationError as exc:
        field = _field_of(exc, NEW_FIELDS)
        return again(field, field if field != "_form" else "generic")
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            view = create_review(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                review_in=review_in,
                today=today,
            )
    except InputError as exc:
        field = exc.field if exc.field in ("since", "until") else "until"
        return again(field, field)
    return RedirectResponse(f"{_root(request)}/reviews/{view.id}?done=created", status_code=303)


# --- a review -----------------------------------------------------------------------------

ENTRY_FIELDS = ("title", "law_changes", "improvements", "notes")
DECIDE_FIELDS = ("held_on", "top_manager", *DECISION_FIELDS.values())


def _load(request: Request, review_id: str) -> ReviewView:
    state = web_context(request).state
    with state.read() as session:
        return get_review(session=session, cipher=state.cipher(), review_id=review_id)


def _entries_of(view: ReviewView) -> dict[str, str]:
    return {
        "title": view.title,
        "law_changes": "\n".join(c.title for c in view.law_changes),
        "improvements": "\n".join(view.improvements),
        "notes": view.notes,
    }


def _decisions_of(view: ReviewView) -> dict[str, str]:
    values = {
        "held_on": view.held_on.isoformat() if view.held_on else "",
        "top_manager": view.top_manager or "",
    }
    for kind, name in DECISION_FIELDS.items():
        values[name] = "\n".join(d.text for d in view.decisions if d.kind is kind)
    return values


def review_page(
    request: Request,
    staff: StaffSession,
    review_id: str,
    *,
    entries: Mapping[str, str] | None = None,
    decisions: Mapping[str, str] | None = None,
    errors: Mapping[str, Mapping[str, str]] | None = None,
    page_error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = _load(request, review_id)
    lang: Lang = request_language(request)
    inputs = view.inputs
    done = request.query_params.get("done")
    return _page(
        request,
        staff,
        "admin/reviews_review.html",
        {
            "review": view,
            "inputs": inputs,
            "done": done if done in ("created", "updated", "refreshed", "decided") else None,
            "requests_chart": requests_chart(inputs, lang),
            "incidents_chart": incidents_chart(inputs, lang),
            "incident_table": incident_table(inputs, lang),
            "register_tables": register_tables(inputs, lang),
            "entries": dict(entries or _entries_of(view)),
            "decisions": dict(decisions or _decisions_of(view)),
            "decision_fields": [(kind.value, name) for kind, name in DECISION_FIELDS.items()],
            "errors": {"entries": {}, "decide": {}, **(errors or {})},
            "page_error": page_error,
            "switch_path": f"{_root(request)}/reviews/{view.id}",
            "switch_query": "",
        },
        status_code=status_code,
    )


@router.get("/reviews/{review_id}")
def review_view(request: Request, review_id: str, staff: Reader) -> Response:
    return review_page(request, staff, review_id)


def _back(request: Request, review_id: str, done: str) -> Response:
    return RedirectResponse(f"{_root(request)}/reviews/{review_id}?done={done}", status_code=303)


@router.post("/reviews/{review_id}/entries")
async def entries(request: Request, review_id: str, staff: Actor) -> Response:
    submitted = await _form(request, ENTRY_FIELDS)
    return await run_in_threadpool(_entries, request, staff, review_id, submitted)


def _entries(
    request: Request, staff: StaffSession, review_id: str, submitted: dict[str, str]
) -> Response:
    def again(field: str, key: str | None = None) -> Response:
        return review_page(
            request,
            staff,
            review_id,
            entries=submitted,
            errors={"entries": _errors(request, {field: key or field})},
            status_code=422,
        )

    current = _load(request, review_id)  # an unknown review is a 404, not a form error
    numbered = _numbered(submitted)
    if numbered is not None:
        return again(numbered, "my_number")
    # a line naming a change entered with its day and response (API, CLI) keeps them
    known = {change.title: change for change in current.law_changes}
    try:
        changes = ReviewUpdate(
            title=submitted["title"] or None,
            law_changes=[
                known.get(line) or LawChange(title=line)
                for line in _lines(submitted["law_changes"])
            ],
            improvements=_lines(submitted["improvements"]),
            notes=submitted["notes"],
        )
    except ValidationError as exc:
        field = _field_of(exc, ENTRY_FIELDS)
        return again("law_changes" if field == "_form" else field)
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            update_review(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                review_id=review_id,
                changes=changes,
            )
    except InputError:
        return again("title")
    return _back(request, review_id, "updated")


@router.post("/reviews/{review_id}/refresh")
def refresh(request: Request, review_id: str, staff: Actor) -> Response:
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            refresh_inputs(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                review_id=review_id,
                today=_today(request),
            )
    except ConflictError:
        return review_page(
            request,
            staff,
            review_id,
            page_error=translate(request, "reviews.error.conflict"),
            status_code=409,
        )
    return _back(request, review_id, "refreshed")


@router.post("/reviews/{review_id}/decide")
async def decide(request: Request, review_id: str, staff: Actor) -> Response:
    submitted = await _form(request, DECIDE_FIELDS)
    return await run_in_threadpool(_decide, request, staff, review_id, submitted)


def _decide(
    request: Request, staff: StaffSession, review_id: str, submitted: dict[str, str]
) -> Response:
    def again(field: str, key: str | None = None) -> Response:
        return review_page(
            request,
            staff,
            review_id,
            decisions=submitted,
            errors={"decide": _errors(request, {field: key or field})},
            status_code=422,
        )

    current = _load(request, review_id)
    numbered = _numbered(submitted)
    if numbered is not None:
        return again(numbered, "my_number")
    try:
        held_on = date.fromisoformat(submitted["held_on"])
    except ValueError:
        return again("held_on")
    # a line naming a decision recorded with its owner and due date (API, CLI) keeps them
    known = {(d.kind, d.text): d for d in current.decisions}
    items = []
    for kind, name in DECISION_FIELDS.items():
        for line in _lines(submitted[name]):
            try:
                items.append(known.get((kind, line)) or ReviewDecision(kind=kind, text=line))
            except ValidationError:
                return again(name)
    if not items:
        return again(DECISION_FIELDS[DecisionKind.IMPROVEMENT])
    try:
        outcome = ReviewOutcome(
            held_on=held_on,
            top_manager=submitted["top_manager"],
            decisions=items,
        )
    except ValidationError as exc:
        field = _field_of(exc, DECIDE_FIELDS)
        return again("top_manager" if field == "_form" else field)
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            record_outcome(
                session=session,
                cipher=state.cipher(),
                actor=actor_of(staff),
                review_id=review_id,
                outcome=outcome,
                today=_today(request),
            )
    except InputError:
        return again("held_on")
    return _back(request, review_id, "decided")


@router.get("/reviews/{review_id}/report-{lang}.{fmt}")
def report(request: Request, review_id: str, lang: str, fmt: str, staff: Reader) -> Response:
    chosen: Lang | None = as_lang(lang)
    if chosen is None or fmt not in FORMATS:
        raise NotFoundError("no such report")
    state = web_context(request).state
    with state.unit_of_work() as session:
        view = get_review(session=session, cipher=state.cipher(), review_id=review_id)
        record_report(
            session=session,
            actor=actor_of(staff),
            review_id=view.id,
            what=f"report.{chosen}.{fmt}",
        )
    if fmt == "pdf":
        content = review_pdf(view=view, policy=state.policy, lang=chosen)
    else:
        content = review_html(view=view, policy=state.policy, lang=chosen).encode("utf-8")
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
