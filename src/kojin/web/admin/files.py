"""Files of a request for staff: its documents (shown inline, never cached), the disclosure
package and the refusal notice.

Each opening is recorded by the service (``request.document_viewed``,
``request.package_downloaded``); kojin's access log names only the route, so no file name or id
of a document reaches a log line. The package holds the person's rows in the company's own
stores once the request's access job is done (:func:`kojin.fulfilment.service.access_result`).
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from kojin.api.roles import subject_scope
from kojin.auth.web_sessions import StaffSession
from kojin.errors import NotFoundError
from kojin.fulfilment.service import access_result
from kojin.requests.service import read_document, staff_package
from kojin.requests.service import refusal_notice as notice_of
from kojin.web.admin import roles
from kojin.web.context import web_context
from kojin.web.staff_auth import actor_of, require_roles

router = APIRouter()

#: what a document may be (the service checked the bytes at upload) and its file extension
DOCUMENT_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
#: a refusal notice in HTML carries its own styles; it runs no script and loads nothing
NOTICE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
FILE_CSP = "default-src 'none'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"


def content_disposition(kind: Literal["inline", "attachment"], filename: str) -> str:
    """A Content-Disposition naming `filename` (ASCII fallback and the UTF-8 name)."""
    ascii_name = "".join(
        c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in filename
    )
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _file(
    content: bytes,
    media_type: str,
    filename: str,
    kind: Literal["inline", "attachment"],
    csp: str = FILE_CSP,
) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "content-disposition": content_disposition(kind, filename),
            "cache-control": "no-store",
            "content-security-policy": csp,
            "x-content-type-options": "nosniff",
        },
    )


@router.get("/requests/{request_id}/documents/{document_id}")
def document(
    request: Request,
    request_id: str,
    document_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.DOCUMENTS_READ))],
) -> Response:
    state = web_context(request).state
    with state.unit_of_work() as session:
        media_type, data = read_document(
            session=session,
            cipher=state.cipher(),
            request_id=request_id,
            document_id=document_id,
            actor=actor_of(staff),
        )
    extension = DOCUMENT_TYPES.get(media_type)
    if extension is None:  # never stored; refuse rather than send an unknown type inline
        raise NotFoundError("document not found")
    return _file(data, media_type, f"document.{extension}", "inline")


@router.get("/requests/{request_id}/package")
def package(
    request: Request,
    request_id: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.DOCUMENTS_READ))],
) -> Response:
    state = web_context(request).state
    with state.unit_of_work() as session:
        found = access_result(session=session, cipher=state.cipher(), request_id=request_id)
        built = staff_package(
            session=session,
            cipher=state.cipher(),
            policy=state.policy,
            request_id=request_id,
            actor=actor_of(staff),
            scope=subject_scope(staff.user.role, state.facts),
            stores=found.stores if found is not None else (),
            stores_searched=found is not None,
        )
    return _file(built.content, built.media_type, built.filename, "attachment")


@router.get("/requests/{request_id}/refusal-notice.{fmt}")
def refusal_notice(
    request: Request,
    request_id: str,
    fmt: str,
    staff: Annotated[StaffSession, Depends(require_roles(roles.REQUESTS_READ))],
) -> Response:
    if fmt not in ("html", "pdf"):
        raise NotFoundError("no such format")
    chosen: Literal["html", "pdf"] = "html" if fmt == "html" else "pdf"
    state = web_context(request).state
    with state.read() as session:
        built = notice_of(
            session=session,
            cipher=state.cipher(),
            policy=state.policy,
            request_id=request_id,
            fmt=chosen,
        )
    return _file(built.content, built.media_type, built.filename, "inline", csp=NOTICE_CSP)
