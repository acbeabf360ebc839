"""The status page: ``GET /portal/status`` (the reference and e-mail form) and the posts that
open a request with them: ``/portal/status`` (where it stands), ``/portal/status/package`` (the
disclosure package), ``/portal/status/notice`` (the refusal notice) and
``/portal/status/documents`` (another document).

The package holds the person's rows in the company's own stores once the request's access job
is done (:func:`kojin.fulfilment.service.access_result`).

The reference and the e-mail address travel only in form bodies, never in an address; every
answer is ``Cache-Control: no-store`` (the site's default for pages). A wrong reference and a
wrong e-mail address get the same answer. Every post counts against the client address's
allowance of status look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Final, Literal

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import Response

from kojin.api.state import AppState
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.fulfilment.service import access_result
from kojin.ratelimit import LimitRule
from kojin.requests.records import for_requester
from kojin.requests.schemas import Package, RequestStatus, UploadIn
from kojin.requests.service import (
    add_documents,
    request_status,
    requester_package,
    requester_refusal_notice,
)
from kojin.web.context import web_context
from kojin.web.portal.common import app_state, blocking, lang_of, root, text_value
from kojin.web.portal.field_errors import (
    OTHER_FIELDS,
    message_for,
    ordered,
    required,
    size_text,
    upload_refused,
)
from kojin.web.portal.status_view import status_shown
from kojin.web.portal.uploads import posted_file, refusal
from kojin.web.portal.verify import MAX_EMAIL, MAX_REFERENCE
from kojin.web.rate_limits import client_address, enforce
from kojin.web.templating import render, translate

if TYPE_CHECKING:
    from datetime import datetime

router = APIRouter()

PURPOSES: Final[tuple[str, ...]] = ("identity", "authority")


def lookup_page(
    request: Request,
    *,
    reference: str = "",
    email: str = "",
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "portal/status_lookup.html",
        {
            "nav_current": "status",
            "reference": reference,
            "email": email,
            "errors": ordered(errors or {}, OTHER_FIELDS),
            "switch_path": f"{root(request)}/status",
            "switch_query": "",
        },
        status_code=status_code,
    )


def not_found(request: Request, reference: str, email: str) -> Response:
    message = {"_form": translate(request, "portal.error.not_found")}
    return lookup_page(request, reference=reference, email=email, errors=message, status_code=404)


def status_page(
    request: Request,
    status: RequestStatus,
    *,
    reference: str,
    email: str,
    notice: str | None = None,
    upload_errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    state = app_state(request)
    return render(
        request,
        "portal/status.html",
        {
            "nav_current": "status",
            "status": status_shown(status, state.policy, lang_of(request)),
            "reference": reference,
            "email": email,
            "notice": notice,
            "upload_errors": ordered(upload_errors or {}, OTHER_FIELDS),
            "purposes": PURPOSES,
            "max_size": size_text(state.settings.max_upload_bytes),
            "switch_path": f"{root(request)}/status",
            "switch_query": "",
        },
        status_code=status_code,
    )


def _status(state: AppState, reference: str, email: str) -> RequestStatus | None:
    try:
        with state.read() as session:
            return request_status(
                session=session,
                cipher=state.cipher(),
                policy=state.policy,
                reference=reference,
                email=email,
            )
    except NotFoundError:
        return None


def _typed(request: Request, reference: str, email: str) -> tuple[str, str, dict[str, str]]:
    """The reference and e-mail address as posted (trimmed, bounded), and what is missing."""
    enforce(request, LimitRule.STATUS_ADDRESS, client_address(request))
    reference = reference.strip()[:MAX_REFERENCE]
    email = email.strip()[:MAX_EMAIL]
    errors = {
        name: required(request, name)
        for name, value in (("reference", reference), ("email", email))
        if not value
    }
    return reference, email, errors


@router.get("/status")
def status_form(request: Request) -> Response:
    return lookup_page(request)


@router.post("/status")
async def status(
    request: Request,
    reference: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
) -> Response:
    reference, email, errors = _typed(request, reference, email)
    if errors:
        return lookup_page(
            request, reference=reference, email=email, errors=errors, status_code=422
        )
    found = await blocking(_status, app_state(request), reference, email)
    if found is None:
        return not_found(request, reference, email)
    return status_page(request, found, reference=reference, email=email)


def _download(response_of: Package) -> Response:
    return Response(
        content=response_of.content,
        media_type=response_of.media_type,
        headers={"content-disposition": f'attachment; filename="{response_of.filename}"'},
    )


def _package(
    state: AppState, reference: str, email: str, what: Literal["package", "html", "pdf"]
) -> Package:
    with state.unit_of_work() as session:  # every download is chained
        if what == "package":
            row = for_requester(session, state.cipher(), reference=reference, email=email)
            found = access_result(session=session, cipher=state.cipher(), request_id=row.id)
            return requester_package(
                session=session,
                cipher=state.cipher(),
                policy=state.policy,
                reference=reference,
                email=email,
                stores=found.stores if found is not None else (),
                stores_searched=found is not None,
            )
        return requester_refusal_notice(
            session=session,
            cipher=state.cipher(),
            policy=state.policy,
            reference=reference,
            email=email,
            fmt=what,
        )


async def _deliver(
    request: Request, reference: str, email: str, what: Literal["package", "html", "pdf"]
) -> Response:
    reference, email, errors = _typed(request, reference, email)
    if errors:
        return lookup_page(
            request, reference=reference, email=email, errors=errors, status_code=422
        )
    state = app_state(request)
    try:
        return _download(await blocking(_package, state, reference, email, what))
    except NotFoundError:
        return not_found(request, reference, email)
    except ConflictError:
        found = await blocking(_status, state, reference, email)
        if found is None:
            return not_found(request, reference, email)
        unavailable = translate(request, "portal.status.unavailable")
        return status_page(
            request, found, reference=reference, email=email, notice=unavailable, status_code=409
        )


@router.post("/status/package")
async def package(
    request: Request,
    reference: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
) -> Response:
    return await _deliver(request, reference, email, "package")


@router.post("/status/notice")
async def notice(
    request: Request,
    reference: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    fmt: Annotated[str, Form(alias="format")] = "pdf",
) -> Response:
    return await _deliver(request, reference, email, "html" if fmt == "html" else "pdf")


def _add(
    state: AppState, reference: str, email: str, upload: UploadIn, now: datetime
) -> RequestStatus:
    with state.unit_of_work() as session:
        return add_documents(
            session=session,
            cipher=state.cipher(),
            settings=state.settings,
            reference=reference,
            email=email,
            uploads=[upload],
            now=now,
        )


@router.post("/status/documents")
async def documents(request: Request) -> Response:
    form = await request.form()
    reference, email, errors = _typed(
        request, text_value(form, "reference"), text_value(form, "email")
    )
    if errors:
        return lookup_page(
            request, reference=reference, email=email, errors=errors, status_code=422
        )
    state = app_state(request)
    found = await blocking(_status, state, reference, email)
    if found is None:
        return not_found(request, reference, email)
    max_bytes = state.settings.max_upload_bytes
    purpose = text_value(form, "purpose")
    upload_errors: dict[str, str] = {}
    if purpose not in PURPOSES:
        upload_errors["purpose"] = required(request, "purpose")
    posted = await posted_file(form, "document", max_bytes)
    if posted is None:
        upload_errors["document"] = required(request, "document")
    else:
        reason = await blocking(refusal, posted, max_bytes)
        if reason is not None:
            upload_errors["document"] = upload_refused(request, reason, max_bytes)
    if upload_errors or posted is None:
        return status_page(
            request,
            found,
            reference=reference,
            email=email,
            upload_errors=upload_errors,
            status_code=422,
        )
    try:
        now = web_context(request).site.now()
        updated = await blocking(_add, state, reference, email, posted.upload_in(purpose), now)
    except NotFoundError:
        return not_found(request, reference, email)
    except ConflictError:
        closed = translate(request, "portal.status.uploads_closed")
        return status_page(
            request, found, reference=reference, email=email, notice=closed, status_code=409
        )
    except InputError as error:
        field, message = message_for(request, error, max_bytes=max_bytes)
        return status_page(
            request,
            found,
            reference=reference,
            email=email,
            upload_errors={field: message},
            status_code=422,
        )
    received = translate(request, "portal.status.document_received")
    return status_page(request, updated, reference=reference, email=email, notice=received)
