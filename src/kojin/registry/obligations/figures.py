"""The obligation tasks' figures: open, overdue, opened and closed (late) in a period, open per
duty. The dashboard and the management review (R-PM-8) read them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.registry.obligations.models import ObligationTask
from kojin.registry.obligations.schemas import TaskFigures, TaskStatus

#: the days the figures count in: dates are Japanese dates
TOKYO: Final = ZoneInfo("Asia/Tokyo")


def day_start(day: date) -> datetime:
    """The moment `day` begins in Asia/Tokyo."""
    return datetime.combine(day, time(0), tzinfo=TOKYO)


def tokyo_day(moment: datetime) -> date:
    """The Japanese date of a moment."""
    return moment.astimezone(TOKYO).date()


def task_figures(session: Session, *, since: date, until: date, today: date) -> TaskFigures:
    """The figures of the tasks: open and overdue on `today`; opened, closed and closed late
    between `since` and `until` (both included, Japanese dates)."""
    open_ = ObligationTask.status == TaskStatus.OPEN.value
    by_code = {
        str(code): int(n)
        for code, n in session.execute(
            select(ObligationTask.code, func.count()).where(open_).group_by(ObligationTask.code)
        )
    }
    overdue = session.execute(
        select(func.count()).select_from(ObligationTask).where(open_, ObligationTask.due_on < today)
    ).scalar_one()
    start, end = day_start(since), day_start(until + timedelta(days=1))
    opened = session.execute(
        select(func.count())
        .select_from(ObligationTask)
        .where(ObligationTask.created_at >= start, ObligationTask.created_at < end)
    ).scalar_one()
    closed_in = (
        ObligationTask.status == TaskStatus.DONE.value,
        ObligationTask.closed_on >= since,
        ObligationTask.closed_on <= until,
    )
    closed = session.execute(
        select(func.count()).select_from(ObligationTask).where(*closed_in)
    ).scalar_one()
    late = session.execute(
        select(func.count())
        .select_from(ObligationTask)
        .where(*closed_in, ObligationTask.closed_on > ObligationTask.due_on)
    ).scalar_one()
    return TaskFigures(
        open=sum(by_code.values()),
        overdue=int(overdue),
        opened_in_period=int(opened),
        closed_in_period=int(closed),
        closed_late_in_period=int(late),
        by_code=by_code,
    )
