"""The task figures: open, overdue, opened, closed and closed late in a period, open per duty."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from kojin.db.uow import Database
from kojin.registry.obligations.models import ObligationTask
from kojin.registry.obligations.service import task_figures


def _task(
    code: str, due_on: date, *, created: datetime, closed_on: date | None = None
) -> ObligationTask:
    return ObligationTask(
        id=uuid.uuid4().hex,
        task_key=uuid.uuid4().hex * 2,
        round=1,
        code=code,
        rule="R-SEC-4",
        citation="APPI Art. 25",
        timing="periodic",
        category="customers",
        decision_count=1,
        due_on=due_on,
        status="open" if closed_on is None else "done",
        closed_on=closed_on,
        created_at=created,
        updated_at=created,
    )


def test_figures_count_open_overdue_and_the_period(database: Database) -> None:
    today = date(2027, 6, 1)
    with database.uow() as session:
        session.add_all(
            [
                # open, overdue, created before the period
                _task(
                    "supervise_entrustee",
                    date(2027, 5, 1),
                    created=datetime(2027, 1, 5, tzinfo=UTC),
                ),
                # open, due today (not overdue), created in the period
                _task("supervise_entrustee", today, created=datetime(2027, 5, 10, tzinfo=UTC)),
                _task(
                    "understand_foreign_system",
                    date(2027, 7, 1),
                    created=datetime(2027, 5, 11, tzinfo=UTC),
                ),
                # closed late in the period
                _task(
                    "state_purpose_in_advance",
                    date(2027, 5, 2),
                    created=datetime(2027, 5, 1, tzinfo=UTC),
                    closed_on=date(2027, 5, 20),
                ),
                # closed on time in the period
                _task(
                    "state_purpose_in_advance",
                    date(2027, 5, 30),
                    created=datetime(2027, 5, 1, tzinfo=UTC),
                    closed_on=date(2027, 5, 30),
                ),
                # closed before the period
                _task(
                    "state_purpose_in_advance",
                    date(2027, 1, 30),
                    created=datetime(2027, 1, 1, tzinfo=UTC),
                    closed_on=date(2027, 2, 1),
                ),
            ]
        )
    with database.read() as session:
        figures = task_figures(
            session, since=date(2027, 5, 1), until=date(2027, 5, 31), today=today
        )
    assert figures.open == 3
    assert figures.overdue == 1
    assert figures.opened_in_period == 4
    assert figures.closed_in_period == 2
    assert figures.closed_late_in_period == 1
    assert figures.by_code == {"supervise_entrustee": 2, "understand_foreign_system": 1}


def test_a_task_created_just_after_tokyo_midnight_counts_on_that_japanese_day(
    database: Database,
) -> None:
    # 2027-04-30 15:30 UTC is 2027-05-01 00:30 in Tokyo
    with database.uow() as session:
        session.add(
            _task(
                "supervise_entrustee",
                date(2027, 6, 1),
                created=datetime(2027, 4, 30, 15, 30, tzinfo=UTC),
            )
        )
    with database.read() as session:
        may = task_figures(
            session, since=date(2027, 5, 1), until=date(2027, 5, 31), today=date(2027, 5, 2)
        )
        april = task_figures(
            session, since=date(2027, 4, 1), until=date(2027, 4, 30), today=date(2027, 5, 2)
        )
    assert (may.opened_in_period, april.opened_in_period) == (1, 0)
