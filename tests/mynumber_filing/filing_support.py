"""Shared helpers of the filing tests: the seed policy, payees in the registry, and handler
scopes as the vault designates them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from pydantic import SecretStr
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.mynumber_vocabulary import IdentityDocument, VerificationRoute
from kojin.law.policy_facts import PolicyFacts
from kojin.mynumber.filing.schemas import PaymentIn
from kojin.mynumber.handlers import designate_handler
from kojin.mynumber.records import end_affairs
from kojin.mynumber.registration import register_number
from kojin.mynumber.schemas import HandlerIn, HandlerOut, RegistrationIn
from kojin.mynumber.vault import Vault
from kojin.policy import load_policy, to_facts
from kojin.registry.subjects import SubjectCreate, create_subject

POLICY: PolicyFacts = to_facts(load_policy(None))
REMUNERATION = "remuneration_payment_records"
USAGE = "real_estate_fee_records"
TRANSFER = "real_estate_compensation_records"
BROKERAGE = "real_estate_brokerage_records"
AFFAIRS = frozenset({REMUNERATION, USAGE, TRANSFER, BROKERAGE})
#: valid individual numbers (APPI-SPEC 11.1): they must never leave the vault but in the file
NUMBERS = ("123456789018", "621498320257", "200000000000", "000000000019")
#: a valid corporate number (APPI-SPEC 11.2)
CORPORATE_NUMBER = "7010705000725"


@dataclass(frozen=True)
class Scope:
    """A designation: affairs, and the persons (None: every person of those affairs)."""

    affairs: frozenset[str] = AFFAIRS
    subject_ids: frozenset[str] | None = None

    def allows(self, *, affair: str, subject_id: str) -> bool:
        return affair in self.affairs and (
            self.subject_ids is None or subject_id in self.subject_ids
        )


#: every affair, every person
EVERY = Scope()


def make_payee(
    database: Database,
    cipher: FieldCipher,
    *,
    name: str | None = "山田 太郎",
    address: str | None = "東京都千代田区千代田1-1",
    category: str = "specific_personal",
) -> str:
    with database.uow() as session:
        return create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category=category, name=name, address=address),
            policy=POLICY,
            actor="t",
        ).id


def remuneration(
    subject_id: str,
    amount: int,
    *,
    paid_on: date = date(2025, 3, 1),
    withheld: int = 0,
    category: str = "講演料",
    details: str = "講演",
    remarks: str | None = None,
) -> PaymentIn:
    fields: dict[str, object] = {"category": category, "details": details}
    if remarks is not None:
        fields["remarks"] = remarks
    return PaymentIn(
        subject_id=subject_id,
        affair=REMUNERATION,
        paid_on=paid_on,
        amount_yen=amount,
        withheld_yen=withheld,
        fields=fields,
    )


#: complete fields of each real-estate record
USAGE_FIELDS: dict[str, object] = {
    "property_kind": "事務所",
    "property_location": "東京都港区港南1-1",
    "details": "家賃",
    "calculation_basis": "月額200,000円",
}
TRANSFER_FIELDS: dict[str, object] = {
    "property_kind": "土地",
    "property_location": "横浜市中区",
    "details": "宅地",
    "quantity": "120㎡",
    "acquired_on": "2025-06-01",
}
BROKERAGE_FIELDS: dict[str, object] = {
    "category": "売買",
    "property_kind": "土地",
    "property_location": "横浜市中区",
    "details": "宅地",
    "quantity": "120㎡",
    "transaction_amount_yen": 30_000_000,
    "transaction_date": "2025-06-30",
}


# --- the vault (kojin.mynumber) -----------------------------------------------------------------

HANDLER = "token:filing-handler"
OTHER_HANDLER = "staff:other-handler"
OFFICER = "staff:officer"


def designate(
    vault: Vault,
    actor: str = HANDLER,
    *,
    affairs: Sequence[str] = tuple(sorted(AFFAIRS)),
    subject_ids: list[str] | None = None,
    department: str = "経理部",
) -> HandlerOut:
    with vault.transaction() as sessions:
        return designate_handler(
            sessions=sessions,
            policy=vault.policy,
            actor=OFFICER,
            body=HandlerIn(
                actor=actor, affairs=list(affairs), subject_ids=subject_ids, department=department
            ),
        )


def register(
    vault: Vault,
    subject_id: str,
    number: str,
    *,
    affairs: Sequence[str] = (REMUNERATION,),
    actor: str = HANDLER,
    acquired_on: date = date(2020, 4, 1),
) -> str:
    """Register `number` for `subject_id` (by `actor`, who must be designated); the record id."""
    with vault.transaction() as sessions:
        made = register_number(
            vault=vault,
            sessions=sessions,
            actor=actor,
            body=RegistrationIn(
                subject_id=subject_id,
                number=SecretStr(number),
                affairs=list(affairs),
                route=VerificationRoute.MY_NUMBER_CARD,
                document_types=[IdentityDocument.MY_NUMBER_CARD],
                purpose_stated=True,
                acquired_on=acquired_on,
            ),
        )
    return made.record.id


def end_affairs_on(vault: Vault, record_id: str, day: date) -> None:
    """Record that the record's affairs ended on `day` (as the privacy office)."""
    with vault.transaction() as sessions:
        end_affairs(
            vault=vault,
            sessions=sessions,
            actor=OFFICER,
            record_id=record_id,
            ended_on=day,
            now=datetime.combine(day, time(12), tzinfo=UTC),
        )


def chain(database: Database) -> list[AuditEntry]:
    """Every audit entry, in order."""
    with database.read() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
