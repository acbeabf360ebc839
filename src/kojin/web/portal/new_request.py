"""The request form: ``GET /portal/requests/new/{kind}`` and ``POST /portal/requests``.

Cessation of use, erasure and cessation of provision ask, optionally, for the ground of Art. 35
the request rests on (each explained in a sentence) and for the reference of the incident a
notice told the person about (R-RT-6, R-BR-8). The link an individual notice carries,
``GET /portal/requests/new?incident=INC-2026-0001`` (with ``&kind=erasure`` for one kind),
opens the form with the reference filled in and the reportable-breach ground chosen; without a
kind it first asks which of the three the person wants.

The form states what will happen, asks who the person is and what they ask, and takes the
identity document (and an agent's authority document) for the six rights requests. Its hidden
``submission_key`` (``secrets.token_urlsafe``) makes a second post of the same form return the
first request. A refused post shows the form again with every typed value (escaped, like every
value on every page) except the files, a message on each wrong field and a summary on top. A
good post is sent on (303) to the code page, the reference carried in a sealed cookie
(:mod:`kojin.web.portal.reference_cookie`), never in an address.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.api.state import AppState
from kojin.errors import ConflictError, InputError
from kojin.incidents.service import open_for_requests
from kojin.law.breach_vocabulary import StopGround
from kojin.ratelimit import LimitRule
from kojin.requests.grounds import normalise_incident_reference
from kojin.requests.schemas import RequestForm, SubmitResult, UploadIn
from kojin.requests.service import submit_request
from kojin.web.context import web_context
from kojin.web.portal.common import (
    ALL_KINDS,
    DETAILS_REQUIRED,
    METHOD_KINDS,
    RIGHTS_KINDS,
    STOP_KINDS,
    SUIT_KINDS,
    FormNotReadable,
    app_state,
    blocking,
    category_options,
    fee_shown,
    known_kind,
    lang_of,
    root,
    stop_grounds,
    target_days,
    text_value,
)
from kojin.web.portal.field_errors import (
    FORM,
    IncidentNotOpenError,
    message_for,
    ordered,
    required,
    size_text,
    upload_refused,
)
from kojin.web.portal.reference_cookie import remember
from kojin.web.portal.uploads import Posted, posted_file, refusal
from kojin.web.rate_limits import client_address, enforce
from kojin.web.templating import render, translate

if TYPE_CHECKING:
    from datetime import datetime

router = APIRouter()

#: the form's text fields (the choices included), as posted
TEXT_FIELDS: Final[tuple[str, ...]] = (
    "category",
    "name",
    "furigana",
    "email",
    "phone",
    "postal_code",
    "address",
    "details",
    "stop_ground",
    "incident_reference",
    "disclosure_method",
    "agent_relation",
    "agent_name",
    "submission_key",
)
#: the upload fields and the purpose of the document each takes
DOCUMENT_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("identity_document", "identity"),
    ("authority_document", "authority"),
)


def new_values() -> dict[str, Any]:
    """A blank form: the third-party records asked for, not an agent, a fresh key."""
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values.update(
        include_third_party_records=True,
        is_agent="no",
        submission_key=secrets.token_urlsafe(24),
    )
    return values


def incident_in(request: Request, value: str | None) -> str | None:
    """The incident reference an address carries, normalised, when the register holds a
    reportable incident under it that gives people the Art. 35(5) ground; else None."""
    try:
        reference = normalise_incident_reference(value)
    except InputError:
        return None
    if reference is None:
        return None
    with app_state(request).read() as session:
        return reference if open_for_requests(session=session, reference=reference) else None


def prefilled(request: Request, kind: str, incident: str | None) -> dict[str, Any]:
    """A blank form; for a stop request, the incident of the address (when it is one the
    register opens to requests) filled in with the reportable-breach ground chosen."""
    values = new_values()
    reference = incident_in(request, incident)
    if kind in STOP_KINDS and reference is not None:
        values.update(incident_reference=reference, stop_ground=StopGround.REPORTABLE_BREACH.value)
    return values


def ground_options(request: Request, kind: str) -> list[tuple[str, str, str]]:
    """The choices of the ground (value, label, explanation): "not sure" first, then the
    grounds of Art. 35 a request of `kind` may rest on, in the article's order."""
    return [("", translate(request, "portal.ground.unsure"), "")] + [
        (
            ground,
            translate(request, f"portal.ground.{ground}.label"),
            translate(request, f"portal.ground.{ground}.description"),
        )
        for ground in stop_grounds(kind)
    ]


def form_page(
    request: Request,
    kind: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    *,
    files_again: bool = False,
    status_code: int = 200,
    switch_query: str = "",
) -> Response:
    state = app_state(request)
    policy = state.policy
    lang = lang_of(request)
    return render(
        request,
        "portal/form.html",
        {
            "nav_current": "",
            "kind": kind,
            "rights": kind in RIGHTS_KINDS,
            "method": kind in METHOD_KINDS,
            "suit": kind in SUIT_KINDS,
            "details_required": kind in DETAILS_REQUIRED,
            "stop": kind in STOP_KINDS,
            "ground_options": ground_options(request, kind) if kind in STOP_KINDS else [],
            "fee": fee_shown(kind, policy),
            "target_days": target_days(policy),
            "holding_days": policy.general.inquiries.handling.document_holding_days,
            "retention_days": policy.general.inquiries.handling.inquiry_retention_days,
            "categories": category_options(policy, lang),
            "values": values,
            "errors": ordered(errors or {}),
            "files_again": files_again,
            "max_size": size_text(state.settings.max_upload_bytes),
            "furigana_required": lang == "ja",
            "switch_path": f"{root(request)}/requests/new/{kind}",
            "switch_query": switch_query,
        },
        status_code=status_code,
    )


@router.get("/requests/new/{kind}")
def new_request(request: Request, kind: str, incident: str | None = None) -> Response:
    kind = known_kind(kind)
    values = prefilled(request, kind, incident)
    reference = values["incident_reference"]
    return form_page(
        request, kind, values, switch_query=f"incident={reference}" if reference else ""
    )


@router.get("/requests/new")
def new_request_for_incident(
    request: Request, incident: str | None = None, kind: str | None = None
) -> Response:
    """The link of an individual notice: the form of `kind` with the incident filled in, or,
    without a kind, the choice of the three stop requests; without a reference, the home page."""
    if kind in ALL_KINDS:
        return new_request(request, str(kind), incident)
    reference = incident_in(request, incident)
    if reference is None:
        return RedirectResponse(f"{root(request)}/", status_code=303)
    return render(
        request,
        "portal/incident_choice.html",
        {
            "nav_current": "",
            "reference": reference,
            "kinds": STOP_KINDS,
            "switch_path": f"{root(request)}/requests/new",
            "switch_query": f"incident={reference}",
        },
    )


def posted_values(form: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {name: text_value(form, name) for name in TEXT_FIELDS}
    values["include_third_party_records"] = bool(text_value(form, "include_third_party_records"))
    values["is_agent"] = "yes" if text_value(form, "is_agent") == "yes" else "no"
    return values


def missing(request: Request, kind: str, values: Mapping[str, Any]) -> dict[str, str]:
    """A message for every required field left empty (all at once)."""
    needed = ["name", "email"]
    if lang_of(request) == "ja":
        needed.append("furigana")
    if kind in DETAILS_REQUIRED:
        needed.append("details")
    if kind in METHOD_KINDS:
        needed.append("disclosure_method")
    if kind in RIGHTS_KINDS and values["is_agent"] == "yes":
        needed += ["agent_relation", "agent_name"]
    return {name: required(request, name) for name in needed if not values[name].strip()}


def form_data(request: Request, kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """What :meth:`RequestForm.parse` reads; fields the kind does not ask for are left out."""
    agent = kind in RIGHTS_KINDS and values["is_agent"] == "yes"
    return {
        "kind": kind,
        "lang": lang_of(request),
        "category": values["category"] or None,
        "name": values["name"],
        "furigana": values["furigana"] or None,
        "email": values["email"],
        "phone": values["phone"] or None,
        "postal_code": values["postal_code"] or None,
        "address": values["address"] or None,
        "details": values["details"],
        "stop_ground": (values["stop_ground"] or None) if kind in STOP_KINDS else None,
        "incident_reference": (values["incident_reference"] or None)
        if kind in STOP_KINDS
        else None,
        "disclosure_method": (values["disclosure_method"] or None)
        if kind in METHOD_KINDS
        else None,
        "include_third_party_records": kind == "disclosure"
        and bool(values["include_third_party_records"]),
        "is_agent": agent,
        "agent_name": (values["agent_name"] or None) if agent else None,
        "agent_relation": (values["agent_relation"] or None) if agent else None,
        "submission_key": values["submission_key"],
    }


def _submit(
    state: AppState, form: RequestForm, uploads: list[UploadIn], now: datetime
) -> SubmitResult:
    with state.unit_of_work() as session:
        reference = form.incident_reference
        if reference is not None and not open_for_requests(session=session, reference=reference):
            raise IncidentNotOpenError
        return submit_request(
            session=session,
            cipher=state.cipher(),
            settings=state.settings,
            policy=state.policy,
            form=form,
            uploads=uploads,
            now=now,
        )


@router.post("/requests")
async def submit(request: Request) -> Response:
    form = await request.form()
    kind = text_value(form, "kind")
    if kind not in ALL_KINDS:
        raise FormNotReadable
    enforce(request, LimitRule.SUBMIT_ADDRESS, client_address(request))
    state = app_state(request)
    max_bytes = state.settings.max_upload_bytes
    values = posted_values(form)
    errors = missing(request, kind, values)

    chosen: list[tuple[str, Posted]] = []
    any_file = False
    for field, purpose in DOCUMENT_FIELDS:
        wanted = kind in RIGHTS_KINDS and (purpose == "identity" or values["is_agent"] == "yes")
        posted = await posted_file(form, field, max_bytes)
        any_file = any_file or (posted is not None and wanted)
        if not wanted:
            continue
        if posted is None:
            errors[field] = required(request, field)
            continue
        reason = await blocking(refusal, posted, max_bytes)
        if reason is not None:
            errors[field] = upload_refused(request, reason, max_bytes)
        else:
            chosen.append((purpose, posted))

    def again(found: Mapping[str, str], status_code: int = 422) -> Response:
        return form_page(
            request, kind, values, found, files_again=any_file, status_code=status_code
        )

    if errors:
        return again(errors)
    try:
        request_form = RequestForm.parse(form_data(request, kind, values))
    except InputError as error:
        if error.field == "submission_key":  # not a key kojin wrote: a new one to send again
            values["submission_key"] = secrets.token_urlsafe(24)
        field, message = message_for(request, error, max_bytes=max_bytes)
        return again({field: message})
    # every submission mails a code: the address is limited like a request for a new code
    enforce(request, LimitRule.CODE_REQUEST_EMAIL, request_form.email)
    uploads = [posted.upload_in(purpose) for purpose, posted in chosen]
    try:
        result = await blocking(
            _submit, state, request_form, uploads, web_context(request).site.now()
        )
    except ConflictError:
        values["submission_key"] = secrets.token_urlsafe(24)
        return again({FORM: translate(request, "portal.error.already_submitted")}, 409)
    except InputError as error:
        field, message = message_for(request, error, max_bytes=max_bytes)
        return again({field: message})
    response = RedirectResponse(f"{root(request)}/requests/verify", status_code=303)
    remember(request, response, result.reference)
    return response
