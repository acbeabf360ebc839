"""``/api/v1/mynumber``: filing and retention of the My Number vault — payments, payment-record
exports, retention rules and items, the disposal schedule and the status register (MNA Arts. 12,
19(2); R-MN-7, R-MN-9).

Payments and exports are a designated ``mynumber_handler``'s, within its designation (the
designee is named ``token:<id>``). The export answers with the CSV file itself, the one other
API answer that carries numbers: marked ``Kojin-Contains-My-Number: authorized`` and
``Cache-Control: no-store``, sent only after the export, its decisions and its audit entry are
committed. The schedule, the retention items and the status register hold no number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request, Response

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.routers.mynumber import MY_NUMBER_HEADER
from kojin.api.security import actor_label, allow
from kojin.api.state import AppState, app_state
from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.mynumber.filing.disposal_due import (
    MAX_HORIZON_DAYS,
    disposal_schedule,
    dispose_due,
    schedule_summary,
)
from kojin.mynumber.filing.export import ExportOptions, export_payment_records
from kojin.mynumber.filing.exports import list_exports, mark_export_deleted
from kojin.mynumber.filing.payer import payer_from_settings
from kojin.mynumber.filing.payments import MAX_LIMIT, add_payments, delete_payment, list_payments
from kojin.mynumber.filing.retention import RetentionRules, load_retention_rules, rules_out
from kojin.mynumber.filing.retention_items import add_retention_item, list_retention_items
from kojin.mynumber.filing.schedule import (
    DEFAULT_HORIZON_DAYS,
    ScheduleRow,
    ScheduleStatus,
    ScheduleSummary,
)
from kojin.mynumber.filing.schemas import (
    DisposeDueIn,
    ExportIn,
    ExportOut,
    PaymentIn,
    PaymentOut,
    RetentionItemIn,
    RetentionItemOut,
    RetentionRuleOut,
)
from kojin.mynumber.filing.status_register import StatusRow, register_csv, status_register
from kojin.mynumber.handlers import NOBODY, HandlerScope, handler_scope
from kojin.mynumber.records import day_in_japan
from kojin.mynumber.schemas import RecordOut
from kojin.mynumber.vault import VaultSessions

router = APIRouter(prefix="/api/v1/mynumber", tags=["mynumber"], route_class=UniqueKeysRoute)

Handler = Annotated[
    ApiTokenOut, allow(roles.MYNUMBER_HANDLE, name="handle payments and payment records")
]
Reader = Annotated[
    ApiTokenOut, allow(roles.MYNUMBER_RECORDS_READ, name="read the My Number schedule")
]
Disposer = Annotated[
    ApiTokenOut, allow(roles.MYNUMBER_DISPOSE, name="record retention or dispose of records")
]
Office = Annotated[
    ApiTokenOut, allow(roles.MYNUMBER_HANDLERS_READ, name="read the My Number status register")
]

Year = Annotated[int | None, Query(ge=1900, le=9998)]
Affair = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
Horizon = Annotated[int, Query(ge=0, le=MAX_HORIZON_DAYS)]
#: the file's media type
CSV: Final = "text/csv; charset=utf-8"


def _is_handler(actor: ApiTokenOut) -> bool:
    return Role(actor.role) is Role.MYNUMBER_HANDLER


def _designation(sessions: VaultSessions, actor: ApiTokenOut) -> HandlerScope:
    """A handler's designation (nothing without one)."""
    return handler_scope(vault=sessions.vault, actor=actor_label(actor)) or NOBODY


def _reading_scope(sessions: VaultSessions, actor: ApiTokenOut) -> HandlerScope | None:
    """A handler sees its designation; the privacy office and auditors every record (None)."""
    return _designation(sessions, actor) if _is_handler(actor) else None


def _rules(state: AppState) -> RetentionRules:
    return load_retention_rules(state.settings.mynumber_retention_file)


def _today() -> datetime:
    return datetime.now(UTC)


# --- payments ------------------------------------------------------------------------------------


@router.post("/payments", status_code=201)
def add_payment(body: PaymentIn, request: Request, actor: Handler) -> PaymentOut:
    """Record a payment for an affair that prepares a payment record: its kind's fields are
    checked against the record's columns; the payee must be a person within the designation."""
    state = app_state(request)
    vault = state.vault()
    with vault.transaction() as sessions:
        (made,) = add_payments(
            session=sessions.registry,
            cipher=state.cipher(),
            policy=state.facts,
            actor=actor_label(actor),
            scope=handler_scope(vault=sessions.vault, actor=actor_label(actor)),
            payments=[body],
        )
    return made


@router.get("/payments")
def payments(
    request: Request,
    actor: Handler,
    affair: Affair = None,
    year: Year = None,
    subject_id: Annotated[str | None, Query(min_length=32, max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[PaymentOut]:
    """The payments within the designation, by payment date (none without a designation)."""
    state = app_state(request)
    with state.vault().read() as sessions:
        return list_payments(
            session=sessions.registry,
            cipher=state.cipher(),
            scope=_designation(sessions, actor),
            affair=affair,
            year=year,
            subject_id=subject_id,
            limit=limit,
            offset=offset,
        )


@router.delete("/payments/{payment_id}")
def remove_payment(payment_id: str, request: Request, actor: Handler) -> PaymentOut:
    """Delete a payment entered in error (within the designation) and answer it as it was;
    the deletion is chained with the row's digest."""
    state = app_state(request)
    vault = state.vault()
    with vault.transaction() as sessions:
        return delete_payment(
            session=sessions.registry,
            cipher=state.cipher(),
            actor=actor_label(actor),
            scope=handler_scope(vault=sessions.vault, actor=actor_label(actor)),
            payment_id=payment_id,
        )


# --- payment-record exports ---------------------------------------------------------------------


@router.post(
    "/exports",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the payment-record file"}},
)
def export(body: ExportIn, request: Request, actor: Handler) -> Response:
    """Export the payment record of a year and an affair as CSV (the fields the filing needs,
    the payer from ``KOJIN_MYNUMBER_PAYER_*``): a designated handler of the affair and of
    every payee only. The answer is the file; ``Kojin-Export-Id`` and ``Kojin-Export-Sha256``
    name what was recorded."""
    state = app_state(request)
    vault = state.vault()
    payer = payer_from_settings(state.settings)
    rules = _rules(state)
    with vault.transaction() as sessions:
        made = export_payment_records(
            vault=vault,
            sessions=sessions,
            cipher=state.cipher(),
            rules=rules,
            actor=actor_label(actor),
            year=body.year,
            affair=body.affair,
            payer=payer,
            options=ExportOptions(
                include_below_threshold=body.include_below_threshold,
                bom=body.bom,
                header=body.header,
            ),
        )
    recorded = made.summary.export
    return Response(
        content=made.content,
        media_type=CSV,
        headers={
            MY_NUMBER_HEADER: "authorized",
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{recorded.file_name}"',
            "Kojin-Export-Id": recorded.id,
            "Kojin-Export-Sha256": recorded.sha256,
        },
    )


@router.get("/exports")
def exports(
    request: Request, actor: Reader, affair: Affair = None, year: Year = None
) -> list[ExportOut]:
    """The payment-record files handed out (never their content), oldest first."""
    with app_state(request).read() as session:
        return list_exports(session=session, affair=affair, year=year)


@router.post("/exports/{export_id}/deleted")
def export_deleted(export_id: str, request: Request, actor: Handler) -> ExportOut:
    """Record that every copy of an export's file has been deleted (a handler of its affair)."""
    vault = app_state(request).vault()
    with vault.transaction() as sessions:
        return mark_export_deleted(
            session=sessions.registry,
            actor=actor_label(actor),
            scope=handler_scope(vault=sessions.vault, actor=actor_label(actor)),
            export_id=export_id,
        )


# --- retention and the disposal schedule --------------------------------------------------------


@router.get("/retention/rules")
def retention_rules(request: Request, actor: Reader) -> list[RetentionRuleOut]:
    """The retention rule of each document kind in force (built in, or from the file)."""
    return rules_out(_rules(app_state(request)))


@router.get("/retention/items")
def retention_items(
    request: Request,
    actor: Reader,
    record_id: Annotated[str | None, Query(min_length=32, max_length=32)] = None,
) -> list[RetentionItemOut]:
    """The documents that keep records' numbers (a handler: of its records only)."""
    state = app_state(request)
    rules = _rules(state)
    with state.vault().read() as sessions:
        scope = _reading_scope(sessions, actor)
        ids = None
        if scope is not None:
            rows = disposal_schedule(
                sessions=sessions, rules=rules, scope=scope, today=day_in_japan(_today())
            )
            ids = [row.record_id for row in rows]
        if record_id is not None:
            ids = [record_id] if ids is None or record_id in ids else []
        return list_retention_items(session=sessions.registry, rules=rules, record_ids=ids)


@router.post("/retention/items", status_code=201)
def add_item(body: RetentionItemIn, request: Request, actor: Disposer) -> RetentionItemOut:
    """Record a document that keeps an active record's number until its retention ends (e.g.
    a dependants' deduction form and its submission deadline)."""
    state = app_state(request)
    vault = state.vault()
    rules = _rules(state)
    with vault.transaction() as sessions:
        return add_retention_item(
            sessions=sessions,
            rules=rules,
            actor=actor_label(actor),
            scope=_reading_scope(sessions, actor),
            item=body,
        )


@router.get("/schedule")
def schedule(
    request: Request,
    actor: Reader,
    status: ScheduleStatus | None = None,
    horizon_days: Horizon = DEFAULT_HORIZON_DAYS,
) -> list[ScheduleRow]:
    """The active records with their disposal due day, the soonest first (a handler: within
    its designation); ``status=overdue`` lists what must be disposed of now."""
    state = app_state(request)
    rules = _rules(state)
    with state.vault().read() as sessions:
        rows = disposal_schedule(
            sessions=sessions,
            rules=rules,
            scope=_reading_scope(sessions, actor),
            today=day_in_japan(_today()),
            horizon_days=horizon_days,
        )
    return [row for row in rows if status is None or row.status is status]


@router.get("/schedule/summary")
def summary(
    request: Request, actor: Office, horizon_days: Horizon = DEFAULT_HORIZON_DAYS
) -> ScheduleSummary:
    """How many records are overdue, upcoming, scheduled and continuing (the dashboard)."""
    state = app_state(request)
    return schedule_summary(vault=state.vault(), rules=_rules(state), horizon_days=horizon_days)


@router.post("/schedule/dispose-due")
def dispose_overdue(body: DisposeDueIn, request: Request, actor: Disposer) -> list[RecordOut]:
    """Dispose of every overdue record irrecoverably (``{"confirm": true}``), each with a
    reason naming the rule; a handler disposes only of records wholly within its designation.
    The vault key is rotated afterwards."""
    state = app_state(request)
    return dispose_due(
        vault=state.vault(),
        actor=actor_label(actor),
        rules=_rules(state),
        handler=_is_handler(actor),
    )


# --- the status register ------------------------------------------------------------------------


def _register_rows(request: Request) -> list[StatusRow]:
    state = app_state(request)
    moment = _today()
    with state.vault().read() as sessions:
        return status_register(
            sessions=sessions,
            policy=state.policy,
            facts=state.facts,
            rules=_rules(state),
            today=day_in_japan(moment),
            now=moment,
        )


@router.get("/status-register")
def register(request: Request, actor: Office) -> list[StatusRow]:
    """The status register of specific personal information files (R-MN-9): each file's type
    and name, purpose, responsible department, deletion status and access holders; no number,
    no name, no person."""
    return _register_rows(request)


@router.get(
    "/status-register.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the register as CSV"}},
)
def register_file(request: Request, actor: Office) -> Response:
    """The status register as CSV (UTF-8 with a BOM, for Excel)."""
    return Response(
        content=register_csv(_register_rows(request)),
        media_type=CSV,
        headers={"Content-Disposition": 'attachment; filename="mynumber-status-register.csv"'},
    )
