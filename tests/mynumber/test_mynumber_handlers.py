"""Designated handlers (R-MN-9): scopes of affairs and people, designation and revocation
chained without the department's name."""

from __future__ import annotations

import pytest
from mynumber_support import (
    BROKERAGE,
    HANDLER,
    OFFICER,
    REAL_ESTATE,
    REMUNERATION,
    chain,
    chain_text,
    designate,
)
from pydantic import ValidationError

from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.mynumber.handlers import HandlerScope, handler_scope
from kojin.mynumber.schemas import HandlerIn
from kojin.mynumber.service import designate_handler, list_handlers, revoke_handler
from kojin.mynumber.vault import Vault

PERSON = "a" * 32
OTHER = "b" * 32


@pytest.mark.parametrize(
    ("people", "affair", "subject", "allowed"),
    [
        (None, REMUNERATION, PERSON, True),
        (None, BROKERAGE, PERSON, False),
        (frozenset({PERSON}), REMUNERATION, PERSON, True),
        (frozenset({PERSON}), REMUNERATION, OTHER, False),
        (frozenset({PERSON}), BROKERAGE, PERSON, False),
    ],
)
def test_a_scope_allows_its_affairs_and_people(
    people: frozenset[str] | None, affair: str, subject: str, allowed: bool
) -> None:
    scope = HandlerScope(
        actor=HANDLER,
        affairs=frozenset({REMUNERATION, REAL_ESTATE}),
        subject_ids=people,
        department="経理部",
    )
    assert scope.allows(affair=affair, subject_id=subject) is allowed
    assert scope.sees(affairs=[affair, REAL_ESTATE], subject_id=subject) is scope.covers(subject)


def test_designation_and_revocation_are_chained(vault: Vault, database: Database) -> None:
    made = designate(vault, HANDLER, affairs=(REMUNERATION,), subject_ids=[PERSON])
    with vault.read() as sessions:
        scope = handler_scope(vault=sessions.vault, actor=HANDLER)
    assert scope == HandlerScope(
        actor=HANDLER,
        affairs=frozenset({REMUNERATION}),
        subject_ids=frozenset({PERSON}),
        department="経理部",
    )
    entry = chain(database)[-1]
    assert (entry.action, entry.actor, entry.object_id) == (
        "mynumber.handler_designated",
        OFFICER,
        made.id,
    )
    assert entry.details["designee"] == HANDLER
    assert "経理部" not in chain_text(database)
    with vault.transaction() as sessions:
        revoked = revoke_handler(sessions=sessions, actor=OFFICER, handler_id=made.id)
    assert revoked.revoked_by == OFFICER
    assert chain(database)[-1].action == "mynumber.handler_revoked"
    with vault.read() as sessions:
        assert handler_scope(vault=sessions.vault, actor=HANDLER) is None
        assert [h.id for h in list_handlers(vault=sessions.vault)] == [made.id]
        assert list_handlers(vault=sessions.vault, include_revoked=False) == []


def test_one_designation_per_actor_at_a_time(vault: Vault) -> None:
    made = designate(vault, HANDLER)
    with pytest.raises(ConflictError, match="already designated"):
        designate(vault, HANDLER)
    with vault.transaction() as sessions:
        revoke_handler(sessions=sessions, actor=OFFICER, handler_id=made.id)
    with pytest.raises(ConflictError, match="already revoked"), vault.transaction() as sessions:
        revoke_handler(sessions=sessions, actor=OFFICER, handler_id=made.id)
    assert designate(vault, HANDLER).id != made.id


def test_affairs_must_be_the_policys(vault: Vault) -> None:
    with pytest.raises(InputError) as caught, vault.transaction() as sessions:
        designate_handler(
            sessions=sessions,
            policy=vault.policy,
            actor=OFFICER,
            body=HandlerIn(actor=HANDLER, affairs=["direct_marketing"], department="営業部"),
        )
    assert caught.value.field == "affairs"
    assert "direct_marketing" not in caught.value.message


def test_an_unknown_designation_is_not_found(vault: Vault) -> None:
    with pytest.raises(NotFoundError), vault.transaction() as sessions:
        revoke_handler(sessions=sessions, actor=OFFICER, handler_id="0" * 32)


@pytest.mark.parametrize("label", ["alice", "cli:root", "staff:", "token:a b", "x:" + "a" * 10])
def test_a_designee_is_named_by_its_audit_label(label: str) -> None:
    with pytest.raises(ValidationError):
        HandlerIn(actor=label, affairs=[REMUNERATION], department="経理部")
