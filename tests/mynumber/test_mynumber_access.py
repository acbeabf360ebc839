"""Reveal and provide: only the designated handler, for an affair of the record within the
designation, through the decision engine, audited before the number leaves the vault."""

from __future__ import annotations

import hashlib

import pytest
from mynumber_support import (
    BROKERAGE,
    HANDLER,
    OTHER_HANDLER,
    REAL_ESTATE,
    REMUNERATION,
    chain,
    chain_text,
    designate,
    numbers,
    register,
)

from kojin.db.uow import Database
from kojin.errors import ConflictError, NotFoundError, PermissionDeniedError
from kojin.law.decision_schemas import Recipient
from kojin.law.mynumber_vocabulary import Article19Item
from kojin.law.vocabulary import Relation
from kojin.mynumber.schemas import HandlerOut, ProvisionIn, RecordOut
from kojin.mynumber.service import (
    dispose_records,
    provide_number,
    reveal_number,
)
from kojin.mynumber.vault import DecisionRefusedError, Vault
from kojin.registry.decisions.service import get_decision
from kojin.registry.subjects import FlagsUpdate, set_flags

NUMBER = next(numbers(1, seed=5))
REASON = "支払調書の作成のため 2026年分"


@pytest.fixture
def record(vault: Vault, person: str, handler: HandlerOut) -> RecordOut:
    return register(vault, person, NUMBER, affairs=(REMUNERATION, REAL_ESTATE))


def _reveal(
    vault: Vault, record_id: str, *, actor: str = HANDLER, affair: str = REMUNERATION
) -> str:
    with vault.transaction() as sessions:
        out = reveal_number(
            vault=vault,
            sessions=sessions,
            actor=actor,
            record_id=record_id,
            affair=affair,
            reason=REASON,
        )
    return out.number


def test_a_reveal_records_a_use_decision_and_an_audit_entry(
    vault: Vault, database: Database, record: RecordOut
) -> None:
    before = len(chain(database))
    with vault.transaction() as sessions:
        out = reveal_number(
            vault=vault,
            sessions=sessions,
            actor=HANDLER,
            record_id=record.id,
            affair=REAL_ESTATE,
            reason=REASON,
        )
    assert out.number == NUMBER
    assert (out.record_id, out.subject_id, out.affair) == (
        record.id,
        record.subject_id,
        REAL_ESTATE,
    )
    entries = chain(database)[before:]
    assert [e.action for e in entries] == ["decision.recorded", "mynumber.revealed"]
    revealed = entries[-1]
    assert revealed.actor == HANDLER
    assert revealed.details == {
        "subject_id": record.subject_id,
        "affair": REAL_ESTATE,
        "decision_id": out.decision_id,
        "reason_sha256": hashlib.sha256(REASON.encode()).hexdigest(),
    }
    with database.read() as session:
        decision = get_decision(session=session, decision_id=out.decision_id)
    assert decision.request.action == "use"
    assert decision.request.purpose == REAL_ESTATE
    assert decision.decision.allowed
    text = chain_text(database)
    assert NUMBER not in text
    assert REASON not in text


def test_the_audit_entry_is_committed_with_the_reveal(
    vault: Vault, database: Database, record: RecordOut
) -> None:
    # a reveal whose transaction does not commit leaves no entry: and the caller never got the
    # number out of the block either, because the block raised
    before = len(chain(database))

    def failing_interface() -> None:
        with vault.transaction() as sessions:
            reveal_number(
                vault=vault,
                sessions=sessions,
                actor=HANDLER,
                record_id=record.id,
                affair=REMUNERATION,
                reason=REASON,
            )
            raise RuntimeError("the interface failed before answering")

    with pytest.raises(RuntimeError):
        failing_interface()
    assert len(chain(database)) == before


def test_a_stopped_person_is_refused_by_the_engine_and_the_refusal_is_recorded(
    vault: Vault, database: Database, record: RecordOut
) -> None:
    with database.uow() as session:
        set_flags(
            session=session,
            subject_id=record.subject_id,
            flags=FlagsUpdate(stop_use=True),
            actor="staff:officer",
        )
    with pytest.raises(DecisionRefusedError, match="stop") as caught:
        _reveal(vault, record.id)
    with database.read() as session:
        decision = get_decision(session=session, decision_id=caught.value.decision_id)
    assert not decision.decision.allowed
    assert chain(database)[-1].action == "decision.recorded"
    assert "mynumber.revealed" not in [e.action for e in chain(database)]


def test_only_the_designated_handler_reveals(vault: Vault, record: RecordOut) -> None:
    with pytest.raises(PermissionDeniedError, match="designat"):
        _reveal(vault, record.id, actor="token:someone")


def test_a_handler_of_other_affairs_does_not_find_the_record(
    vault: Vault, record: RecordOut
) -> None:
    designate(vault, OTHER_HANDLER, affairs=(BROKERAGE,))
    with pytest.raises(NotFoundError, match="record not found"):
        _reveal(vault, record.id, actor=OTHER_HANDLER, affair=BROKERAGE)


def test_a_handler_of_other_people_does_not_find_the_record(
    vault: Vault, record: RecordOut
) -> None:
    designate(vault, OTHER_HANDLER, subject_ids=["f" * 32])
    with pytest.raises(NotFoundError, match="record not found"):
        _reveal(vault, record.id, actor=OTHER_HANDLER)


def test_an_affair_the_record_was_not_acquired_for_is_refused(
    vault: Vault, record: RecordOut
) -> None:
    with pytest.raises(PermissionDeniedError, match="affair"):
        _reveal(vault, record.id, affair=BROKERAGE)


def test_an_affair_outside_the_designation_is_refused(vault: Vault, record: RecordOut) -> None:
    designate(vault, OTHER_HANDLER, affairs=(REMUNERATION,))
    assert _reveal(vault, record.id, actor=OTHER_HANDLER) == NUMBER
    with pytest.raises(PermissionDeniedError, match="affair"):
        _reveal(vault, record.id, actor=OTHER_HANDLER, affair=REAL_ESTATE)


def test_a_revoked_designation_ends_access(
    vault: Vault, record: RecordOut, handler: HandlerOut
) -> None:
    from kojin.mynumber.service import revoke_handler

    with vault.transaction() as sessions:
        revoke_handler(sessions=sessions, actor="staff:officer", handler_id=handler.id)
    with pytest.raises(PermissionDeniedError):
        _reveal(vault, record.id)


def test_an_unknown_record_is_not_found(vault: Vault, handler: HandlerOut) -> None:
    for record_id in ("0" * 32, "not-an-id"):
        with pytest.raises(NotFoundError, match="record not found"):
            _reveal(vault, record_id)


def test_a_disposed_record_reveals_nothing(vault: Vault, record: RecordOut) -> None:
    with vault.transaction() as sessions:
        dispose_records(
            vault=vault, sessions=sessions, actor=HANDLER, record_ids=[record.id], reason="end"
        )
    with pytest.raises(ConflictError, match="disposed"):
        _reveal(vault, record.id)


def _provide(vault: Vault, record_id: str, body: ProvisionIn) -> str:
    with vault.transaction() as sessions:
        return provide_number(
            vault=vault, sessions=sessions, actor=HANDLER, record_id=record_id, body=body
        ).decision_id


def test_a_provision_to_the_tax_office_under_article_19_is_recorded(
    vault: Vault, database: Database, record: RecordOut
) -> None:
    body = ProvisionIn(
        affair=REMUNERATION,
        recipient=Recipient(name="麹町税務署", country="JP", government=True),
        mna_19_item=Article19Item.RELATED_AFFAIRS,
        reason=REASON,
    )
    decision_id = _provide(vault, record.id, body)
    with database.read() as session:
        decision = get_decision(session=session, decision_id=decision_id)
    assert decision.decision.allowed
    assert decision.request.action == "provide"
    assert decision.request.exception == "mna_19"
    assert decision.request.mna_19_item == Article19Item.RELATED_AFFAIRS
    provided = chain(database)[-1]
    assert provided.action == "mynumber.provided"
    assert provided.details["mna_19_item"] == "2"
    assert provided.details["decision_id"] == decision_id
    text = chain_text(database)
    assert NUMBER not in text
    assert "麹町税務署" not in text


def test_a_provision_to_a_group_company_outside_article_19_is_refused(
    vault: Vault, database: Database, record: RecordOut
) -> None:
    body = ProvisionIn(
        affair=REMUNERATION,
        recipient=Recipient(name="Group Co.", country="JP", group_company=True),
        reason=REASON,
    )
    with pytest.raises(DecisionRefusedError, match=r"Art\. 19") as caught:
        _provide(vault, record.id, body)
    with database.read() as session:
        decision = get_decision(session=session, decision_id=caught.value.decision_id)
    assert not decision.decision.allowed
    assert "mynumber.provided" not in [e.action for e in chain(database)]


def test_a_provision_to_an_entrustee_needs_no_item(vault: Vault, record: RecordOut) -> None:
    body = ProvisionIn(
        affair=REMUNERATION,
        recipient=Recipient(name="税理士法人", country="JP", relation=Relation.ENTRUSTEE),
        reason=REASON,
    )
    assert len(_provide(vault, record.id, body)) == 32


def test_a_provision_needs_the_designation(vault: Vault, record: RecordOut) -> None:
    body = ProvisionIn(
        affair=BROKERAGE,
        recipient=Recipient(country="JP", relation=Relation.ENTRUSTEE),
        reason=REASON,
    )
    with pytest.raises(PermissionDeniedError, match="affair"):
        _provide(vault, record.id, body)
