"""The clock: business days across Japanese holidays and closure days, Tokyo dates, Art. 39."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from kojin.policy.model import Policy
from kojin.policy.model_sections import ClosureDays, RequestHandling
from kojin.requests.clock import BusinessCalendar, suit_possible_from, tokyo_date

YEAR_END = ClosureDays.model_validate({"from": "12-29", "to": "01-03"})
OBON = ClosureDays.model_validate({"from": "08-13", "to": "08-16"})
SEED = BusinessCalendar([YEAR_END])


@pytest.mark.parametrize(
    ("start", "days", "due", "why"),
    [
        (date(2027, 4, 7), 1, date(2027, 4, 8), "an ordinary Wednesday"),
        (date(2027, 4, 7), 10, date(2027, 4, 21), "two weeks of weekdays"),
        (date(2027, 4, 28), 1, date(2027, 4, 30), "29 April is Showa Day"),
        (date(2027, 4, 28), 2, date(2027, 5, 6), "Golden Week: 3-5 May and a weekend"),
        (date(2027, 4, 30), 1, date(2027, 5, 6), "from the Friday before Golden Week"),
        (date(2027, 4, 30), 10, date(2027, 5, 19), "ten days after Golden Week"),
        (date(2026, 12, 25), 1, date(2026, 12, 28), "Friday to Monday before the year end"),
        (date(2026, 12, 25), 2, date(2027, 1, 4), "29 December to 3 January closed"),
        (date(2026, 12, 28), 1, date(2027, 1, 4), "the closure crosses the year end"),
        (date(2026, 12, 30), 1, date(2027, 1, 4), "an arrival inside the closure"),
        (date(2026, 12, 24), 10, date(2027, 1, 14), "year end and Coming-of-Age Day"),
        (date(2027, 1, 8), 1, date(2027, 1, 12), "11 January 2027 is Coming-of-Age Day"),
        (date(2027, 1, 11), 1, date(2027, 1, 12), "an arrival on a holiday"),
        (date(2027, 6, 5), 1, date(2027, 6, 7), "a Saturday arrival counts from Monday"),
        (date(2027, 6, 5), 10, date(2027, 6, 18), "a Saturday arrival, ten days"),
        (date(2026, 9, 18), 1, date(2026, 9, 24), "Silver Week 2026: 21-23 September"),
        (date(2027, 3, 19), 1, date(2027, 3, 23), "a substitute holiday (22 March 2027)"),
        (date(2027, 4, 7), 0, date(2027, 4, 7), "no days: the start itself"),
    ],
)
def test_add_business_days(start: date, days: int, due: date, why: str) -> None:
    assert SEED.add_business_days(start, days) == due, why


def test_closure_days_come_from_the_policy(policy: Policy) -> None:
    calendar = BusinessCalendar.from_policy(policy)
    assert not calendar.is_business_day(date(2026, 12, 29))
    assert not calendar.is_business_day(date(2027, 1, 3))
    assert calendar.is_business_day(date(2026, 12, 28))
    assert calendar.is_business_day(date(2027, 1, 4))


def test_without_closure_days_only_weekends_and_holidays_count() -> None:
    calendar = BusinessCalendar()
    assert calendar.is_business_day(date(2026, 12, 29))
    assert calendar.add_business_days(date(2026, 12, 28), 1) == date(2026, 12, 29)
    assert not calendar.is_business_day(date(2027, 1, 1))


def test_a_range_within_the_year() -> None:
    calendar = BusinessCalendar([OBON])
    # 11 August 2027 is Mountain Day; 13-16 August are closed; 14-15 are a weekend
    assert calendar.add_business_days(date(2027, 8, 10), 1) == date(2027, 8, 12)
    assert calendar.add_business_days(date(2027, 8, 12), 1) == date(2027, 8, 17)
    assert BusinessCalendar().add_business_days(date(2027, 8, 12), 1) == date(2027, 8, 13)
    assert calendar.is_business_day(date(2027, 12, 29))  # the year end is not in this one


@pytest.mark.parametrize(
    ("today", "due", "left"),
    [
        (date(2027, 4, 28), date(2027, 5, 6), 2),  # 30 April and 6 May
        (date(2027, 5, 6), date(2027, 5, 6), 0),
        (date(2027, 5, 7), date(2027, 5, 6), -1),
        (date(2027, 5, 10), date(2027, 5, 6), -2),
        (date(2027, 5, 8), date(2027, 5, 7), -1),  # Saturday after a Friday due date
        (date(2026, 12, 28), date(2027, 1, 5), 2),
    ],
)
def test_business_days_left(today: date, due: date, left: int) -> None:
    assert SEED.business_days_left(today, due) == left


@pytest.mark.parametrize(
    ("arrival", "suit_from"),
    [
        (date(2027, 4, 1), date(2027, 4, 16)),  # R-RT-10's own example
        (date(2027, 12, 20), date(2028, 1, 4)),  # calendar days: closures do not matter
        (date(2028, 2, 20), date(2028, 3, 6)),  # through a leap day
    ],
)
def test_suit_possible_from(arrival: date, suit_from: date) -> None:
    assert suit_possible_from(arrival) == suit_from


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2027, 3, 31, 15, 30, tzinfo=UTC), date(2027, 4, 1)),  # 00:30 in Tokyo
        (datetime(2027, 3, 31, 14, 59, tzinfo=UTC), date(2027, 3, 31)),
        (datetime(2027, 3, 31, 14, 59), date(2027, 3, 31)),  # naive: taken as UTC
    ],
)
def test_tokyo_dates(moment: datetime, day: date) -> None:
    assert tokyo_date(moment) == day


def test_handling_defaults_and_the_seed(policy: Policy) -> None:
    handling = policy.general.inquiries.handling
    assert handling == RequestHandling()
    assert (handling.target_business_days, handling.document_holding_days) == (10, 30)
    assert handling.inquiry_retention_days == 90
    assert [(c.start, c.end) for c in handling.closure_days] == [((12, 29), (1, 3))]
    assert policy.specific_personal is not None
    assert policy.specific_personal.inquiries.handling == RequestHandling()


@pytest.mark.parametrize("bad", ["13-01", "02-30", "04-31", "1-3", "12/29", ""])
def test_closure_days_must_be_real_days(bad: str) -> None:
    with pytest.raises(ValidationError):
        ClosureDays.model_validate({"from": bad, "to": "01-03"})


def test_a_calendar_without_business_days_is_refused() -> None:
    always = BusinessCalendar([ClosureDays.model_validate({"from": "01-02", "to": "01-01"})])
    with pytest.raises(ValueError, match="no business day"):
        always.add_business_days(date(2027, 4, 1), 1)


def _with_handling(block: str) -> str:
    from kojin.policy.load import default_policy_text

    text = default_policy_text()
    start = text.index("    handling:\n", text.index("  inquiries:"))
    end = text.index("\nspecific_personal:", start)
    return text[:start] + block + text[end:]


def test_a_policy_sets_its_own_handling() -> None:
    from kojin.policy.load import parse_policy

    text = _with_handling(
        "    handling:\n"
        "      target_business_days: 5\n"
        "      closure_days:\n"
        '        - {from: "08-13", to: "08-16"}\n'
        '        - {from: "12-28", to: "01-04"}\n'
        "      document_holding_days: 7\n"
        "      inquiry_retention_days: 30\n"
    )
    policy = parse_policy(text, source="custom.yaml")
    handling = policy.general.inquiries.handling
    assert handling.target_business_days == 5
    calendar = BusinessCalendar.from_policy(policy)
    assert not calendar.is_business_day(date(2027, 8, 16))
    assert not calendar.is_business_day(date(2026, 12, 28))
    assert not calendar.is_business_day(date(2027, 1, 4))


def test_a_policy_without_handling_gets_the_defaults() -> None:
    from kojin.policy.load import parse_policy

    policy = parse_policy(_with_handling(""), source="custom.yaml")
    assert policy.general.inquiries.handling == RequestHandling()


def test_a_wrong_closure_day_names_its_place() -> None:
    from kojin.errors import PolicyError
    from kojin.policy.load import parse_policy

    text = _with_handling(
        '    handling:\n      closure_days:\n        - {from: "02-30", to: "03-01"}\n'
    )
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="custom.yaml")
    assert "closure_days" in str(caught.value.issues[0])
