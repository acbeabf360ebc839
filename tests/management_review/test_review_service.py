"""Preparing a review, entering law changes and opportunities, gathering the inputs again and
recording the top manager's decisions: each step in the audit chain with its actor, naming
fields and counts, never what was typed; the text is stored encrypted."""

from __future__ import annotations

from datetime import date

import pytest
from review_support import (
    ACTOR,
    SECRET_DECISION,
    SECRET_MANAGER,
    SINCE,
    TODAY,
    UNTIL,
    audit_entries,
    seed_requests,
)
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.management.review.models import ManagementReview
from kojin.management.review.rotation import REVIEWS_STORE
from kojin.management.review.schemas import (
    DecisionKind,
    LawChange,
    ReviewCreate,
    ReviewDecision,
    ReviewOutcome,
    ReviewStatus,
    ReviewUpdate,
    ReviewView,
)
from kojin.management.review.service import (
    create_review,
    get_review,
    list_reviews,
    period_choice,
    record_outcome,
    record_report,
    refresh_inputs,
    update_review,
)


def _create(database: Database, cipher: FieldCipher, **values: object) -> ReviewView:
    with database.uow() as session:
        return create_review(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            review_in=ReviewCreate.model_validate(values),
            today=TODAY,
        )


def _outcome() -> ReviewOutcome:
    return ReviewOutcome(
        held_on=date(2027, 4, 9),
        top_manager=SECRET_MANAGER,
        decisions=[
            ReviewDecision(text=SECRET_DECISION, owner="情報システム部", due_on=date(2027, 9, 30)),
            ReviewDecision(kind=DecisionKind.RESOURCES, text="個人情報保護担当を1名増員する"),
        ],
    )


def test_a_review_is_created_with_its_inputs_and_numbered(
    sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    seed_requests(sqlite_database)
    first = _create(sqlite_database, sqlite_cipher, since=SINCE, until=UNTIL, title="2026年度")
    second = _create(sqlite_database, sqlite_cipher)
    assert (first.reference, second.reference) == ("MR-2027-01", "MR-2027-02")
    assert first.status is ReviewStatus.DRAFT
    assert (first.since, first.until) == (SINCE, UNTIL)
    assert first.inputs.requests.total.received == 6
    # the default period: the twelve full months before the month of today
    assert (second.since, second.until) == (date(2026, 4, 1), date(2027, 3, 31))
    with sqlite_database.read() as session:
        listed = list_reviews(session=session, cipher=sqlite_cipher)
    assert [r.reference for r in listed] == ["MR-2027-02", "MR-2027-01"]
    assert listed[1].title == "2026年度"
    created = audit_entries(sqlite_database)
    assert [e.action for e in created] == ["review.created", "review.created"]
    assert created[0].actor == ACTOR
    assert created[0].details["requests_received"] == 6
    assert created[0].details["since"] == "2026-04-01"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"since": SINCE}, "until"),
        ({"since": UNTIL, "until": SINCE}, "until"),
        ({"since": date(2024, 1, 1), "until": UNTIL}, "until"),
        ({"since": date(1, 1, 1), "until": date(1, 1, 2)}, "since"),
        ({"since": date(9999, 12, 30), "until": date(9999, 12, 31)}, "since"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(
    sqlite_database: Database, sqlite_cipher: FieldCipher, values: dict[str, date], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        _create(sqlite_database, sqlite_cipher, **values)
    assert caught.value.field == field


def test_period_choice() -> None:
    assert period_choice(today=TODAY, fiscal_year=2026) == (SINCE, UNTIL)
    assert period_choice(today=TODAY, year=2026) == (date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(InputError):
        period_choice(today=TODAY, year=2026, fiscal_year=2026)
    with pytest.raises(InputError):
        period_choice(today=TODAY, fiscal_year=9999)


def test_entries_decisions_and_the_chain_never_hold_the_text(
    sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    review = _create(sqlite_database, sqlite_cipher, since=SINCE, until=UNTIL)
    law = LawChange(
        title="個人情報保護法施行規則の改正", effective_on=date(2027, 4, 1), response="様式を改訂"
    )
    with sqlite_database.uow() as session:
        updated = update_review(
            session=session,
            cipher=sqlite_cipher,
            actor=ACTOR,
            review_id=review.id,
            changes=ReviewUpdate(law_changes=[law], improvements=["教育資料の更新"]),
        )
        again = update_review(  # the same again: nothing changes, nothing recorded
            session=session,
            cipher=sqlite_cipher,
            actor=ACTOR,
            review_id=review.id,
            changes=ReviewUpdate(law_changes=[law]),
        )
    assert updated.law_changes == [law] == again.law_changes
    assert updated.improvements == ["教育資料の更新"]
    with sqlite_database.uow() as session:
        decided = record_outcome(
            session=session,
            cipher=sqlite_cipher,
            actor="staff:manager",
            review_id=review.id,
            outcome=_outcome(),
            today=TODAY,
        )
        record_report(session=session, actor=ACTOR, review_id=review.id, what="report.ja.pdf")
    assert decided.status is ReviewStatus.DECIDED
    assert decided.top_manager == SECRET_MANAGER
    assert [d.kind for d in decided.decisions] == [
        DecisionKind.IMPROVEMENT,
        DecisionKind.RESOURCES,
    ]
    entries = audit_entries(sqlite_database)
    assert [e.action for e in entries] == [
        "review.created",
        "review.updated",
        "review.decided",
        "review.reported",
    ]
    assert entries[1].details["fields"] == ["improvements", "law_changes"]
    assert entries[2].actor == "staff:manager"
    assert entries[2].details["decisions"] == 2
    assert entries[2].details["by_kind"] == {"improvement": 1, "resources": 1}
    assert entries[3].details["what"] == "report.ja.pdf"
    chained = repr([e.details for e in entries])
    for secret in (SECRET_MANAGER, SECRET_DECISION, "教育資料", "施行規則"):
        assert secret not in chained
    with sqlite_database.read() as session:
        stored = session.execute(select(ManagementReview.details_enc)).scalar_one()
    assert SECRET_MANAGER not in stored
    # decided: the inputs stay as the top manager saw them
    with pytest.raises(ConflictError), sqlite_database.uow() as session:
        refresh_inputs(
            session=session, cipher=sqlite_cipher, actor=ACTOR, review_id=review.id, today=TODAY
        )


def test_refresh_gathers_the_inputs_again(
    sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    review = _create(sqlite_database, sqlite_cipher, since=SINCE, until=UNTIL)
    assert review.inputs.requests.total.received == 0
    seed_requests(sqlite_database)
    with sqlite_database.uow() as session:
        refreshed = refresh_inputs(
            session=session, cipher=sqlite_cipher, actor=ACTOR, review_id=review.id, today=TODAY
        )
    assert refreshed.inputs.requests.total.received == 6
    with sqlite_database.read() as session:
        assert get_review(session=session, cipher=sqlite_cipher, review_id=review.id) == refreshed
    assert audit_entries(sqlite_database)[-1].action == "review.refreshed"


def test_refusals(sqlite_database: Database, sqlite_cipher: FieldCipher) -> None:
    review = _create(sqlite_database, sqlite_cipher, since=SINCE, until=UNTIL)
    with pytest.raises(NotFoundError), sqlite_database.read() as session:
        get_review(session=session, cipher=sqlite_cipher, review_id="0" * 32)
    late = _outcome().model_copy(update={"held_on": date(2027, 5, 1)})
    with pytest.raises(InputError) as caught, sqlite_database.uow() as session:
        record_outcome(
            session=session,
            cipher=sqlite_cipher,
            actor=ACTOR,
            review_id=review.id,
            outcome=late,
            today=TODAY,
        )
    assert caught.value.field == "held_on"
    with pytest.raises(InputError), sqlite_database.uow() as session:
        record_report(session=session, actor=ACTOR, review_id=review.id, what="../x")
    with pytest.raises(ValueError, match="individual number"):
        ReviewDecision(text="番号 123456789018 を削除")


def test_rotation_reencrypts_the_text(
    sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    review = _create(sqlite_database, sqlite_cipher, since=SINCE, until=UNTIL, title="年次")
    with sqlite_database.read() as session:
        assert REVIEWS_STORE.count_stale(session=session, cipher=sqlite_cipher) == 0
    with sqlite_database.uow() as session:
        row = session.get(ManagementReview, review.id)
        assert row is not None
        row.key_id = "old"
    with sqlite_database.read() as session:
        assert REVIEWS_STORE.count_stale(session=session, cipher=sqlite_cipher) == 1
    with sqlite_database.uow() as session:
        assert REVIEWS_STORE.reencrypt(session=session, cipher=sqlite_cipher, limit=10) == 1
    with sqlite_database.read() as session:
        view = get_review(session=session, cipher=sqlite_cipher, review_id=review.id)
    assert view.title == "年次"
