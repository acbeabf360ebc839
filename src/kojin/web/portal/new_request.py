"""The request form: ``GET /portal/requests/new/{kind}`` and ``POST /portal/requests``.

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
from kojin.ratelimit import LimitRule
from kojin.requests.schemas import RequestForm, SubmitResult, UploadIn
from kojin.requests.service import submit_request
from kojin.web.context import web_context
from kojin.web.portal.common import (
    ALL_KINDS,
    DETAILS_REQUIRED,
    METHOD_KINDS,
    RIGHTS_KINDS,
    SUIT_KINDS,
    FormNotReadable,
    app_state,
    blocking,
    category_options,
    fee_shown,
    known_kind,
    lang_of,
    root,
    target_days,
    text_value,
)
from kojin.web.portal.field_errors import (
    FORM,
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


def form_page(
    request: Request,
    kind: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    *,
    files_again: bool = False,
    status_code: int = 200,
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
            "switch_query": "",
        },
        status_code=status_code,
    )


@router.get("/requests/new/{kind}")
def new_request(request: Request, kind: str) -> Response:
    return form_page(request, known_kind(kind), new_values())


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
