"""What the vault tests share: valid numbers, people, designations and a registration body."""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.check_digits import my_number_check_digit
from kojin.law.mynumber_vocabulary import IdentityDocument, VerificationRoute
from kojin.mynumber.handlers import designate_handler
from kojin.mynumber.schemas import HandlerIn, HandlerOut, RecordOut, RegistrationIn
from kojin.mynumber.service import register_number
from kojin.mynumber.vault import Vault
from kojin.registry.subjects import SubjectCreate, create_subject

with warnings.catch_warnings():
    # Starlette's test client announces a future switch of HTTP library; the API is unchanged.
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["Api", "Made", "TestClient"]

SPECIFIC = "specific_personal"
REMUNERATION = "remuneration_payment_records"
REAL_ESTATE = "real_estate_fee_records"
BROKERAGE = "real_estate_brokerage_records"
AFFAIRS = (
    REMUNERATION,
    REAL_ESTATE,
    "real_estate_compensation_records",
    BROKERAGE,
)
HANDLER = "token:handler-a"
OTHER_HANDLER = "token:handler-b"
OFFICER = "staff:officer"


def valid_number(base: str) -> str:
    """The individual number of the eleven digits `base`."""
    return base + str(my_number_check_digit(base))


def numbers(count: int, *, seed: int = 13) -> Iterator[str]:
    """`count` distinct valid numbers."""
    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < count:
        number = valid_number(f"{rng.randrange(10**11):011d}")
        if number not in seen:
            seen.add(number)
            yield number


def add_person(
    database: Database, cipher: FieldCipher, vault: Vault, *, category: str = SPECIFIC
) -> str:
    """A registry subject of `category` (specific personal information by default)."""
    with database.uow() as session:
        return create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category=category, name="山田 太郎"),
            policy=vault.policy,
            actor=OFFICER,
        ).id


def designate(
    vault: Vault,
    actor: str = HANDLER,
    *,
    affairs: tuple[str, ...] = AFFAIRS,
    subject_ids: list[str] | None = None,
) -> HandlerOut:
    with vault.transaction() as sessions:
        return designate_handler(
            sessions=sessions,
            policy=vault.policy,
            actor=OFFICER,
            body=HandlerIn(
                actor=actor, affairs=list(affairs), subject_ids=subject_ids, department="経理部"
            ),
        )


def registration(
    subject_id: str,
    number: str,
    *,
    affairs: tuple[str, ...] = (REMUNERATION,),
    route: VerificationRoute = VerificationRoute.MY_NUMBER_CARD,
    documents: tuple[IdentityDocument, ...] = (IdentityDocument.MY_NUMBER_CARD,),
) -> RegistrationIn:
    return RegistrationIn(
        subject_id=subject_id,
        number=SecretStr(number),
        affairs=list(affairs),
        route=route,
        document_types=list(documents),
        purpose_stated=True,
        acquired_on=date(2026, 4, 1),
    )


def register(
    vault: Vault, person: str, number: str, *, affairs: tuple[str, ...] = (REMUNERATION,)
) -> RecordOut:
    """Register `number` for `person` as the designated HANDLER, committed; the record."""
    with vault.transaction() as sessions:
        return register_number(
            vault=vault,
            sessions=sessions,
            actor=HANDLER,
            body=registration(person, number, affairs=affairs),
        ).record


def chain(database: Database) -> list[AuditEntry]:
    """Every audit entry, in order."""
    with database.read() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def chain_text(database: Database) -> str:
    """The audit chain as text (actors, actions, objects and details), to search for numbers."""
    return "\n".join(
        f"{e.actor} {e.action} {e.object_type} {e.object_id} {e.details}" for e in chain(database)
    )


@dataclass(frozen=True)
class Made:
    """A token's id and plaintext."""

    id: str
    plaintext: str

    @property
    def label(self) -> str:
        """How the audit chain (and a designation) names the token."""
        return f"token:{self.id}"

    @property
    def header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.plaintext}"}


@dataclass(frozen=True)
class Api:
    """A test client of the API and a token per role (and ``"undesignated"``)."""

    client: TestClient
    tokens: dict[Role | str, Made]

    def call(self, method: str, path: str, who: Role | str, **kwargs: Any) -> Any:
        return self.client.request(
            method, f"/api/v1{path}", headers=self.tokens[who].header, **kwargs
        )
