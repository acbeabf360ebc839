"""Registering an individual number (``/admin/mynumber/records/new``): for a person in charge,
for the affairs of their designation.

The form names the person (a registry subject of a specific-personal category, found by e-mail
or customer number through the blind index, or entered by ID), the affairs, the number, how the
identity was verified and with which documents (My Number Act Art. 16, R-MN-4), that the
purpose was stated, and optionally an image of the identity document. The vault checks it all
again and records one ``acquire`` decision per affair. After an error the form comes back with
what was typed, except the number: its field is always empty, and its error names the field,
never the value.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import SecretStr, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kojin.api.roles import subject_scope
from kojin.auth.web_sessions import StaffSession
from kojin.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kojin.law.mynumber_vocabulary import IdentityDocument, VerificationRoute
from kojin.mynumber.handlers import HandlerScope
from kojin.mynumber.schemas import RegistrationIn
from kojin.mynumber.service import add_document, register_number
from kojin.mynumber.vault import DecisionRefusedError
from kojin.registry.subjects.schemas import SubjectOut
from kojin.registry.subjects.service import find_subject
from kojin.web.admin import roles
from kojin.web.admin.mynumber_pages import (
    affair_options,
    form_list,
    form_text,
    mynumber_page,
    root_of,
    scope_of,
    vault_of,
)
from kojin.web.context import web_context
from kojin.web.i18n import tokyo_today
from kojin.web.staff_auth import actor_of, require_roles
from kojin.web.templating import translate

router = APIRouter()

#: the text fields written back into the form after an error (never the number)
_KEPT = ("subject_id", "route", "acquired_on", "purpose_stated", "image_document")
#: image types an identity document may be, by their first bytes
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
#: the fields a service's InputError may name, and the message of each
_FIELDS = {
    "subject_id": "subject_id",
    "affairs": "affairs",
    "number": "number",
    "route": "route",
    "document_types": "documents",
    "purpose_stated": "purpose_stated",
    "acquired_on": "acquired_on",
    "content": "image",
}

Handler = Annotated[StaffSession, Depends(require_roles(roles.MYNUMBER_HANDLE))]


def new_page(
    request: Request,
    staff: StaffSession,
    *,
    scope: HandlerScope | None,
    errors: dict[str, str] | None = None,
    submitted: dict[str, Any] | None = None,
    find_errors: dict[str, str] | None = None,
    find_submitted: dict[str, str] | None = None,
    matches: list[SubjectOut] | None = None,
    status_code: int = 200,
) -> Response:
    """The registration form: what was typed (`submitted`, never a number) and its errors."""
    values = dict(submitted or {})
    return mynumber_page(
        request,
        staff,
        "admin/mynumber_new.html",
        "new",
        {
            "designated": scope is not None,
            "scope": scope,
            "errors": errors or {},
            "submitted": {k: v for k, v in values.items() if k in _KEPT},
            "submitted_affairs": values.get("affairs", []),
            "submitted_documents": values.get("documents", []),
            "find_errors": find_errors or {},
            "find_submitted": find_submitted or {},
            "matches": matches,
            "affair_options": affair_options(request, scope.affairs if scope else frozenset()),
            "route_options": [
                (route.value, translate(request, f"mynumber.route.{route.value}"))
                for route in VerificationRoute
            ],
            "document_options": [
                (kind.value, translate(request, f"mynumber.document.{kind.value}"))
                for kind in IdentityDocument
            ],
            "keeps_images": _keeps_images(request),
            "switch_path": f"{root_of(request)}/mynumber/records/new",
            "switch_query": "",
        },
        status_code=status_code,
    )


@router.get("/mynumber/records/new")
def new_form(request: Request, staff: Handler) -> Response:
    return new_page(request, staff, scope=scope_of(request, staff))


@router.post("/mynumber/records/new/find")
async def find_person(request: Request, staff: Handler) -> Response:
    form = await request.form()
    wanted = {
        "email": form_text(form, "email"),
        "customer_number": form_text(form, "customer_number"),
    }
    return await run_in_threadpool(_find, request, staff, wanted)


def _find(request: Request, staff: StaffSession, wanted: dict[str, str]) -> Response:
    scope = scope_of(request, staff)
    if scope is None:  # not designated: the page says so, and nobody is looked up
        return new_page(request, staff, scope=None, status_code=403)
    if not wanted["email"] and not wanted["customer_number"]:
        message = translate(request, "mynumber.new.find.error")
        return new_page(
            request, staff, scope=scope, find_errors={"email": message}, status_code=422
        )
    state = web_context(request).state
    with state.read() as session:
        matches = find_subject(
            session=session,
            cipher=state.cipher(),
            email=wanted["email"] or None,
            customer_number=wanted["customer_number"] or None,
            scope=subject_scope(staff.user.role, state.facts),
        )
    if scope.subject_ids is not None:
        matches = [m for m in matches if m.id in scope.subject_ids]
    first = {"subject_id": matches[0].id} if matches else {}
    return new_page(
        request, staff, scope=scope, find_submitted=wanted, matches=matches, submitted=first
    )


@router.post("/mynumber/records")
async def register(request: Request, staff: Handler) -> Response:
    form = await request.form()
    submitted: dict[str, Any] = {name: form_text(form, name) for name in _KEPT}
    submitted["affairs"] = form_list(form, "affairs")
    submitted["documents"] = form_list(form, "documents")
    number = form_text(form, "number")
    upload = form.get("image")
    image = await upload.read() if isinstance(upload, UploadFile) else b""
    return await run_in_threadpool(_register, request, staff, submitted, number, image)


def _problems(
    request: Request, submitted: dict[str, Any], number: str, image: bytes
) -> dict[str, str]:
    """The form's own errors, before the vault is asked (field -> message)."""
    missing: dict[str, str] = {}
    if not submitted["subject_id"]:
        missing["subject_id"] = "subject_id"
    if not submitted["affairs"]:
        missing["affairs"] = "affairs"
    if not number:
        missing["number"] = "number"
    if submitted["route"] not in {route.value for route in VerificationRoute}:
        missing["route"] = "route"
    if not set(submitted["documents"]) <= {kind.value for kind in IdentityDocument}:
        missing["documents"] = "documents"
    if submitted["acquired_on"]:
        try:
            date.fromisoformat(submitted["acquired_on"])
        except ValueError:
            missing["acquired_on"] = "acquired_on"
    if submitted["purpose_stated"] != "1":
        missing["purpose_stated"] = "purpose_stated"
    if image and _image_type(image) is None:
        missing["image"] = "image"
    if image and submitted["image_document"] not in {kind.value for kind in IdentityDocument}:
        missing["image_document"] = "image_document"
    return {
        field: translate(request, f"mynumber.new.error.{key}") for field, key in missing.items()
    }


def _keeps_images(request: Request) -> bool:
    """Whether identity-document images are kept at all (a holding period of 0 days: no)."""
    return web_context(request).state.settings.mynumber_document_holding_days > 0


def _image_type(data: bytes) -> str | None:
    return next((kind for magic, kind in _IMAGE_TYPES.items() if data.startswith(magic)), None)


def _register(
    request: Request,
    staff: StaffSession,
    submitted: dict[str, Any],
    number: str,
    image: bytes,
) -> Response:
    scope = scope_of(request, staff)
    now = web_context(request).site.now

    def again(errors: dict[str, str], status_code: int) -> Response:
        return new_page(
            request, staff, scope=scope, errors=errors, submitted=submitted, status_code=status_code
        )

    def error(field: str, key: str) -> dict[str, str]:
        return {field: translate(request, f"mynumber.new.error.{key}")}

    problems = _problems(request, submitted, number, image)
    if problems:
        return again(problems, 422)
    vault = vault_of(request)
    acquired = submitted["acquired_on"]
    try:
        body = RegistrationIn(
            subject_id=submitted["subject_id"],
            number=SecretStr(number),
            affairs=submitted["affairs"],
            route=VerificationRoute(submitted["route"]),
            document_types=[IdentityDocument(kind) for kind in submitted["documents"]],
            purpose_stated=True,
            acquired_on=date.fromisoformat(acquired) if acquired else tokyo_today(now()),
        )
        with vault.transaction() as sessions:
            registered = register_number(
                vault=vault, sessions=sessions, actor=actor_of(staff), body=body, now=now()
            ).record
            if image and _keeps_images(request):
                add_document(
                    vault=vault,
                    sessions=sessions,
                    actor=actor_of(staff),
                    record_id=registered.id,
                    document_type=IdentityDocument(submitted["image_document"]),
                    content_type=_image_type(image) or "",
                    content=image,
                    scope=scope,
                    now=now(),
                )
    except InputError as exc:
        field = _FIELDS.get(exc.field or "")
        return again(error(field or "_form", field or "generic"), 422)
    except ValidationError as exc:  # the schema's own checks: the field, never the value
        names = [str(e["loc"][0]) for e in exc.errors() if e["loc"]]
        field = next((_FIELDS[n] for n in names if n in _FIELDS), None)
        return again(error(field or "_form", field or "generic"), 422)
    except DecisionRefusedError:
        return again(error("_form", "refused"), 403)
    except PermissionDeniedError:
        return again(error("affairs", "scope"), 403)
    except NotFoundError:
        return again(error("subject_id", "subject_not_found"), 422)
    except ConflictError:
        return again(error("subject_id", "conflict"), 409)
    return RedirectResponse(
        f"{root_of(request)}/mynumber/records/{registered.id}?done=registered", status_code=303
    )
