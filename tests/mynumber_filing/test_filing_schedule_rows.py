"""The disposal schedule: due = the latest of the retention ends and the affairs' end, none while
the affairs continue; overdue and upcoming across year ends; configured rules apply."""

from __future__ import annotations

from datetime import date

import pytest

from kojin.mynumber.filing.retention import STATUTORY, RetentionRules, parse_retention_rules
from kojin.mynumber.filing.schedule import (
    ItemFacts,
    RecordFacts,
    ScheduleRow,
    ScheduleStatus,
    schedule_rows,
    summarize,
)

RECORDS = [
    RecordFacts("a", "sa", ("remuneration_payment_records",), date(2030, 3, 31)),
    RecordFacts("b", "sb", ("real_estate_fee_records",), date(2032, 12, 31)),
    RecordFacts("c", "sc", ("remuneration_payment_records",), None),
    RecordFacts("d", "sd", ("remuneration_payment_records",), date(2031, 6, 30)),
]
ITEMS = [
    # a payment record of 2025: filed by 31 January 2026, kept 7 years
    ItemFacts("a", "payment_record", date(2026, 1, 31), date(2033, 1, 31)),
    ItemFacts("a", "payment_record", date(2023, 1, 31), date(2030, 1, 31)),
    ItemFacts("c", "payment_record", date(2026, 1, 31), date(2033, 1, 31)),
    # a dependants' deduction form due in 2024: kept until 10 January 2032
    ItemFacts("d", "dependants_deduction_form", date(2024, 12, 31), date(2032, 1, 10)),
]


def _by_id(
    today: date, horizon: int = 90, rules: RetentionRules = STATUTORY
) -> dict[str, ScheduleRow]:
    rows = schedule_rows(RECORDS, ITEMS, rules, today=today, horizon_days=horizon)
    return {row.record_id: row for row in rows}


def test_due_days() -> None:
    rows = _by_id(date(2026, 1, 1))
    assert rows["a"].due == date(2033, 1, 31)
    assert [end.until for end in rows["a"].retention] == [date(2030, 1, 31), date(2033, 1, 31)]
    assert rows["b"].due == date(2032, 12, 31)  # no document: the affairs' end
    assert rows["c"].due is None
    assert rows["c"].status is ScheduleStatus.CONTINUING
    assert rows["c"].reason == ""
    assert rows["d"].due == date(2032, 1, 10)
    assert rows["a"].reason == (
        "R-MN-7: the affairs ended 2030-03-31; the last retention (payment_record, "
        f"{STATUTORY.rule('payment_record').citation}) ends 2033-01-31; disposal due after "
        "2033-01-31"
    )
    ordered = [
        row.record_id for row in schedule_rows(RECORDS, ITEMS, STATUTORY, today=date(2026, 1, 1))
    ]
    assert ordered == ["d", "b", "a", "c"]


@pytest.mark.parametrize(
    ("today", "record", "status"),
    [
        (date(2032, 12, 31), "b", ScheduleStatus.UPCOMING),  # the last day it may be kept
        (date(2033, 1, 1), "b", ScheduleStatus.OVERDUE),  # across the year end
        (date(2033, 1, 31), "a", ScheduleStatus.UPCOMING),
        (date(2033, 2, 1), "a", ScheduleStatus.OVERDUE),
        (date(2031, 10, 12), "d", ScheduleStatus.UPCOMING),  # 2032-01-10 is 90 days ahead
        (date(2031, 10, 11), "d", ScheduleStatus.SCHEDULED),
        (date(2040, 1, 1), "c", ScheduleStatus.CONTINUING),
    ],
)
def test_statuses(today: date, record: str, status: ScheduleStatus) -> None:
    assert _by_id(today)[record].status is status


def test_configured_rules_apply_to_recorded_items() -> None:
    rules = parse_retention_rules(
        "documents: {payment_record: {years: 5}, dependants_deduction_form: {years: 10}}",
        source="r.yaml",
    )
    rows = _by_id(date(2031, 2, 1), rules=rules)
    assert rows["a"].due == date(2031, 1, 31)
    assert rows["a"].status is ScheduleStatus.OVERDUE
    assert rows["d"].due == date(2035, 1, 10)


def test_an_item_of_a_kind_without_a_rule_keeps_its_recorded_end() -> None:
    items = [ItemFacts("b", "board_minutes", date(2020, 1, 1), date(2034, 3, 31))]
    (row,) = schedule_rows(RECORDS[1:2], items, STATUTORY, today=date(2026, 1, 1))
    assert row.due == date(2034, 3, 31)
    assert row.retention[0].citation == "as recorded (the kind has no rule now)"


def test_summary() -> None:
    today = date(2033, 1, 1)
    rows = schedule_rows(RECORDS, ITEMS, STATUTORY, today=today, horizon_days=60)
    summary = summarize(rows, today=today, horizon_days=60)
    assert (summary.overdue, summary.upcoming, summary.scheduled, summary.continuing) == (
        2,
        1,
        0,
        1,
    )
