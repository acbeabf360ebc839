"""The clock of a request: business days in Japan and the company's closure days.

"Without delay" has no day count for private operators (R-RT-10); the policy sets the office's
own target in business days (``inquiries.handling.target_business_days``). A business day is a
weekday that is neither a Japanese public holiday (the ``holidays`` package, substitute and
citizens' holidays included) nor one of the policy's closure days. Dates are Tokyo dates:
a request that arrives at 23:30 UTC on 31 March arrived on 1 April.

Pure: no database; the holidays of a year are computed once and kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from kojin.policy.model import Policy
from kojin.policy.model_sections import ClosureDays

TOKYO = ZoneInfo("Asia/Tokyo")
#: Art. 39(1): a suit may be brought once two weeks have passed since the request arrived
SUIT_WAIT = timedelta(days=14)
#: the longest stretch of days without a business day the calendar accepts (a guard against a
#: policy that closes every day)
_MAX_GAP_DAYS = 366


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("JP", years=year))


def tokyo_date(moment: datetime) -> date:
    """The date in Tokyo at `moment` (an aware datetime, e.g. a stored UTC timestamp)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TOKYO).date()


def suit_possible_from(arrival: date) -> date:
    """The first day a suit may be brought about a request that arrived on `arrival`:
    after two weeks have passed (Art. 39(1); R-RT-10: arrival 1 Apr -> 16 Apr)."""
    return arrival + SUIT_WAIT + timedelta(days=1)


def _in_range(day: date, closure: ClosureDays) -> bool:
    key = (day.month, day.day)
    start, end = closure.start, closure.end
    if start <= end:
        return start <= key <= end
    return key >= start or key <= end  # crosses the year end


class BusinessCalendar:
    """Japanese public holidays, weekends and the policy's closure days."""

    __slots__ = ("_closures",)

    def __init__(self, closures: Iterable[ClosureDays] = ()) -> None:
        self._closures = tuple(closures)

    @classmethod
    def from_policy(cls, policy: Policy) -> BusinessCalendar:
        """The calendar of the policy's closure days (``general.inquiries.handling``)."""
        return cls(policy.general.inquiries.handling.closure_days)

    def is_closure_day(self, day: date) -> bool:
        return any(_in_range(day, closure) for closure in self._closures)

    def is_business_day(self, day: date) -> bool:
        """A weekday that is no public holiday in Japan and no closure day."""
        return (
            day.weekday() < 5
            and day not in _public_holidays(day.year)
            and not self.is_closure_day(day)
        )

    def _next_business_day(self, day: date) -> date:
        for _ in range(_MAX_GAP_DAYS):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError("the calendar has no business day within a year")

    def add_business_days(self, start: date, days: int) -> date:
        """The `days`-th business day after `start` (`start` itself is not counted, whatever
        it is); `start` when `days` is 0."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        for _ in range(days):
            day = self._next_business_day(day)
        return day

    def business_days_between(self, after: date, until: date) -> int:
        """Business days in (`after`, `until`]: 0 when `until` is not later than `after`."""
        count = 0
        day = after
        while day < until:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count

    def business_days_left(self, today: date, due: date) -> int:
        """Business days after `today` up to and including `due` (0 on the day itself).

        Negative when overdue: minus the business days since `due`, and at least -1 (a request
        due on Friday is overdue on Saturday even though no business day has passed).
        """
        if today <= due:
            return self.business_days_between(today, due)
        return -max(1, self.business_days_between(due, today))
