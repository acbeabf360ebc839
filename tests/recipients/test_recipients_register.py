"""The register's services: register, change, end, record checks, the overdue order, the
Art. 28(3) statement; names and notes encrypted and never in the audit chain."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from recipients_support import (
    ACTOR,
    ENTRUSTEE_NAME,
    SECRET_NOTES,
    TODAY,
    add,
    chain_entries,
    check,
    entrustee_fields,
    foreign_fields,
)
from sqlalchemy import select

from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.law.decision_schemas import DecisionRequest
from kojin.registry.recipients.lookup import supervision_for
from kojin.registry.recipients.models import Recipient, RecipientCheck
from kojin.registry.recipients.records import normalized_name
from kojin.registry.recipients.rotation import count_stale_recipients
from kojin.registry.recipients.schemas import (
    CheckInput,
    CheckKind,
    CheckResult,
    ContractItem,
    RecipientFields,
    RecipientStatus,
)
from kojin.registry.recipients.service import (
    end_recipient,
    get_recipient,
    list_recipients,
    record_check,
    statement,
    update_recipient,
)


def test_a_registered_entrustee_reads_back_with_its_first_check_due_a_year_after_the_contract(
    db: Database, rcipher: FieldCipher
) -> None:
    view = add(db, rcipher, entrustee_fields())
    assert view.name == ENTRUSTEE_NAME
    assert view.status is RecipientStatus.ACTIVE
    assert view.next_check_due == date(2028, 1, 10)
    assert view.check_overdue is False
    assert view.fields.evaluation_notes == SECRET_NOTES
    # the contract's required items not ticked are listed (R-MN-8 / GL-General §10)
    assert ContractItem.CONFIDENTIALITY not in view.contract_items_missing
    assert ContractItem.REPORTING_AND_AUDIT in view.contract_items_missing
    with db.read() as session:
        row = session.execute(select(Recipient)).scalar_one()
        assert ENTRUSTEE_NAME not in row.name_enc
        assert SECRET_NOTES not in row.details_enc


def test_names_match_across_spaces_width_case_and_legal_forms() -> None:
    assert normalized_name("株式会社 配送サービス") == normalized_name("配送サービス㈱")
    assert normalized_name("Example Cloud, Inc.") == normalized_name("EXAMPLE CLOUD")
    assert normalized_name("ＡＢＣ　Ｌｔｄ．") == normalized_name("abc")


def test_one_entry_per_name(db: Database, rcipher: FieldCipher) -> None:
    add(db, rcipher, entrustee_fields())
    with pytest.raises(ConflictError) as caught:
        add(db, rcipher, entrustee_fields(name="配送サービス 株式会社"))
    assert "配送" not in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"entrustee": False}, "entrustee"),
        ({"foreign_rule16": True}, "country"),  # a Rule 16 recipient is abroad
        (
            {
                "entrustee": False,
                "foreign_rule16": True,
                "country": "US",
                "my_number_affairs": True,
            },
            "my_number_affairs",
        ),
        ({"permitted_subentrustees": ["Sub KK"]}, "permitted_subentrustees"),
    ],
)
def test_fields_that_do_not_hold_together_are_refused(
    db: Database, rcipher: FieldCipher, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        add(db, rcipher, entrustee_fields(**overrides))
    assert caught.value.field == field


def test_a_my_number_in_a_note_is_refused() -> None:
    from kojin.law.check_digits import my_number_check_digit

    number = "12345678901" + str(my_number_check_digit("12345678901"))
    with pytest.raises(ValueError, match="individual number"):
        RecipientFields(evaluation_notes=f"番号 {number}")


def test_checks_move_the_due_date_and_the_register_lists_overdue_first(
    db: Database, rcipher: FieldCipher
) -> None:
    carrier = add(db, rcipher, entrustee_fields())
    cloud = add(db, rcipher, foreign_fields())
    later = date(2028, 2, 1)
    with db.read() as session:
        listed = list_recipients(session=session, cipher=rcipher, today=later)
    # the cloud needs a supervision, a measures and a system check; all due 2028-01-10
    assert [r.check_overdue for r in listed] == [True, True]
    after = check(db, rcipher, carrier.id, on=date(2028, 1, 20), result=CheckResult.ISSUES)
    assert after.next_check_due == date(2029, 1, 19)
    assert after.last_check_result is CheckResult.ISSUES
    assert after.checks[0].notes == SECRET_NOTES
    with db.read() as session:
        listed = list_recipients(session=session, cipher=rcipher, today=later)
        overdue = list_recipients(session=session, cipher=rcipher, today=later, overdue=True)
    assert [r.id for r in listed] == [cloud.id, carrier.id]
    assert [r.id for r in overdue] == [cloud.id]
    for kind in (CheckKind.SUPERVISION, CheckKind.FOREIGN_MEASURES):
        check(db, rcipher, cloud.id, on=date(2028, 1, 25), kind=kind)
    with db.read() as session:
        still = get_recipient(session=session, cipher=rcipher, recipient_id=cloud.id, today=later)
    assert still.check_overdue  # the foreign system was not checked
    assert still.next_check_due == date(2028, 1, 10)
    check(db, rcipher, cloud.id, on=date(2028, 1, 26), kind=CheckKind.FOREIGN_SYSTEM)
    with db.read() as session:
        done = get_recipient(session=session, cipher=rcipher, recipient_id=cloud.id, today=later)
    assert not done.check_overdue
    assert done.next_check_due == date(2029, 1, 24)


def test_a_check_must_fit_the_recipient_and_not_be_in_the_future(
    db: Database, rcipher: FieldCipher
) -> None:
    carrier = add(db, rcipher, entrustee_fields())

    def record(check_in: CheckInput) -> None:
        with db.uow() as session:
            record_check(
                session=session,
                cipher=rcipher,
                actor=ACTOR,
                recipient_id=carrier.id,
                check=check_in,
                today=TODAY,
            )

    with pytest.raises(InputError) as caught:
        record(
            CheckInput(
                kind=CheckKind.FOREIGN_SYSTEM, checked_on=TODAY, result=CheckResult.SATISFACTORY
            )
        )
    assert caught.value.field == "kind"
    with pytest.raises(InputError) as caught:
        record(
            CheckInput(
                kind=CheckKind.SUPERVISION,
                checked_on=TODAY + timedelta(days=1),
                result=CheckResult.SATISFACTORY,
            )
        )
    assert caught.value.field == "checked_on"
    with pytest.raises(InputError) as caught:
        record(
            CheckInput(
                kind=CheckKind.SUPERVISION,
                checked_on=TODAY,
                result=CheckResult.FAILED,
                next_due=TODAY,
            )
        )
    assert caught.value.field == "next_due"


def test_update_changes_only_what_is_given_and_end_closes_the_entry(
    db: Database, rcipher: FieldCipher
) -> None:
    carrier = add(db, rcipher, entrustee_fields())
    with db.uow() as session:
        view = update_recipient(
            session=session,
            cipher=rcipher,
            actor=ACTOR,
            recipient_id=carrier.id,
            fields=RecipientFields(check_interval_days=180, my_number_affairs=True),
            today=TODAY,
        )
    assert view.next_check_due == date(2027, 7, 9)
    assert view.fields.my_number_affairs is True
    assert view.fields.entrusted == entrustee_fields().entrusted
    with db.uow() as session:
        unchanged = update_recipient(
            session=session,
            cipher=rcipher,
            actor=ACTOR,
            recipient_id=carrier.id,
            fields=RecipientFields(check_interval_days=180),
            today=TODAY,
        )
    assert unchanged.updated_at == view.updated_at
    with db.uow() as session:
        ended = end_recipient(
            session=session,
            cipher=rcipher,
            actor=ACTOR,
            recipient_id=carrier.id,
            on=TODAY,
            today=TODAY,
        )
    assert ended.status is RecipientStatus.ENDED
    assert ended.check_overdue is False
    with db.read() as session:
        assert list_recipients(session=session, cipher=rcipher, today=date(2030, 1, 1)) == []
        every = list_recipients(session=session, cipher=rcipher, today=TODAY, status=None)
    assert [r.id for r in every] == [carrier.id]
    with db.uow() as session, pytest.raises(ConflictError):
        record_check(
            session=session,
            cipher=rcipher,
            actor=ACTOR,
            recipient_id=carrier.id,
            check=CheckInput(
                kind=CheckKind.SUPERVISION, checked_on=TODAY, result=CheckResult.SATISFACTORY
            ),
            today=TODAY,
        )
    with db.read() as session, pytest.raises(NotFoundError):
        get_recipient(session=session, cipher=rcipher, recipient_id="0" * 32, today=TODAY)


def test_every_change_is_chained_with_its_actor_and_never_a_name_or_a_note(
    db: Database, rcipher: FieldCipher
) -> None:
    carrier = add(db, rcipher, entrustee_fields())
    check(db, rcipher, carrier.id, on=TODAY, result=CheckResult.FAILED)
    with db.uow() as session:
        end_recipient(
            session=session,
            cipher=rcipher,
            actor=ACTOR,
            recipient_id=carrier.id,
            on=TODAY,
            today=TODAY,
        )
    entries = chain_entries(db)
    assert [e.action for e in entries] == [
        "recipient.added",
        "recipient.check_recorded",
        "recipient.ended",
    ]
    assert {e.actor for e in entries} == {ACTOR}
    assert entries[1].details["result"] == "failed"
    text = json.dumps([e.details for e in entries], ensure_ascii=False)
    for secret in (ENTRUSTEE_NAME, "配送サービス", SECRET_NOTES, "委託契約"):
        assert secret not in text
    with db.read() as session:
        assert verify_chain(session=session).ok
        stored = session.execute(select(RecipientCheck)).scalar_one()
        assert stored.notes_enc is not None
        assert SECRET_NOTES not in stored.notes_enc
        assert count_stale_recipients(session=session, cipher=rcipher) == 0


def test_the_statement_gives_the_article_28_3_items_in_the_asked_language(
    db: Database, rcipher: FieldCipher
) -> None:
    cloud = add(db, rcipher, foreign_fields())
    carrier = add(db, rcipher, entrustee_fields())
    with db.read() as session:
        ja = statement(session=session, cipher=rcipher, recipient_id=cloud.id, lang="ja")
        en = statement(session=session, cipher=rcipher, recipient_id=cloud.id, lang="en")
        with pytest.raises(InputError):
            statement(session=session, cipher=rcipher, recipient_id=carrier.id, lang="en")
    assert ja.country_name == "米国"
    assert ja.items.setup == "APPI水準の条項を含む契約"
    # an item written only in English is given in English rather than left out
    assert ja.items.foreign_laws == "No law found that impedes the measures"
    assert en.items.setup == "A data processing agreement with APPI-level clauses"
    assert en.country == "US"
    assert en.check_interval_days == 365


def test_an_ended_recipient_may_be_registered_again(db: Database, rcipher: FieldCipher) -> None:
    first = add(db, rcipher, entrustee_fields())
    with db.uow() as session:
        end_recipient(
            session=session,
            cipher=rcipher,
            actor=ACTOR,
            recipient_id=first.id,
            on=TODAY,
            today=TODAY,
        )
    ask = DecisionRequest.model_validate(
        {
            "action": "provide",
            "category": "customer",
            "recipient": {"name": "配送サービス", "country": "JP", "relation": "entrustee"},
        }
    )
    with db.read() as session:
        (ended,) = supervision_for(session=session, requests=[ask], today=TODAY)
    assert ended is not None
    assert ended.ended
    assert not ended.registered
    again = add(db, rcipher, entrustee_fields(contract_date=TODAY))
    assert again.id != first.id
    with db.read() as session:
        (active,) = supervision_for(session=session, requests=[ask], today=TODAY)
        every = list_recipients(session=session, cipher=rcipher, today=TODAY, status=None)
    assert active is not None
    assert active.registered
    assert not active.ended
    assert [r.status for r in every] == [RecipientStatus.ACTIVE, RecipientStatus.ENDED]
