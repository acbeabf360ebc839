"""The period a management review covers, and its months (dates in Japan).

R-PM-8 asks for a review at planned intervals; the customary one is yearly (R-PM-1 "at least
once a year"). The default period is the twelve full months before the current month, so the
report's month-by-month figures are whole months; a calendar year or a Japanese fiscal year
(April to March) can be chosen instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from kojin.errors import InputError

TOKYO: Final = ZoneInfo("Asia/Tokyo")
#: the first month of a Japanese fiscal year (April)
FISCAL_START_MONTH: Final = 4


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_twelve_months(today: date) -> tuple[date, date]:
    """The twelve full months before the month of `today` (both days included)."""
    this_month = today.replace(day=1)
    return _add_months(this_month, -12), this_month - timedelta(days=1)


def calendar_year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def fiscal_year(year: int) -> tuple[date, date]:
    """The fiscal year that starts in April of `year` (年度)."""
    return date(year, FISCAL_START_MONTH, 1), date(year + 1, FISCAL_START_MONTH, 1) - timedelta(
        days=1
    )


#: the years a period may fall in (the clock's arithmetic stays far from datetime's limits)
EARLIEST_YEAR: Final = 1990
LATEST_YEAR: Final = 2999


def check_period(since: date, until: date, *, longest_days: int) -> None:
    """InputError naming the field when the period is backwards, too long or outside
    :data:`EARLIEST_YEAR`..:data:`LATEST_YEAR`."""
    for name, day in (("since", since), ("until", until)):
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise InputError(
                f"{name} must fall between {EARLIEST_YEAR} and {LATEST_YEAR}", field=name
            )
    if until < since:
        raise InputError("until must not be before since", field="until")
    if (until - since).days + 1 > longest_days:
        raise InputError(f"the period must not be longer than {longest_days} days", field="until")


def months_of(since: date, until: date) -> list[str]:
    """``YYYY-MM`` of every month the period touches, in order."""
    months = []
    current = since.replace(day=1)
    while current <= until:
        months.append(f"{current.year:04d}-{current.month:02d}")
        current = _add_months(current, 1)
    return months


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """The UTC moments the period starts and ends (end excluded): midnight in Japan."""
    start = datetime.combine(since, time(), tzinfo=TOKYO).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=TOKYO).astimezone(UTC)
    return start, end
