"""The clocks of a breach report (Rule 8; GL-General 3-5-3-3, 3-5-3-4; MN-Rules 3; R-BR-4/5).

- The clock starts on the day *any department* of the company learned of the situation (for an
  entruster, at the latest the day the entrustee's notice arrived). That day is **day 1**.
- The preliminary report is due "promptly", as a guide within about 3 to 5 days: the target
  is days 3 to 5 (:func:`preliminary_window`). The guide is a soft target counted in calendar
  days and is not moved off weekends or holidays: a company that waits for Monday is late by
  the guide's own words.
- The final report is due on day 30, or day 60 when the situation was possibly caused by a
  wrongful purpose (also when combined with other categories). When that day is a Saturday, a
  Sunday, a national holiday (the Act on National Holidays, substitute and citizens' holidays
  included: the ``holidays`` package) or one of 29 December to 3 January, the due date is the
  next day that is none of these (:func:`final_report_due`).

Pure: the holidays of a year are computed once and kept.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Final

import holidays

#: the final report's period in days (Rule 8(2); MN-Rules 3(2))
FINAL_DAYS: Final = 30
#: ... when the situation was possibly caused by a wrongful purpose
FINAL_DAYS_WRONGFUL: Final = 60
#: the guide for the preliminary report: "about 3 to 5 days" (GL-General 3-5-3-3)
PRELIMINARY_FIRST_DAY: Final = 3
PRELIMINARY_LAST_DAY: Final = 5
#: the longest run of closed days the calendar accepts (a guard; the longest real one is the
#: year-end closure next to a weekend and a holiday, well under two weeks)
_MAX_CLOSED_RUN: Final = 31


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("JP", years=year))


def is_year_end_closure(day: date) -> bool:
    """29 December to 3 January (GL-General 3-5-3-4)."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_national_holiday(day: date) -> bool:
    """A national holiday of Japan (substitute and citizens' holidays included)."""
    return day in _national_holidays(day.year)


def is_filing_day(day: date) -> bool:
    """A day a period may end on: not a weekend, a national holiday or 29 Dec to 3 Jan."""
    return day.weekday() < 5 and not is_national_holiday(day) and not is_year_end_closure(day)


def next_filing_day(day: date) -> date:
    """`day` itself when a period may end on it, else the next day that is one."""
    for _ in range(_MAX_CLOSED_RUN):
        if is_filing_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError("no filing day within a month")  # pragma: no cover - the calendar has none


def nth_day(known_on: date, n: int) -> date:
    """Day `n` counted with `known_on` as day 1."""
    if n < 1:
        raise ValueError("days are counted from 1")
    return known_on + timedelta(days=n - 1)


def final_report_due(known_on: date, *, wrongful_purpose: bool) -> date:
    """The last day for the final report: day 30 (60 with a wrongful purpose), moved to the next
    filing day when it is a weekend, a national holiday or 29 December to 3 January."""
    days = FINAL_DAYS_WRONGFUL if wrongful_purpose else FINAL_DAYS
    return next_filing_day(nth_day(known_on, days))


def preliminary_window(known_on: date) -> tuple[date, date]:
    """Days 3 and 5: the guide's window for the preliminary report (calendar days)."""
    return nth_day(known_on, PRELIMINARY_FIRST_DAY), nth_day(known_on, PRELIMINARY_LAST_DAY)


def days_left(due: date, *, today: date) -> int:
    """Days from `today` to `due`: 0 on the due day, negative once it has passed."""
    return (due - today).days
