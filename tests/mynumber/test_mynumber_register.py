"""Registering a number: only a designated handler, within the designation, for the person's
affairs, with the purpose stated and the identity verified, through the decision engine."""

from __future__ import annotations

from datetime import date

import pytest
from mynumber_support import (
    AFFAIRS,
    BROKERAGE,
    HANDLER,
    OTHER_HANDLER,
    REAL_ESTATE,
    REMUNERATION,
    add_person,
    chain,
    chain_text,
    designate,
    numbers,
    registration,
)
from pydantic import SecretStr
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kojin.law.mynumber_vocabulary import IdentityDocument, VerificationRoute
from kojin.mynumber.models import DataKey, NumberRecord
from kojin.mynumber.numbers import MASKED
from kojin.mynumber.schemas import HandlerOut, RegistrationOut
from kojin.mynumber.service import register_number
from kojin.mynumber.vault import Vault
from kojin.registry.decisions.service import get_decision

NUMBER = next(numbers(1))


def _register(vault: Vault, actor: str = HANDLER, **body: object) -> RegistrationOut:
    person = body.pop("subject_id")
    number = body.pop("number", NUMBER)
    with vault.transaction() as sessions:
        return register_number(
            vault=vault,
            sessions=sessions,
            actor=actor,
            body=registration(str(person), str(number), **body),  # type: ignore[arg-type]
        )


def test_a_handler_registers_a_number_through_the_engine(
    vault: Vault, database: Database, person: str, handler: HandlerOut
) -> None:
    out = _register(vault, subject_id=person, affairs=(REMUNERATION, REAL_ESTATE))
    record = out.record
    assert (record.subject_id, record.status, record.masked) == (person, "active", MASKED)
    assert record.affairs == [REMUNERATION, REAL_ESTATE]
    assert record.route == "my_number_card"
    assert record.document_types == ["my_number_card"]
    assert len(out.decision_ids) == 2
    with database.read() as session:
        decisions = [get_decision(session=session, decision_id=d) for d in out.decision_ids]
    assert [d.request.action for d in decisions] == ["acquire", "acquire"]
    assert [d.request.purpose for d in decisions] == [REMUNERATION, REAL_ESTATE]
    assert all(d.decision.allowed and d.request.subject_id == person for d in decisions)
    assert all(d.actor == HANDLER for d in decisions)
    last = chain(database)[-1]
    assert (last.action, last.object_id, last.actor) == ("mynumber.registered", record.id, HANDLER)
    assert last.details["decision_ids"] == out.decision_ids
    assert NUMBER not in chain_text(database)
    with database.read() as session:
        row = session.get(NumberRecord, record.id)
        key = session.get(DataKey, record.id)
    assert row is not None
    assert key is not None
    assert row.number_ct is not None
    assert NUMBER.encode() not in row.number_ct
    assert key.vault_key_id == vault.keys.current_id
    assert len(key.wrapped) == 40


def test_full_width_digits_and_hyphens_are_accepted(
    vault: Vault, person: str, handler: HandlerOut
) -> None:
    written = "".join(chr(ord(c) + 0xFEE0) for c in NUMBER)  # full-width digits
    written = f"{written[:4]}ー{written[4:8]}－{written[8:]}"
    assert _register(vault, subject_id=person, number=written).record.status == "active"


def test_only_a_designated_actor_may_register(vault: Vault, person: str) -> None:
    with pytest.raises(PermissionDeniedError, match="designat"):
        _register(vault, subject_id=person)


def test_affairs_outside_the_designation_are_refused(vault: Vault, person: str) -> None:
    designate(vault, OTHER_HANDLER, affairs=(REMUNERATION,))
    with pytest.raises(PermissionDeniedError, match="designation"):
        _register(vault, OTHER_HANDLER, subject_id=person, affairs=(REMUNERATION, BROKERAGE))


def test_a_person_outside_the_designation_is_not_found(
    vault: Vault, database: Database, cipher: FieldCipher, person: str
) -> None:
    other = add_person(database, cipher, vault)
    designate(vault, OTHER_HANDLER, subject_ids=[other])
    with pytest.raises(NotFoundError, match=r"^subject not found$"):
        _register(vault, OTHER_HANDLER, subject_id=person)
    assert _register(vault, OTHER_HANDLER, subject_id=other).record.subject_id == other


def test_a_person_of_another_category_is_not_found(
    vault: Vault, database: Database, cipher: FieldCipher, handler: HandlerOut
) -> None:
    customer = add_person(database, cipher, vault, category="customer")
    with pytest.raises(NotFoundError, match=r"^subject not found$"):
        _register(vault, subject_id=customer)


def test_affairs_must_be_declared(vault: Vault, person: str, handler: HandlerOut) -> None:
    with pytest.raises(InputError) as caught:
        _register(vault, subject_id=person, affairs=("marketing",))
    assert caught.value.field == "affairs"
    assert "marketing" not in caught.value.message


def test_the_purpose_must_have_been_stated(vault: Vault, person: str, handler: HandlerOut) -> None:
    body = registration(person, NUMBER).model_copy(update={"purpose_stated": False})
    with pytest.raises(InputError) as caught, vault.transaction() as sessions:
        register_number(vault=vault, sessions=sessions, actor=HANDLER, body=body)
    assert caught.value.field == "purpose_stated"


def test_an_acquisition_in_the_future_is_refused(
    vault: Vault, person: str, handler: HandlerOut
) -> None:
    body = registration(person, NUMBER).model_copy(update={"acquired_on": date(2999, 1, 1)})
    with pytest.raises(InputError) as caught, vault.transaction() as sessions:
        register_number(vault=vault, sessions=sessions, actor=HANDLER, body=body)
    assert caught.value.field == "acquired_on"


@pytest.mark.parametrize(
    ("route", "documents", "complete"),
    [
        (VerificationRoute.MY_NUMBER_CARD, (), False),
        (VerificationRoute.MY_NUMBER_CARD, (IdentityDocument.MY_NUMBER_CARD,), True),
        (
            VerificationRoute.NUMBER_AND_IDENTITY_DOCUMENTS,
            (IdentityDocument.NOTIFICATION_CARD,),
            False,
        ),
        (
            VerificationRoute.NUMBER_AND_IDENTITY_DOCUMENTS,
            (IdentityDocument.NOTIFICATION_CARD, IdentityDocument.DRIVERS_LICENSE),
            True,
        ),
        (VerificationRoute.AGENT, (IdentityDocument.POWER_OF_ATTORNEY,), False),
        (VerificationRoute.FORMER_EMPLOYER, (), True),
    ],
)
def test_the_identity_verification_must_be_complete(
    vault: Vault,
    person: str,
    handler: HandlerOut,
    route: VerificationRoute,
    documents: tuple[IdentityDocument, ...],
    complete: bool,
) -> None:
    if complete:
        out = _register(vault, subject_id=person, route=route, documents=documents)
        assert out.record.route == route.value
        return
    with pytest.raises(InputError, match="R-MN-4") as caught:
        _register(vault, subject_id=person, route=route, documents=documents)
    assert caught.value.field == "document_types"


def test_an_invalid_number_is_refused_without_echo(
    vault: Vault, database: Database, person: str, handler: HandlerOut
) -> None:
    wrong = NUMBER[:11] + str((int(NUMBER[11]) + 1) % 10)
    before = len(chain(database))
    with pytest.raises(InputError) as caught:
        _register(vault, subject_id=person, number=wrong)
    assert caught.value.field == "number"
    assert not any(c.isdigit() for c in str(caught.value))
    assert len(chain(database)) == before  # no decision was recorded for a refused number


def test_one_active_record_per_person(vault: Vault, person: str, handler: HandlerOut) -> None:
    _register(vault, subject_id=person)
    with pytest.raises(ConflictError, match="active record"):
        _register(vault, subject_id=person, number=list(numbers(2))[1])


def test_registration_body_hides_the_number() -> None:
    body = registration("0" * 32, NUMBER)
    assert NUMBER not in repr(body)
    assert NUMBER not in str(body)
    assert isinstance(body.number, SecretStr)


def test_every_affair_is_a_purpose_of_the_specific_category(vault: Vault) -> None:
    category = vault.policy.categories["specific_personal"]
    assert set(AFFAIRS) == set(category.purposes)


def test_records_hold_ciphertext_only(
    vault: Vault, database: Database, person: str, handler: HandlerOut
) -> None:
    _register(vault, subject_id=person)
    with database.read() as session:
        rows = session.execute(select(NumberRecord.number_ct, NumberRecord.nonce)).all()
    assert len(rows) == 1
    assert all(len(v) >= 12 for v in rows[0])
