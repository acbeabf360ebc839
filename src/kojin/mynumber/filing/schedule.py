"""The disposal schedule of the vault's records (R-MN-7): when each number is due for disposal,
which are overdue, which come due soon.

A record's number is kept while its affairs continue; once they have ended (the record's
``affairs_ended_on``), it is kept until the last of its documents' retention ends and disposed
of as soon as possible after that. Its due day is the latest of those retention ends and the
day the affairs ended (:func:`kojin.law.mynumber_rules.disposal_due`); there is none while the
affairs continue. A record is overdue once its due day has passed, upcoming when the due day
falls within the horizon (90 days by default).

Retention ends are computed with the rules in force (a changed retention file applies to every
item); an item whose document kind no longer has a rule keeps the end computed when it was
recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from pydantic import BaseModel

from kojin.law.mynumber_rules import disposal_due, retention_until
from kojin.mynumber.filing.retention import RetentionRules

#: how far ahead "upcoming" looks by default
DEFAULT_HORIZON_DAYS: Final = 90
#: the rule every disposal reason cites
RULE_ID: Final = "R-MN-7"


class ScheduleStatus(StrEnum):
    #: the due day has passed: dispose of the number now
    OVERDUE = "overdue"
    #: due within the horizon
    UPCOMING = "upcoming"
    #: due later than the horizon
    SCHEDULED = "scheduled"
    #: the affairs continue: no due day yet
    CONTINUING = "continuing"


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """What the schedule needs of an active vault record."""

    record_id: str
    subject_id: str
    affairs: tuple[str, ...]
    affairs_ended_on: date | None


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the schedule needs of a retention item."""

    record_id: str
    document: str
    reference_date: date
    #: the end computed when the item was recorded
    recorded_until: date


class RetentionEnd(BaseModel):
    """One document's retention of a record."""

    document: str
    until: date
    citation: str


class ScheduleRow(BaseModel):
    """One active record in the schedule (never its number)."""

    record_id: str
    subject_id: str
    affairs: list[str]
    affairs_ended_on: date | None
    due: date | None
    status: ScheduleStatus
    retention: list[RetentionEnd]
    #: why the record is due, citing the rule (empty while the affairs continue)
    reason: str


class ScheduleSummary(BaseModel):
    """The counts the admin dashboard shows."""

    as_of: date
    horizon_days: int
    overdue: int
    upcoming: int
    scheduled: int
    continuing: int


def item_end(item: ItemFacts, rules: RetentionRules) -> RetentionEnd:
    """The retention end of `item` under `rules` (as recorded when its kind has no rule)."""
    rule = rules.rules.get(item.document)
    if rule is None:
        return RetentionEnd(
            document=item.document,
            until=item.recorded_until,
            citation="as recorded (the kind has no rule now)",
        )
    return RetentionEnd(
        document=item.document,
        until=retention_until(rule, reference=item.reference_date),
        citation=rule.citation,
    )


def _reason(record: RecordFacts, ends: Sequence[RetentionEnd], due: date) -> str:
    assert record.affairs_ended_on is not None
    text = f"{RULE_ID}: the affairs ended {record.affairs_ended_on.isoformat()}"
    if ends:
        last = max(ends, key=lambda end: end.until)
        text += (
            f"; the last retention ({last.document}, {last.citation}) ends {last.until.isoformat()}"
        )
    return f"{text}; disposal due after {due.isoformat()}"


def _status(due: date | None, today: date, horizon_days: int) -> ScheduleStatus:
    if due is None:
        return ScheduleStatus.CONTINUING
    if today > due:
        return ScheduleStatus.OVERDUE
    if due <= today + timedelta(days=horizon_days):
        return ScheduleStatus.UPCOMING
    return ScheduleStatus.SCHEDULED


def schedule_rows(
    records: Iterable[RecordFacts],
    items: Iterable[ItemFacts],
    rules: RetentionRules,
    *,
    today: date,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> list[ScheduleRow]:
    """Every record with its due day and status, the soonest due first (continuing last)."""
    by_record: dict[str, list[RetentionEnd]] = defaultdict(list)
    for item in items:
        by_record[item.record_id].append(item_end(item, rules))
    rows: list[ScheduleRow] = []
    for record in records:
        ends = sorted(by_record.get(record.record_id, []), key=lambda end: end.until)
        due = disposal_due(
            retention_ends=[end.until for end in ends], affairs_ended_on=record.affairs_ended_on
        )
        rows.append(
            ScheduleRow(
                record_id=record.record_id,
                subject_id=record.subject_id,
                affairs=list(record.affairs),
                affairs_ended_on=record.affairs_ended_on,
                due=due,
                status=_status(due, today, horizon_days),
                retention=ends,
                reason="" if due is None else _reason(record, ends, due),
            )
        )
    rows.sort(key=lambda row: (row.due is None, row.due or today, row.record_id))
    return rows


def summarize(rows: Iterable[ScheduleRow], *, today: date, horizon_days: int) -> ScheduleSummary:
    """The counts of `rows` by status."""
    counts = dict.fromkeys(ScheduleStatus, 0)
    for row in rows:
        counts[row.status] += 1
    return ScheduleSummary(
        as_of=today,
        horizon_days=horizon_days,
        overdue=counts[ScheduleStatus.OVERDUE],
        upcoming=counts[ScheduleStatus.UPCOMING],
        scheduled=counts[ScheduleStatus.SCHEDULED],
        continuing=counts[ScheduleStatus.CONTINUING],
    )
