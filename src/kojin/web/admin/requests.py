"""One request (``/admin/requests/{request_id}``): what was asked, by whom, its documents and
history, its fulfilment in the company's systems (:mod:`kojin.web.admin.fulfilment`), and a form
per action its state allows (``POST .../actions``).

Reading a request is itself recorded (the service chains ``request.viewed``). An action's
error is shown on its own form, tied to the field; an action the request's state no longer
allows (another member of staff acted first) is said at the top of the page. When staff
approve an erasure whose job kept rows under a legal retention hold, the statement of what was
kept and until when is added to the message to the person
(:func:`~kojin.web.admin.fulfilment_view.erasure_statement`).

A stop request shows the ground of Art. 35 it rests on and the incident it names (linked to
the queue of that incident's requests); staff set or change them with the action "set the
ground" (a request made by post or telephone). Under a ground of Art. 35(5) the page says how
little room the law leaves to decline, and the refusal form asks for the special circumstances.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.api.roles import subject_scope
from kojin.api.state import AppState
from kojin.auth.web_sessions import StaffSession
from kojin.drp.callbacks import notify_status_change
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.incidents.service import incident_id_for
from kojin.law.breach_vocabulary import StopGround
from kojin.policy.model import Policy
from kojin.policy.model_base import CategoryScope, Lang, RefusalGround
from kojin.policy.model_sections import RefusalClause
from kojin.registry.subjects.schemas import SubjectOut
from kojin.registry.subjects.service import find_subject
from kojin.requests.grounds import (
    GROUNDS_FOR_KIND,
    GroundMismatchError,
    needs_special_circumstances,
)
from kojin.requests.kinds import STOP_KINDS
from kojin.requests.schemas import ActionIn, RequestDetail
from kojin.requests.service import act, request_detail
from kojin.requests.states import RequestState, StaffAction
from kojin.web.admin import roles
from kojin.web.admin.action_forms import action_form, submitted_values
from kojin.web.admin.fulfilment_view import (
    DONE,
    ChangeRow,
    FulfilmentSection,
    blank_rows,
    build_section,
    erasure_statement,
)
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.language import request_language
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import render, translate

router = APIRouter()

#: the names of the staff actions (what a posted form's ``action`` may be)
_ALL_ACTIONS = frozenset(action.value for action in StaffAction)

_ERROR_KEYS = {
    "fee_reference": "admin.action.error.fee_reference",
    "refusal_ground": "admin.action.error.refusal_ground",
    "explanation": "admin.action.error.explanation",
    "subject_id": "admin.action.error.subject_id",
    "stop_ground": "admin.action.error.stop_ground",
    "special_circumstances": "admin.action.error.special_circumstances",
}
#: fields whose wrong value has words of its own (else: "check this field")
_INVALID_KEYS = {
    "incident_reference": "admin.action.error.incident_reference",
    "stop_ground": "admin.action.error.stop_ground",
}


def refusal_clauses(policy: Policy, category: str | None) -> list[RefusalClause]:
    """The refusal grounds of the policy's inquiry section the request falls under: the
    specific personal data one for a My Number category, the general one otherwise."""
    found = None if category is None else policy.category(category)
    special = policy.specific_personal
    if special is not None and found is not None and found.scope is CategoryScope.SPECIFIC_PERSONAL:
        return list(special.inquiries.refusal_grounds)
    return list(policy.general.inquiries.refusal_grounds)


def _find_subjects(request: Request, staff: StaffSession, email: str | None) -> list[SubjectOut]:
    """The registry subjects with the requester's e-mail (blind index; the caller's scope)."""
    if not email:
        return []
    state = web_context(request).state
    with state.read() as session:
        return find_subject(
            session=session,
            cipher=state.cipher(),
            email=email,
            scope=subject_scope(staff.user.role, state.facts),
        )


def detail_page(
    request: Request,
    staff: StaffSession,
    request_id: str,
    *,
    errors: dict[str, str] | None = None,
    submitted_action: str | None = None,
    submitted: dict[str, str] | None = None,
    fulfilment_errors: dict[str, str] | None = None,
    fulfilment_rows: list[ChangeRow] | None = None,
    status_code: int = 200,
) -> Response:
    """The request's page (NotFoundError, shown as 404, for an unknown id); the fulfilment
    section with its form's errors and rows as posted, when given."""
    context = web_context(request)
    state = context.state
    with state.unit_of_work() as session:
        detail: RequestDetail = request_detail(
            session=session,
            cipher=state.cipher(),
            policy=state.policy,
            request_id=request_id,
            actor=actor_of(staff),
            today=tokyo_today(context.site.now()),
            scope=subject_scope(staff.user.role, state.facts),
        )
    fields = dict(errors or {})
    page_error = fields.pop("_form", None)
    may_act = staff.user.role in roles.REQUESTS_ACT
    linked = detail.subject_id is not None
    special = needs_special_circumstances(detail.kind, detail.stop_ground)
    forms = (
        [
            action_form(a, detail.kind, linked=linked, special_circumstances=special)
            for a in detail.allowed_actions
        ]
        if may_act
        else []
    )
    find = may_act and request.query_params.get("find_subject") == "1"
    matches = _find_subjects(request, staff, detail.applicant.email) if find else []
    lang = request_language(request)
    grounds = [
        (clause.ground.value, clause.text.get(lang))
        for clause in refusal_clauses(state.policy, detail.category)
    ]
    ground_texts = dict(grounds)
    done = request.query_params.get("done")
    fulfilment = _fulfilment(context.state, detail, lang, may_act)
    fulfilment.errors = dict(fulfilment_errors or {})
    fulfilment.rows = fulfilment_rows or blank_rows()
    fulfilment.done = done if done in DONE else None
    fulfilment.refresh = str(int(context.site.now().timestamp() * 1000))
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return render(
        request,
        "admin/request.html",
        {
            "nav_current": "requests",
            "detail": detail,
            "overdue": detail.days_left is not None and detail.days_left < 0,
            "may_act": may_act,
            "may_read_documents": staff.user.role in roles.DOCUMENTS_READ,
            "action_forms": forms,
            "errors": fields,
            "page_error": page_error,
            "needs_subject": any("subject_id" in form.fields for form in forms),
            "submitted_action": submitted_action,
            "submitted": submitted or {},
            "grounds": grounds,
            "stop": detail.kind in STOP_KINDS,
            "stop_grounds": [
                (ground.value, translate(request, f"admin.ground.{ground.value}"))
                for ground in GROUNDS_FOR_KIND.get(detail.kind, ())
            ],
            "limit_35_5": special,
            "refusal_ground_text": ground_texts.get(
                detail.refusal_ground.value if detail.refusal_ground else ""
            ),
            "find": find,
            "matches": matches,
            "single_match": matches[0].id if len(matches) == 1 else None,
            "done": done if done in _ALL_ACTIONS else None,
            "fulfilment": fulfilment,
            "switch_path": f"{root}/requests/{detail.id}",
            "switch_query": "",
        },
        status_code=status_code,
    )


def _fulfilment(
    state: AppState, detail: RequestDetail, lang: Lang, may_act: bool
) -> FulfilmentSection:
    """The fulfilment section (none for a subject the role may not see)."""
    if detail.subject_restricted:
        return FulfilmentSection(applies=False)
    with state.read() as session:
        return build_section(
            session=session,
            cipher=state.cipher(),
            settings=state.settings,
            request_id=detail.id,
            kind=detail.kind,
            in_review=detail.state is RequestState.IN_REVIEW,
            lang=lang,
            person_lang=detail.lang,
            may_act=may_act,
        )


@router.get("/requests/{request_id}")
def request_page(
    request: Request,
    request_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.REQUESTS_READ))],
) -> Response:
    return detail_page(request, staff, request_id)


def _error_message(
    request: Request, field: str | None, submitted: dict[str, str], *, mismatch: bool = False
) -> tuple[str, str]:
    """(field name, message) for an input error on `field` (a field left empty is missing;
    one filled in is not valid, e.g. too long; `mismatch`: a ground or incident reference that
    does not go with the request)."""
    if mismatch and field in ("stop_ground", "incident_reference", "special_circumstances"):
        return field, translate(request, f"admin.action.error.mismatch.{field}")
    if field in _ERROR_KEYS and field not in submitted:
        return field, translate(request, _ERROR_KEYS[field])
    if field is not None and field in submitted:
        key = _INVALID_KEYS.get(field, "admin.action.error.invalid")
        return field, translate(request, key)
    return "_form", translate(request, "admin.action.error.generic")


def _with_statement(action_in: ActionIn, statement: str | None) -> ActionIn:
    """`action_in` with `statement` appended to its message to the person (checked again: the
    whole must still fit the field)."""
    if statement is None:
        return action_in
    typed = action_in.explanation
    values = action_in.model_dump(exclude_none=True)
    values["explanation"] = f"{typed}\n\n{statement}" if typed else statement
    return ActionIn.model_validate(values)


@router.post("/requests/{request_id}/actions")
async def act_on_request(
    request: Request,
    request_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.REQUESTS_ACT))],
) -> Response:
    form = await request.form()
    action = form.get("action")
    submitted = submitted_values(form)
    return await run_in_threadpool(_act, request, staff, request_id, action, submitted)


def _act(
    request: Request,
    staff: StaffSession,
    request_id: str,
    action: Any,
    submitted: dict[str, str],
) -> Response:
    if not isinstance(action, str) or action not in _ALL_ACTIONS:
        return detail_page(
            request,
            staff,
            request_id,
            errors={"_form": translate(request, "admin.action.error.generic")},
            status_code=400,
        )

    def again(errors: dict[str, str], status_code: int) -> Response:
        return detail_page(
            request,
            staff,
            request_id,
            errors=errors,
            submitted_action=action,
            submitted=submitted,
            status_code=status_code,
        )

    ground = submitted.get("refusal_ground")
    if ground is not None and ground not in {g.value for g in RefusalGround}:
        return again(dict([_error_message(request, "refusal_ground", {})]), 422)
    try:
        action_in = ActionIn.model_validate({"action": StaffAction(action), **submitted})
    except InputError as exc:
        return again(dict([_error_message(request, exc.field, submitted)]), 422)
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0]) if exc.errors() else None
        return again(dict([_error_message(request, field, submitted)]), 422)
    context = web_context(request)
    state = context.state
    reference = action_in.incident_reference
    # a reference with the ground it goes with must name an incident of the register (a
    # reference with another ground is refused by the workflow as not fitting)
    if (
        action_in.action is StaffAction.SET_STOP_GROUND
        and reference is not None
        and action_in.stop_ground in (None, StopGround.REPORTABLE_BREACH)
    ):
        with state.read() as session:
            known = incident_id_for(session=session, reference=reference) is not None
        if not known:
            unknown = translate(request, "admin.action.error.unknown_incident")
            return again({"incident_reference": unknown}, 422)
    try:
        with state.unit_of_work() as session:
            if action_in.action is StaffAction.APPROVE:
                action_in = _with_statement(
                    action_in,
                    erasure_statement(
                        session=session, cipher=state.cipher(), request_id=request_id
                    ),
                )
            act(
                session=session,
                cipher=state.cipher(),
                settings=state.settings,
                policy=state.policy,
                facts=state.facts,
                request_id=request_id,
                action=action_in,
                actor=actor_of(staff),
                now=context.site.now(),
                scope=subject_scope(staff.user.role, state.facts),
            )
            notify_status_change(session=session, settings=state.settings, request_id=request_id)
    except (InputError, ValidationError) as exc:
        field = exc.field if isinstance(exc, InputError) else "explanation"
        mismatch = isinstance(exc, GroundMismatchError)
        return again(dict([_error_message(request, field, submitted, mismatch=mismatch)]), 422)
    except NotFoundError:
        if "subject_id" not in submitted:
            raise
        return again(
            {"subject_id": translate(request, "admin.action.error.subject_not_found")}, 422
        )
    except ConflictError:
        return again({"_form": translate(request, "admin.action.error.conflict")}, 409)
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return RedirectResponse(f"{root}/requests/{request_id}?done={action}", status_code=303)
