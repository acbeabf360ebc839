"""Helpers for the tests of the My Number pages: valid numbers, people of the specific-personal
category, designated persons in charge and registered numbers, made through the vault's own
services, and the ways a number could be written on a page."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from kojin.api.state import state_of
from kojin.audit.models import AuditEntry
from kojin.db.uow import Database
from kojin.law.check_digits import my_number_check_digit
from kojin.law.mynumber_vocabulary import IdentityDocument, VerificationRoute
from kojin.mynumber.filing.payments import add_payments
from kojin.mynumber.filing.schemas import PaymentIn
from kojin.mynumber.schemas import HandlerIn, RegistrationIn
from kojin.mynumber.service import (
    designate_handler,
    end_affairs,
    handler_scope,
    register_number,
)
from kojin.mynumber.vault import Vault
from kojin.registry.subjects.schemas import SubjectCreate
from kojin.registry.subjects.service import create_subject

#: the seed policy's category of specific personal information, and two of its affairs
CATEGORY = "specific_personal"
REMUNERATION = "remuneration_payment_records"
REAL_ESTATE_FEES = "real_estate_fee_records"
ALL_AFFAIRS = (
    REMUNERATION,
    REAL_ESTATE_FEES,
    "real_estate_compensation_records",
    "real_estate_brokerage_records",
)


def valid_number(base: str) -> str:
    """The 12-digit individual number whose first 11 digits are `base`."""
    assert len(base) == 11
    assert base.isdigit()
    return base + str(my_number_check_digit(base))


def invalid_number(base: str) -> str:
    """12 digits whose check digit is wrong."""
    good = valid_number(base)
    return good[:11] + str((int(good[11]) + 1) % 10)


def written_forms(number: str) -> list[str]:
    """The ways a page could show `number`: plain, grouped by spaces or hyphens."""
    groups = [number[0:4], number[4:8], number[8:12]]
    return [number, " ".join(groups), "-".join(groups)]


def shows_number(text: str, number: str) -> bool:
    """Whether `text` holds `number` in any of its written forms (markup and spacing ignored)."""
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    return any(form in text or form in flat for form in written_forms(number))


def vault_of_app(app: FastAPI) -> Vault:
    return state_of(app).vault()


def make_person(
    app: FastAPI, email: str, name: str = "番号 太郎", address: str = "東京都千代田区千代田1-1"
) -> str:
    """A registry subject of the specific-personal category; returns its id."""
    state = state_of(app)
    with state.database.uow() as session:
        subject = create_subject(
            session=session,
            cipher=state.cipher(),
            subject_in=SubjectCreate(category=CATEGORY, email=email, name=name, address=address),
            policy=state.facts,
            actor="test",
        )
    return subject.id


def designate(
    app: FastAPI,
    username: str,
    affairs: Sequence[str] = ALL_AFFAIRS,
    *,
    department: str = "経理部",
    subject_ids: Sequence[str] | None = None,
) -> None:
    """Designate the staff user `username` as a person in charge of `affairs`."""
    vault = vault_of_app(app)
    with vault.transaction() as sessions:
        designate_handler(
            sessions=sessions,
            policy=vault.policy,
            actor="staff:admin-test",
            body=HandlerIn(
                actor=f"staff:{username}",
                affairs=list(affairs),
                department=department,
                subject_ids=None if subject_ids is None else list(subject_ids),
            ),
        )


def register(
    app: FastAPI,
    username: str,
    subject_id: str,
    number: str,
    affairs: Sequence[str] = (REMUNERATION,),
    acquired_on: date | None = None,
) -> str:
    """Register `number` for the person as the person in charge `username`; the record's id."""
    vault = vault_of_app(app)
    with vault.transaction() as sessions:
        registered = register_number(
            vault=vault,
            sessions=sessions,
            actor=f"staff:{username}",
            body=RegistrationIn(
                subject_id=subject_id,
                number=SecretStr(number),
                affairs=list(affairs),
                route=VerificationRoute.MY_NUMBER_CARD,
                document_types=[IdentityDocument.MY_NUMBER_CARD],
                purpose_stated=True,
                acquired_on=acquired_on or date(2026, 4, 1),
            ),
        )
    return registered.record.id


def end(app: FastAPI, record_id: str, day: date) -> None:
    """Record that the record's affairs ended on `day` (as the privacy office)."""
    vault = vault_of_app(app)
    with vault.transaction() as sessions:
        end_affairs(
            vault=vault,
            sessions=sessions,
            actor="staff:officer-test",
            record_id=record_id,
            ended_on=day,
            now=datetime.combine(day, time(12), tzinfo=UTC),
        )


def pay(app: FastAPI, username: str, subject_id: str, amount: int, paid_on: date) -> None:
    """A lecture fee paid to the person (remuneration), recorded by the person in charge."""
    state = state_of(app)
    actor = f"staff:{username}"
    with vault_of_app(app).read() as sessions:
        scope = handler_scope(vault=sessions.vault, actor=actor)
    with state.database.uow() as session:
        add_payments(
            session=session,
            cipher=state.cipher(),
            policy=state.facts,
            actor=actor,
            scope=scope,
            payments=[
                PaymentIn(
                    subject_id=subject_id,
                    affair=REMUNERATION,
                    paid_on=paid_on,
                    amount_yen=amount,
                    withheld_yen=amount // 10,
                    fields={"category": "講演料", "details": "講演"},
                )
            ],
        )


def chain_entries(database: Database, action: str) -> list[AuditEntry]:
    """The audit chain's entries of `action`, oldest first."""
    with database.read() as session:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        ).scalars()
        return list(rows)


def chain_text(database: Database) -> str:
    """Every entry of the audit chain as text (actions, objects and details)."""
    with database.read() as session:
        rows: Iterable[AuditEntry] = session.execute(select(AuditEntry)).scalars()
        return "\n".join(f"{r.action} {r.object_id} {r.details}" for r in rows)
