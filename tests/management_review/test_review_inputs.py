"""A review's inputs match the records: requests by kind and month with their answers on time
or late (days in Japan), incidents by month with their reports' timing, and the improvement
opportunities the figures show."""

from __future__ import annotations

from datetime import date

from review_support import (
    SINCE,
    TODAY,
    UNTIL,
    add_request,
    seed_incidents,
    seed_requests,
    tokyo,
)

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.management.review.inputs import gather_inputs, request_figures
from kojin.management.review.periods import (
    calendar_year,
    fiscal_year,
    last_twelve_months,
    months_of,
)
from kojin.requests.kinds import RequestKind
from kojin.requests.states import RequestState


def test_request_figures_count_arrivals_answers_and_lateness(database: Database) -> None:
    seed_requests(database)
    with database.read() as session:
        figures = request_figures(session=session, since=SINCE, until=UNTIL, today=TODAY)
    total = figures.total
    assert (total.received, total.closed, total.on_time, total.late, total.withdrawn) == (
        6,
        6,
        4,
        1,
        1,
    )
    assert (total.open_at_end, total.overdue_now) == (1, 1)
    assert figures.on_time_rate == 4 / 5
    kinds = {k.kind: k for k in figures.by_kind}
    assert (kinds["disclosure"].received, kinds["disclosure"].closed) == (2, 3)
    assert (kinds["disclosure"].on_time, kinds["disclosure"].late) == (2, 1)
    assert (kinds["erasure"].withdrawn, kinds["erasure"].overdue_now) == (1, 1)
    assert kinds["complaint"].received == kinds["complaint"].on_time == 1
    assert kinds["correction"].received == 0  # arrived after the period
    months = {m.month: m for m in figures.by_month}
    assert list(months) == months_of(SINCE, UNTIL)
    assert len(months) == 12
    assert (months["2026-04"].received, months["2026-04"].closed) == (1, 2)
    assert months["2026-06"].late == 1
    assert months["2026-08"].withdrawn == 1
    assert months["2027-03"].received == 1
    assert sum(m.received for m in months.values()) == total.received
    assert sum(m.on_time for m in months.values()) == total.on_time
    assert total.closed == total.on_time + total.late + total.withdrawn


def test_a_request_without_a_due_date_is_never_late(sqlite_database: Database) -> None:
    add_request(
        sqlite_database,
        kind=RequestKind.INQUIRY,
        state=RequestState.COMPLETED,
        received=tokyo(date(2026, 9, 1)),
        due=None,
        closed=tokyo(date(2027, 3, 1)),
    )
    with sqlite_database.read() as session:
        figures = request_figures(session=session, since=SINCE, until=UNTIL, today=TODAY)
    assert (figures.total.closed, figures.total.on_time, figures.total.late) == (1, 1, 0)
    assert figures.total.overdue_now == 0


def test_incidents_and_opportunities_in_the_inputs(database: Database, cipher: FieldCipher) -> None:
    seed_requests(database)
    seed_incidents(database, cipher)
    with database.read() as session:
        inputs = gather_inputs(
            session=session, cipher=cipher, since=SINCE, until=UNTIL, today=TODAY
        )
    incidents = inputs.incidents
    assert (incidents.known, incidents.reportable) == (3, 2)
    assert incidents.by_kind == {"leakage": 3}
    months = {m.month: (m.known, m.reportable) for m in incidents.by_month}
    assert months["2026-05"] == (1, 1)
    assert months["2026-09"] == (1, 0)
    assert months["2027-02"] == (1, 1)
    assert sum(k for k, _ in months.values()) == 3
    assert (incidents.preliminary_on_time, incidents.preliminary_late) == (1, 0)
    assert (incidents.final_on_time, incidents.final_late, incidents.final_overdue) == (1, 0, 1)
    assert (incidents.open_now, incidents.must_report_open_now, incidents.overdue_now) == (4, 2, 1)
    codes = {o.code: o.count for o in inputs.opportunities}
    assert codes["requests_late"] == 1
    assert codes["requests_overdue"] == 1
    assert codes["incident_reports_overdue"] == 1
    assert "incident_reports_late" not in codes  # nothing late: not an opportunity


def test_periods() -> None:
    assert last_twelve_months(date(2026, 12, 2)) == (date(2025, 12, 1), date(2026, 11, 30))
    assert last_twelve_months(date(2027, 1, 15)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert calendar_year(2026) == (date(2026, 1, 1), date(2026, 12, 31))
    assert fiscal_year(2026) == (date(2026, 4, 1), date(2027, 3, 31))
    assert months_of(date(2026, 11, 15), date(2027, 2, 1)) == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
