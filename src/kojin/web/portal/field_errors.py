"""The services' refusals as messages tied to the fields of a page, in the page's language.

A service raises :class:`~kojin.errors.InputError` naming the field (never the value), or
:class:`~kojin.requests.documents.UploadRefused` with a `reason`; the pages show fixed words
from the catalogue (``portal.error.*``) for that field, so nothing the person typed or the
name of a file they chose is ever repeated in a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from starlette.requests import Request

from kojin.errors import InputError
from kojin.requests.documents import UploadRefused
from kojin.requests.grounds import GroundMismatchError
from kojin.web.templating import translate

#: the fields of the request form, in the order they appear (the error summary follows it)
FORM_FIELDS: Final[tuple[str, ...]] = (
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
    "include_third_party_records",
    "is_agent",
    "agent_relation",
    "agent_name",
    "identity_document",
    "authority_document",
)
#: fields of the code, status and upload forms
OTHER_FIELDS: Final[tuple[str, ...]] = ("reference", "code", "email", "purpose", "document")
#: fields with a message of their own when their value is wrong
_INVALID: Final[frozenset[str]] = frozenset(FORM_FIELDS) | frozenset(OTHER_FIELDS)
#: the key of a message about the whole form (the summary shows it without a link)
FORM: Final = "_form"


def size_text(limit: int) -> str:
    """A size limit as people read it: ``10 MB``, ``512 KB``."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{max(1, limit // 1024)} KB"


def required(request: Request, field: str) -> str:
    return translate(request, f"portal.error.required.{field}")


def upload_refused(request: Request, reason: str, max_bytes: int) -> str:
    key = f"portal.error.upload.{reason}"
    if reason == "too_large":
        return translate(request, key, size=size_text(max_bytes))
    return translate(request, key)


class IncidentNotOpenError(InputError):
    """The reference names no incident of the register that gives people the Art. 35(5)
    ground (none under it, or one that is not reportable)."""

    def __init__(self) -> None:
        super().__init__("no reportable incident has this reference", field="incident_reference")


def message_for(
    request: Request, error: InputError, *, max_bytes: int, document_field: str = "document"
) -> tuple[str, str]:
    """(field, message) for a refusal of the service; `document_field` is the page's name for
    the upload the refusal is about."""
    if isinstance(error, UploadRefused):
        return document_field, upload_refused(request, error.reason, max_bytes)
    field = error.field or ""
    if field == "document":
        field = document_field
    if field == "submission_key":
        return FORM, translate(request, "portal.error.expired")
    if isinstance(error, IncidentNotOpenError):
        return field, translate(request, "portal.error.unknown_incident")
    if isinstance(error, GroundMismatchError) and field in _INVALID:
        return field, translate(request, f"portal.error.mismatch.{field}")
    if field in _INVALID:
        return field, translate(request, f"portal.error.invalid.{field}")
    return FORM, translate(request, "portal.error.invalid.form")


def ordered(errors: Mapping[str, str], order: Iterable[str] = FORM_FIELDS) -> dict[str, str]:
    """`errors` with the form-wide message first, then in the order of the fields."""
    rank = {name: index for index, name in enumerate(order)}
    return dict(
        sorted(errors.items(), key=lambda item: -1 if item[0] == FORM else rank.get(item[0], 999))
    )
