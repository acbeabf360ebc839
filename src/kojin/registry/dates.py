"""Calendar helpers for retention and review periods."""

from __future__ import annotations

from datetime import date, datetime


def add_years(day: date, years: int) -> date:
    """`day` moved by whole years; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_years_dt(moment: datetime, years: int) -> datetime:
    """`moment` moved by whole years, keeping the time of day and zone."""
    moved = add_years(moment.date(), years)
    return moment.replace(year=moved.year, month=moved.month, day=moved.day)
