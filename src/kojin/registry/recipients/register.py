"""Register, change, end and read recipients; record their checks (R-SEC-4, R-MN-8, R-PM-11,
R-TP-FX-3).

A recipient needs the checks its kinds call for: an entrustee a ``supervision`` check, a foreign
recipient with a Rule 16 system a ``foreign_measures`` and a ``foreign_system`` check (Rule
18(1)(i): its implementation and the foreign laws). Each kind is due one interval (365 days by
default: "about once a year", R-TP-FX-3; R-PM-11) after its latest check, or after the contract
date (else the registration date) when it was never checked; the recipient's next check is the
earliest of them, and it is overdue the day after that date.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import lock_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError
from kojin.registry.recipients.models import Recipient, RecipientCheck
from kojin.registry.recipients.records import chain, load, match_key, new_id, seal, unseal
from kojin.registry.recipients.schemas import (
    DEFAULT_CHECK_INTERVAL_DAYS,
    CheckInput,
    CheckKind,
    CheckResult,
    CheckView,
    ContractItem,
    RecipientFields,
    RecipientStatus,
    RecipientSummary,
    RecipientView,
)

#: the fields kept in the encrypted ``details`` object
_DETAILS: Final = (
    "entrusted",
    "contract_reference",
    "evaluation_notes",
    "permitted_subentrustees",
    "statement_en",
    "statement_ja",
)
#: the fields kept as plain columns of the same name
_COLUMNS: Final = (
    "entrustee",
    "foreign_rule16",
    "country",
    "categories",
    "my_number_affairs",
    "contract_date",
    "contract_items",
    "evaluated_on",
    "evaluation_result",
    "sub_entrustment_allowed",
    "rule16_basis",
    "check_interval_days",
)
#: fields whose None means "back to the default"
_DEFAULTS: Final[dict[str, Any]] = {
    "entrustee": False,
    "foreign_rule16": False,
    "my_number_affairs": False,
    "sub_entrustment_allowed": False,
    "categories": [],
    "contract_items": [],
    "permitted_subentrustees": [],
    "check_interval_days": DEFAULT_CHECK_INTERVAL_DAYS,
}
_CONFLICT: Final = "a recipient of that name is already registered"


def required_kinds(*, entrustee: bool, foreign_rule16: bool) -> tuple[CheckKind, ...]:
    """The checks a recipient of these kinds needs periodically."""
    kinds: list[CheckKind] = []
    if entrustee:
        kinds.append(CheckKind.SUPERVISION)
    if foreign_rule16:
        kinds += [CheckKind.FOREIGN_MEASURES, CheckKind.FOREIGN_SYSTEM]
    return tuple(kinds)


def _check_fields(fields: RecipientFields, declared: Collection[str] | None) -> None:
    """InputError (naming the field) when complete `fields` do not hold together, or name a
    category the policy does not declare (`declared`, when given)."""
    if declared is not None and any(c not in declared for c in fields.categories or []):
        raise InputError(
            "categories names a category the policy does not declare", field="categories"
        )
    for name in ("name", "country"):
        if not getattr(fields, name):
            raise InputError(f"{name} is required", field=name)
    if not (fields.entrustee or fields.foreign_rule16):
        raise InputError(
            "a recipient is an entrustee, a foreign recipient with a Rule 16 system, or both",
            field="entrustee",
        )
    if fields.foreign_rule16 and fields.country == "JP":
        raise InputError("a Rule 16 recipient is in a foreign country", field="country")
    if fields.my_number_affairs and not fields.entrustee:
        raise InputError(
            "My Number affairs are entrusted to an entrustee", field="my_number_affairs"
        )
    if fields.permitted_subentrustees and not fields.sub_entrustment_allowed:
        raise InputError(
            "permitted sub-entrustees need sub-entrustment allowed",
            field="permitted_subentrustees",
        )


def _dump(fields: RecipientFields, name: str) -> Any:
    return fields.model_dump(mode="json", include={name})[name]


def _write(cipher: FieldCipher, row: Recipient, fields: RecipientFields) -> None:
    """Store complete `fields` on `row` (plain columns, the encrypted name and details)."""
    for name in _COLUMNS:
        value = getattr(fields, name)
        if isinstance(value, list):
            value = [str(item) for item in value]  # StrEnum members as their values
        elif isinstance(value, StrEnum):
            value = value.value
        setattr(row, name, _DEFAULTS.get(name) if value is None else value)
    assert fields.name is not None
    row.match_key = match_key(fields.name)
    row.name_enc = seal(cipher, "recipients", "name", row.id, row.key_id, fields.name)
    details = {name: _dump(fields, name) for name in _DETAILS}
    row.details_enc = seal(
        cipher, "recipients", "details", row.id, row.key_id, json.dumps(details, ensure_ascii=False)
    )


def name_of(cipher: FieldCipher, row: Recipient) -> str:
    return unseal(cipher, "recipients", "name", row.id, row.name_enc)


def read_fields(cipher: FieldCipher, row: Recipient) -> RecipientFields:
    """What is recorded about `row`, as :class:`RecipientFields`."""
    details = json.loads(unseal(cipher, "recipients", "details", row.id, row.details_enc))
    values: dict[str, Any] = {name: getattr(row, name) for name in _COLUMNS}
    values.update(details)
    values["name"] = name_of(cipher, row)
    return RecipientFields.model_validate(values)


def _checks(session: Session, recipient_id: str) -> list[RecipientCheck]:
    """The recipient's checks, latest first."""
    return list(
        session.execute(
            select(RecipientCheck)
            .where(RecipientCheck.recipient_id == recipient_id)
            .order_by(RecipientCheck.checked_on.desc(), RecipientCheck.created_at.desc())
        ).scalars()
    )


def _recompute(session: Session, row: Recipient) -> None:
    """The latest check, its result and the next check's due date, from the checks."""
    session.flush()
    checks = _checks(session, row.id)
    latest = checks[0] if checks else None
    row.last_check_on = None if latest is None else latest.checked_on
    row.last_check_result = None if latest is None else latest.result
    start = row.contract_date or row.registered_on
    dues = []
    for kind in required_kinds(entrustee=row.entrustee, foreign_rule16=row.foreign_rule16):
        last = next((c for c in checks if c.kind == kind.value), None)
        dues.append(
            start + timedelta(days=row.check_interval_days) if last is None else last.next_due
        )
    row.next_check_due = min(dues, default=start + timedelta(days=row.check_interval_days))


def _unique(session: Session, key: str, own_id: str) -> None:
    """ConflictError when another active recipient has the name `key` matches. The chain-head
    lock is taken first, so two registrations of one name cannot both pass."""
    lock_chain(session=session)
    found = session.execute(
        select(Recipient.id).where(
            Recipient.match_key == key,
            Recipient.status == RecipientStatus.ACTIVE.value,
            Recipient.id != own_id,
        )
    ).first()
    if found is not None:
        raise ConflictError(_CONFLICT)


def add_recipient(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    fields: RecipientFields,
    today: date,
    declared: Collection[str] | None = None,
) -> RecipientView:
    """Register a recipient (active); ``recipient.added``. ConflictError when an active
    recipient has the name (as :func:`~kojin.registry.recipients.records.normalized_name` reads
    it); an ended one may be registered again (a new entry; the ended one keeps its history).
    `declared`: the policy's category ids, which `categories` must be among."""
    complete = RecipientFields.model_validate(
        {name: getattr(fields, name) for name in RecipientFields.model_fields}
    )
    _check_fields(complete, declared)
    assert complete.name is not None
    _unique(session, match_key(complete.name), "")
    now = utcnow()
    row = Recipient(
        id=new_id(),
        status=RecipientStatus.ACTIVE.value,
        registered_on=today,
        created_at=now,
        updated_at=now,
        key_id=cipher.current_key_id,
    )
    _write(cipher, row, complete)
    row.next_check_due = (row.contract_date or today) + timedelta(days=row.check_interval_days)
    session.add(row)
    _recompute(session, row)
    given = sorted(name for name in fields.model_fields_set if getattr(fields, name) is not None)
    chain(
        session=session,
        row=row,
        actor=actor,
        action="recipient.added",
        now=now,
        details={
            "fields": given,
            "entrustee": row.entrustee,
            "foreign_rule16": row.foreign_rule16,
            "country": row.country,
            "next_check_due": row.next_check_due.isoformat(),
        },
    )
    return build_view(session=session, cipher=cipher, row=row, today=today)


def update_recipient(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    recipient_id: str,
    fields: RecipientFields,
    today: date,
    declared: Collection[str] | None = None,
) -> RecipientView:
    """Change the fields set in `fields`; ``recipient.updated`` naming the changed fields.
    Nothing changed: nothing recorded. `declared` as for :func:`add_recipient`."""
    row = load(session, recipient_id, for_update=True)
    current = read_fields(cipher, row)
    values = {name: getattr(current, name) for name in RecipientFields.model_fields}
    for name in fields.model_fields_set:
        value = getattr(fields, name)
        values[name] = _DEFAULTS.get(name) if value is None and name in _DEFAULTS else value
    merged = RecipientFields.model_validate(values)
    changed = sorted(
        name for name in fields.model_fields_set if _dump(merged, name) != _dump(current, name)
    )
    if not changed:
        return build_view(session=session, cipher=cipher, row=row, today=today)
    _check_fields(merged, declared)
    assert merged.name is not None
    _unique(session, match_key(merged.name), row.id)
    row.key_id = cipher.current_key_id
    _write(cipher, row, merged)
    now = utcnow()
    row.updated_at = now
    _recompute(session, row)
    chain(
        session=session,
        row=row,
        actor=actor,
        action="recipient.updated",
        now=now,
        details={"fields": changed, "next_check_due": row.next_check_due.isoformat()},
    )
    return build_view(session=session, cipher=cipher, row=row, today=today)


def end_recipient(
    *, session: Session, cipher: FieldCipher, actor: str, recipient_id: str, on: date, today: date
) -> RecipientView:
    """The entrustment or provision ended on `on`: the recipient leaves the active register
    (its checks are no longer due, and decisions naming it say it is not registered);
    ``recipient.ended``."""
    row = load(session, recipient_id, for_update=True)
    if row.status == RecipientStatus.ENDED.value:
        raise ConflictError("the recipient has already ended")
    if on > today:
        raise InputError("the end date must not be in the future", field="on")
    now = utcnow()
    row.status = RecipientStatus.ENDED.value
    row.ended_on = on
    row.updated_at = now
    chain(
        session=session,
        row=row,
        actor=actor,
        action="recipient.ended",
        now=now,
        details={"ended_on": on.isoformat()},
    )
    return build_view(session=session, cipher=cipher, row=row, today=today)


def record_check(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    recipient_id: str,
    check: CheckInput,
    today: date,
) -> RecipientView:
    """Record a check of an active recipient; ``recipient.check_recorded`` with its kind,
    date, result and next due date (never its notes)."""
    row = load(session, recipient_id, for_update=True)
    if row.status != RecipientStatus.ACTIVE.value:
        raise ConflictError("the recipient has ended")
    kinds = required_kinds(entrustee=row.entrustee, foreign_rule16=row.foreign_rule16)
    if check.kind not in kinds:
        raise InputError(
            "that kind of check is not one this recipient needs "
            "(supervision for an entrustee; foreign_measures and foreign_system for a Rule 16 "
            "recipient)",
            field="kind",
        )
    if check.checked_on > today:
        raise InputError("the check date must not be in the future", field="checked_on")
    next_due = check.next_due or check.checked_on + timedelta(days=row.check_interval_days)
    if next_due <= check.checked_on:
        raise InputError("the next check must be due after this one", field="next_due")
    now = utcnow()
    entry = RecipientCheck(
        id=new_id(),
        recipient_id=row.id,
        kind=check.kind.value,
        checked_on=check.checked_on,
        result=check.result.value,
        next_due=next_due,
        recorded_by=actor[:200],
        created_at=now,
        key_id=cipher.current_key_id,
    )
    for column in ("notes", "actions"):
        text = getattr(check, column)
        if text:
            setattr(
                entry,
                f"{column}_enc",
                seal(cipher, "recipient_checks", column, entry.id, entry.key_id, text),
            )
    session.add(entry)
    row.updated_at = now
    _recompute(session, row)
    chain(
        session=session,
        row=row,
        actor=actor,
        action="recipient.check_recorded",
        now=now,
        details={
            "check_id": entry.id,
            "kind": entry.kind,
            "result": entry.result,
            "checked_on": entry.checked_on.isoformat(),
            "next_due": next_due.isoformat(),
            "notes": check.notes is not None,
            "actions": check.actions is not None,
        },
    )
    return build_view(session=session, cipher=cipher, row=row, today=today)


def _check_view(cipher: FieldCipher, c: RecipientCheck) -> CheckView:
    def text(column: str) -> str | None:
        stored: str | None = getattr(c, f"{column}_enc")
        return None if stored is None else unseal(cipher, "recipient_checks", column, c.id, stored)

    return CheckView(
        id=c.id,
        kind=CheckKind(c.kind),
        checked_on=c.checked_on,
        result=CheckResult(c.result),
        next_due=c.next_due,
        recorded_by=c.recorded_by,
        notes=text("notes"),
        actions=text("actions"),
        created_at=c.created_at,
    )


def is_overdue(row: Recipient, today: date) -> bool:
    """An active recipient whose next check's due date has passed."""
    return row.status == RecipientStatus.ACTIVE.value and row.next_check_due < today


def _summary_values(cipher: FieldCipher, row: Recipient, today: date) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": name_of(cipher, row),
        "entrustee": row.entrustee,
        "foreign_rule16": row.foreign_rule16,
        "country": row.country,
        "my_number_affairs": row.my_number_affairs,
        "status": RecipientStatus(row.status),
        "last_check_on": row.last_check_on,
        "last_check_result": None
        if row.last_check_result is None
        else CheckResult(row.last_check_result),
        "next_check_due": row.next_check_due,
        "check_overdue": is_overdue(row, today),
        "days_left": (row.next_check_due - today).days,
    }


def build_view(
    *, session: Session, cipher: FieldCipher, row: Recipient, today: date
) -> RecipientView:
    """The recipient as staff see it, with its checks (latest first)."""
    session.flush()
    fields = read_fields(cipher, row)
    present = set(fields.contract_items or [])
    missing = [item for item in ContractItem if item not in present] if row.entrustee else []
    return RecipientView(
        **_summary_values(cipher, row, today),
        fields=fields,
        contract_items_missing=missing,
        registered_on=row.registered_on,
        ended_on=row.ended_on,
        checks=[_check_view(cipher, c) for c in _checks(session, row.id)],
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def get_recipient(
    *, session: Session, cipher: FieldCipher, recipient_id: str, today: date
) -> RecipientView:
    """The recipient `recipient_id` (NotFoundError when there is none)."""
    return build_view(session=session, cipher=cipher, row=load(session, recipient_id), today=today)


def list_recipients(
    *,
    session: Session,
    cipher: FieldCipher,
    today: date,
    status: RecipientStatus | None = RecipientStatus.ACTIVE,
    overdue: bool = False,
) -> list[RecipientSummary]:
    """The register: active recipients with overdue checks first, then by the next check's due
    date (ended ones last); only `status` when given, only overdue ones with `overdue`."""
    query = select(Recipient)
    if status is not None:
        query = query.where(Recipient.status == status.value)
    if overdue:
        query = query.where(
            Recipient.status == RecipientStatus.ACTIVE.value, Recipient.next_check_due < today
        )
    rows = list(session.execute(query).scalars())
    rows.sort(
        key=lambda r: (r.status != RecipientStatus.ACTIVE.value, r.next_check_due, r.created_at)
    )
    return [RecipientSummary(**_summary_values(cipher, r, today)) for r in rows]
