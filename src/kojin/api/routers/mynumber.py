"""``/api/v1/mynumber``: the My Number vault (MNA Arts. 9, 12, 16, 19; R-MN-1..9).

Only a ``mynumber_handler`` token that holds a designation (``/handlers``; the designee is named
``token:<id>``) registers, reveals and provides numbers, for an affair and a person within the
designation. The privacy office and auditors list records masked; nobody else sees them. A
record outside a handler's designation is "record not found", as an unknown one.

A reveal answers only after its decision and audit entry are committed; its response is the
one API answer that carries a number, marked ``Kojin-Contains-My-Number: authorized`` and
``Cache-Control: no-store``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request, Response

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import AppState, app_state
from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import InputError
from kojin.mynumber.handlers import NOBODY, HandlerScope, handler_scope, require_scope
from kojin.mynumber.records import MAX_LIMIT
from kojin.mynumber.schemas import (
    AffairsEndIn,
    DisposalIn,
    DocumentIn,
    DocumentOut,
    HandlerIn,
    HandlerOut,
    ProvisionIn,
    ProvisionOut,
    RecordOut,
    RegistrationIn,
    RegistrationOut,
    RevealIn,
    RevealOut,
)
from kojin.mynumber.service import (
    add_document,
    designate_handler,
    dispose_and_shred,
    end_affairs,
    get_record,
    list_documents,
    list_handlers,
    list_records,
    provide_number,
    register_number,
    reveal_number,
    revoke_handler,
)
from kojin.mynumber.vault import VaultSessions

#: the header that marks the one kind of API answer allowed to carry a number
MY_NUMBER_HEADER: Final = "Kojin-Contains-My-Number"

router = APIRouter(prefix="/api/v1/mynumber", tags=["mynumber"], route_class=UniqueKeysRoute)

Handler = Annotated[ApiTokenOut, allow(roles.MYNUMBER_HANDLE, name="handle individual numbers")]
Reader = Annotated[ApiTokenOut, allow(roles.MYNUMBER_RECORDS_READ, name="list My Number records")]
Disposer = Annotated[
    ApiTokenOut, allow(roles.MYNUMBER_DISPOSE, name="end affairs or dispose of My Number records")
]
HandlersReader = Annotated[
    ApiTokenOut, allow(roles.MYNUMBER_HANDLERS_READ, name="read My Number handler designations")
]
HandlersManager = Annotated[
    ApiTokenOut,
    allow(roles.MYNUMBER_HANDLERS_MANAGE, name="designate My Number handlers"),
]

Status = Annotated[str | None, Query(pattern=r"^(active|disposed)$")]


def _is_handler(actor: ApiTokenOut) -> bool:
    return Role(actor.role) is Role.MYNUMBER_HANDLER


def _reading_scope(sessions: VaultSessions, actor: ApiTokenOut) -> HandlerScope | None:
    """A handler sees its designation (nothing without one); every other role allowed here
    sees every record, masked (None)."""
    if not _is_handler(actor):
        return None
    return handler_scope(vault=sessions.vault, actor=actor_label(actor)) or NOBODY


def _state(request: Request) -> AppState:
    return app_state(request)


@router.post("/records", status_code=201)
def register(body: RegistrationIn, request: Request, actor: Handler) -> RegistrationOut:
    """Register a person's number for affairs (MNA Arts. 15, 16): a designated handler only;
    the purpose stated and the identity verified (route and documents' types); one ``acquire``
    decision per affair. The answer shows the record masked."""
    vault = _state(request).vault()
    with vault.transaction() as sessions:
        return register_number(vault=vault, sessions=sessions, actor=actor_label(actor), body=body)


@router.get("/records")
def list_all(
    request: Request,
    actor: Reader,
    subject_id: Annotated[str | None, Query(min_length=32, max_length=32)] = None,
    status: Status = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[RecordOut]:
    """Records, masked, oldest first: a handler's within its designation, every record for the
    privacy office and auditors."""
    vault = _state(request).vault()
    with vault.read() as sessions:
        return list_records(
            vault_session=sessions.vault,
            scope=_reading_scope(sessions, actor),
            subject_id=subject_id,
            status=status,
            limit=limit,
            offset=offset,
        )


@router.get("/records/{record_id}")
def get_one(record_id: str, request: Request, actor: Reader) -> RecordOut:
    """One record, masked."""
    vault = _state(request).vault()
    with vault.read() as sessions:
        scope = _reading_scope(sessions, actor)
        return get_record(vault_session=sessions.vault, record_id=record_id, scope=scope)


@router.post("/records/{record_id}/reveal")
def reveal(
    record_id: str, body: RevealIn, request: Request, response: Response, actor: Handler
) -> RevealOut:
    """The number, for an affair of the record within the caller's designation, with a reason:
    a ``use`` decision and a ``mynumber.revealed`` audit entry are committed first."""
    vault = _state(request).vault()
    with vault.transaction() as sessions:
        revealed = reveal_number(
            vault=vault,
            sessions=sessions,
            actor=actor_label(actor),
            record_id=record_id,
            affair=body.affair,
            reason=body.reason,
        )
    response.headers[MY_NUMBER_HEADER] = "authorized"
    response.headers["Cache-Control"] = "no-store"
    return revealed


@router.post("/records/{record_id}/provisions", status_code=201)
def provide(record_id: str, body: ProvisionIn, request: Request, actor: Handler) -> ProvisionOut:
    """Record a provision of the number (MNA Art. 19: give the item; a group company is a third
    party): a ``provide`` decision and an audit entry. The number is not returned."""
    vault = _state(request).vault()
    with vault.transaction() as sessions:
        return provide_number(
            vault=vault,
            sessions=sessions,
            actor=actor_label(actor),
            record_id=record_id,
            body=body,
        )


def _disposing_scope(sessions: VaultSessions, actor: ApiTokenOut) -> HandlerScope | None:
    if not _is_handler(actor):
        return None
    return require_scope(vault=sessions.vault, actor=actor_label(actor))


@router.post("/records/{record_id}/affairs-end")
def affairs_end(record_id: str, body: AffairsEndIn, request: Request, actor: Disposer) -> RecordOut:
    """Record the day the record's affairs ended (its retention runs from then)."""
    vault = _state(request).vault()
    with vault.transaction() as sessions:
        scope = _disposing_scope(sessions, actor)
        return end_affairs(
            vault=vault,
            sessions=sessions,
            actor=actor_label(actor),
            record_id=record_id,
            ended_on=body.ended_on,
            scope=scope,
        )


@router.post("/records/{record_id}/documents", status_code=201)
def add_image(record_id: str, body: DocumentIn, request: Request, actor: Handler) -> DocumentOut:
    """Keep an image of a document shown for the identity verification, sealed under the
    record's key, for the holding period (``KOJIN_MYNUMBER_DOCUMENT_HOLDING_DAYS``)."""
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("content_base64 is not valid base64", field="content_base64") from None
    vault = _state(request).vault()
    with vault.transaction() as sessions:
        scope = require_scope(vault=sessions.vault, actor=actor_label(actor))
        return add_document(
            vault=vault,
            sessions=sessions,
            actor=actor_label(actor),
            record_id=record_id,
            document_type=body.document_type,
            content_type=body.content_type,
            content=content,
            scope=scope,
        )


@router.get("/records/{record_id}/documents")
def images(record_id: str, request: Request, actor: Reader) -> list[DocumentOut]:
    """The record's document images: type, size, holding period (never the content)."""
    vault = _state(request).vault()
    with vault.read() as sessions:
        scope = _reading_scope(sessions, actor)
        return list_documents(vault_session=sessions.vault, record_id=record_id, scope=scope)


@router.post("/dispose")
def dispose(body: DisposalIn, request: Request, actor: Disposer) -> list[RecordOut]:
    """Dispose of records by crypto-shredding (their data keys destroyed, the vault key rotated
    so no earlier backup opens them); the records stay, without numbers. A handler disposes only
    of records wholly within its designation."""
    vault = _state(request).vault()
    return dispose_and_shred(
        vault=vault,
        actor=actor_label(actor),
        record_ids=body.record_ids,
        reason=body.reason,
        handler=_is_handler(actor),
    )


@router.get("/handlers")
def handlers(request: Request, actor: HandlersReader) -> list[HandlerOut]:
    """Every designation (revoked ones too): the access holders of the status register."""
    vault = _state(request).vault()
    with vault.read() as sessions:
        return list_handlers(vault=sessions.vault)


@router.post("/handlers", status_code=201)
def designate(body: HandlerIn, request: Request, actor: HandlersManager) -> HandlerOut:
    """Designate a person in charge (``staff:<username>`` or ``token:<id>``) for affairs and,
    optionally, only some people."""
    state = _state(request)
    vault = state.vault()
    with vault.transaction() as sessions:
        return designate_handler(
            sessions=sessions, policy=state.facts, actor=actor_label(actor), body=body
        )


@router.delete("/handlers/{handler_id}")
def revoke(handler_id: str, request: Request, actor: HandlersManager) -> HandlerOut:
    """End a designation; it is kept, with who ended it and when."""
    vault = _state(request).vault()
    with vault.transaction() as sessions:
        return revoke_handler(sessions=sessions, actor=actor_label(actor), handler_id=handler_id)
