"""The risk assessments (``/admin/risks``; R-PM-1, R-PM-2): the list (highest residual risk
first, stale and overdue ones marked in words), what is due, the form that assesses a ledger
row at a lifecycle stage, and an assessment's page with the review form.

Form errors are tied to their fields and never repeat a value.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from kojin.auth.web_sessions import StaffSession
from kojin.errors import InputError, NotFoundError
from kojin.management.risks.schemas import Evaluation, RiskInput, RiskOut, Stage
from kojin.management.risks.service import (
    assess_risk,
    get_risk,
    list_risks,
    review_risk,
    risks_due,
)
from kojin.registry.ledger.service import list_entries
from kojin.web.admin import roles
from kojin.web.admin.incidents_form import scrub
from kojin.web.admin.management_pages import (
    form_text,
    management_page,
    redirect,
    today_of,
)
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

Reader = Annotated[StaffSession, Depends(require_roles(roles.MANAGEMENT_READ))]
Actor = Annotated[StaffSession, Depends(require_roles(roles.MANAGEMENT_ACT))]

#: the form's fields
FIELDS: Final = (
    "ledger",
    "stage",
    "risk",
    "likelihood",
    "impact",
    "evaluation",
    "measures",
    "rule_ids",
    "residual_likelihood",
    "residual_impact",
    "owner",
)
_DONE: Final = frozenset({"assessed", "reviewed"})
_LEVELS: Final = ("1", "2", "3")


def _options(request: Request) -> dict[str, Any]:
    state = web_context(request).state
    with state.read() as session:
        entries = list_entries(session=session)
    return {
        "ledger_options": [(e.id, f"{e.item} ({e.category})") for e in entries],
        "stage_options": [
            (s.value, translate(request, f"management.stage.{s.value}")) for s in Stage
        ],
        "evaluation_options": [
            (e.value, translate(request, f"management.evaluation.{e.value}")) for e in Evaluation
        ],
        "level_options": [(n, translate(request, f"management.level.{n}")) for n in _LEVELS],
    }


def _posted_of(risk: RiskOut) -> dict[str, str]:
    return {
        "ledger": risk.ledger_entry_id,
        "stage": risk.stage.value,
        "risk": risk.risk,
        "likelihood": str(risk.likelihood),
        "impact": str(risk.impact),
        "evaluation": risk.evaluation.value,
        "measures": risk.measures,
        "rule_ids": " ".join(risk.rule_ids),
        "residual_likelihood": str(risk.residual_likelihood),
        "residual_impact": str(risk.residual_impact),
        "owner": risk.owner,
    }


def _errors(request: Request, fields: list[str]) -> dict[str, str]:
    return {f: translate(request, f"management.risk.error.{f}") for f in fields}


def _parse(posted: dict[str, str]) -> tuple[RiskInput | None, list[str]]:
    levels = ("likelihood", "impact", "residual_likelihood", "residual_impact")
    bad = [name for name in levels if posted.get(name) not in _LEVELS]
    if bad:
        return None, bad
    try:
        parsed = RiskInput(
            stage=posted["stage"],  # type: ignore[arg-type]
            risk=posted["risk"],
            likelihood=int(posted["likelihood"]),
            impact=int(posted["impact"]),
            evaluation=posted["evaluation"],  # type: ignore[arg-type]
            measures=posted["measures"],
            rule_ids=posted["rule_ids"].replace(",", " ").split(),
            residual_likelihood=int(posted["residual_likelihood"]),
            residual_impact=int(posted["residual_impact"]),
            owner=posted["owner"],
        )
    except ValidationError as exc:
        found = []
        for error in exc.errors(include_url=False, include_input=False):
            name = str(error["loc"][0]) if error["loc"] else "_form"
            if name in FIELDS and name not in found:
                found.append(name)
        return None, found or ["_form"]
    return parsed, []


@router.get("/risks")
def list_page(request: Request, staff: Reader) -> Response:
    today = today_of(request)
    state = web_context(request).state
    with state.read() as session:
        risks = list_risks(session=session, cipher=state.cipher(), today=today)
        due = risks_due(session=session, cipher=state.cipher(), today=today)
    done = request.query_params.get("done")
    return management_page(
        request,
        staff,
        "admin/risks_list.html",
        "risks",
        {"risks": risks, "due": due, "done": done if done in _DONE else None},
    )


def _form_page(
    request: Request,
    staff: StaffSession,
    *,
    posted: dict[str, str],
    risk: RiskOut | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    shown = dict(errors or {})
    template = "admin/risks_form.html" if risk is None else "admin/risks_risk.html"
    return management_page(
        request,
        staff,
        template,
        "risks",
        {
            "risk": risk,
            "posted": posted,
            "errors": {k: v for k, v in shown.items() if k != "_form"},
            "page_error": shown.get("_form"),
            "done": request.query_params.get("done") if risk is not None else None,
            **_options(request),
        },
        status_code=status_code,
    )


@router.get("/risks/new")
def new_form(request: Request, staff: Actor) -> Response:
    posted = dict.fromkeys(FIELDS, "")
    posted["ledger"] = request.query_params.get("ledger", "")
    return _form_page(request, staff, posted=posted)


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: form_text(form, name) for name in FIELDS}


@router.post("/risks")
async def assess(request: Request, staff: Actor) -> Response:
    posted = await _posted(request)
    return await run_in_threadpool(_assess, request, staff, posted)


def _assess(request: Request, staff: StaffSession, posted: dict[str, str]) -> Response:
    def again(fields: list[str]) -> Response:
        scrub(posted)  # a refused individual number is never sent back
        return _form_page(
            request, staff, posted=posted, errors=_errors(request, fields), status_code=422
        )

    risk_in, bad = _parse(posted)
    if not posted["ledger"]:
        bad = ["ledger", *bad]
    if risk_in is None or bad:
        return again(bad)
    state = web_context(request).state
    try:
        with state.unit_of_work() as session:
            made = assess_risk(
                session=session,
                cipher=state.cipher(),
                ledger_entry_id=posted["ledger"],
                risk_in=risk_in,
                actor=actor_of(staff),
                today=today_of(request),
            )
    except NotFoundError:
        return again(["ledger"])
    except InputError as exc:
        return again([exc.field if exc.field in FIELDS else "_form"])
    return redirect(request, f"/risks/{made.id}", "assessed")


@router.get("/risks/{risk_id}")
def risk_page(risk_id: str, request: Request, staff: Reader) -> Response:
    state = web_context(request).state
    with state.read() as session:
        risk = get_risk(
            session=session, cipher=state.cipher(), risk_id=risk_id, today=today_of(request)
        )
    return _form_page(request, staff, posted=_posted_of(risk), risk=risk)


@router.post("/risks/{risk_id}/review")
async def review(risk_id: str, request: Request, staff: Actor) -> Response:
    posted = await _posted(request)
    return await run_in_threadpool(_review, request, staff, risk_id, posted)


def _review(
    request: Request, staff: StaffSession, risk_id: str, posted: dict[str, str]
) -> Response:
    state = web_context(request).state
    with state.read() as session:
        current = get_risk(
            session=session, cipher=state.cipher(), risk_id=risk_id, today=today_of(request)
        )
    posted["ledger"] = current.ledger_entry_id

    def again(fields: list[str]) -> Response:
        scrub(posted)  # a refused individual number is never sent back
        return _form_page(
            request,
            staff,
            posted=posted,
            risk=current,
            errors=_errors(request, fields),
            status_code=422,
        )

    risk_in, bad = _parse(posted)
    if risk_in is None or bad:
        return again(bad)
    try:
        with state.unit_of_work() as session:
            review_risk(
                session=session,
                cipher=state.cipher(),
                risk_id=risk_id,
                risk_in=risk_in,
                actor=actor_of(staff),
                today=today_of(request),
            )
    except InputError as exc:
        return again([exc.field if exc.field in FIELDS else "_form"])
    return redirect(request, f"/risks/{risk_id}", "reviewed")
