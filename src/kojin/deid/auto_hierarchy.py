"""Hierarchies kojin builds itself: nested intervals for numbers, calendar steps for dates.

Numbers: level 1 groups values into intervals ``[a, a+w)`` with a round width ``w`` (1, 2 or 5
times a power of ten, about a sixteenth of the range); each further level doubles the width, so
intervals nest; the last level is ``*``. Values at or above a top code become ``>=T`` and values
below a bottom code become ``<B`` before anything else (top and bottom coding, R-AN-1(4)).

Dates (ISO ``YYYY-MM-DD``): day, month ``YYYY-MM``, year ``YYYY``, decade ``YYYYs``, ``*``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kojin.deid.hierarchy import Hierarchy, hierarchy_from_rows
from kojin.errors import InputError

TOP = "*"


@dataclass(frozen=True)
class OutlierCoding:
    """Top and bottom coding of a numeric column (either bound may be absent)."""

    top: float | None = None
    bottom: float | None = None

    def code(self, value: float) -> str | None:
        """The coded label for an outlier, or None when the value is kept."""
        if self.top is not None and value >= self.top:
            return f">={_fmt(self.top)}"
        if self.bottom is not None and value < self.bottom:
            return f"<{_fmt(self.bottom)}"
        return None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _nice_width(span: float) -> float:
    raw = max(span / 16.0, 1e-9)
    exponent = math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        width = factor * 10.0**exponent
        if width >= raw:
            return width
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop always returns


def apply_outlier_coding(
    *,
    column: str,
    values: Sequence[str],
    coding: OutlierCoding,
    first_rows: Mapping[str, int] | None = None,
) -> list[str]:
    """Replace outliers by their coded label; other values are returned unchanged.

    An error names the row of the value: its position in `values`, or ``first_rows[value]`` when the
    values are the distinct ones of a column (in order of first appearance) and `first_rows` gives
    where each first appears.
    """
    out: list[str] = []
    for position, value in enumerate(values, start=1):
        row = first_rows[value] if first_rows is not None else position
        number = _parse_number(column=column, value=value, row=row)
        coded = coding.code(number)
        out.append(value if coded is None else coded)
    return out


def _row_of(values: Sequence[str], value: str, first_rows: Mapping[str, int] | None = None) -> int:
    if first_rows is not None:
        return first_rows[value]
    return list(values).index(value) + 1


def _parse_number(*, column: str, value: str, row: int) -> float:
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"column {column!r}, row {row}: not a number", field=column) from None
    if not math.isfinite(number):
        raise InputError(f"column {column!r}, row {row}: not a finite number", field=column)
    return number


def numeric_hierarchy(
    *,
    column: str,
    values: Sequence[str],
    coding: OutlierCoding | None = None,
    first_rows: Mapping[str, int] | None = None,
) -> Hierarchy:
    """Nested-interval hierarchy over the distinct values (outlier labels included)."""
    coding = coding or OutlierCoding()
    distinct = sorted(set(values))
    numbers: dict[str, float] = {}
    coded_labels: list[str] = []
    for value in distinct:
        if value.startswith((">=", "<")):
            coded_labels.append(value)
            continue
        try:
            numbers[value] = float(value)
        except ValueError:
            numbers[value] = _parse_number(
                column=column, value=value, row=_row_of(values, value, first_rows)
            )
        if not math.isfinite(numbers[value]):
            _parse_number(column=column, value=value, row=_row_of(values, value, first_rows))
    if not numbers:
        raise InputError(f"column {column!r} has no numeric values to build intervals from")
    low, high = min(numbers.values()), max(numbers.values())
    widths: list[float] = []
    width = _nice_width(high - low)
    while math.floor(low / width) != math.floor(high / width) or not widths:
        widths.append(width)
        if math.floor(low / width) == math.floor(high / width):
            break
        width *= 2.0
    integral = all(n.is_integer() for n in numbers.values()) and all(w.is_integer() for w in widths)

    def interval(number: float, w: float) -> str:
        start = math.floor(number / w) * w
        if integral:
            return f"[{int(start)}, {int(start + w)})"
        return f"[{start:g}, {start + w:g})"

    rows: list[list[str]] = []
    for value, number in sorted(numbers.items(), key=lambda item: item[1]):
        rows.append([value, *(interval(number, w) for w in widths), TOP])
    for label in coded_labels:
        bound = float(label.lstrip("<>="))
        if label.startswith(">="):
            levels = [f">={_fmt(math.floor(bound / w) * w)}" for w in widths]
        else:
            levels = [f"<{_fmt(math.ceil(bound / w) * w)}" for w in widths]
        rows.append([label, *levels, TOP])
    return hierarchy_from_rows(column=column, rows=rows, source="built from numbers")


def date_hierarchy(
    *, column: str, values: Sequence[str], first_rows: Mapping[str, int] | None = None
) -> Hierarchy:
    """Day → month → year → decade → ``*`` over the distinct ISO dates."""
    rows: list[list[str]] = []
    for value in sorted(set(values)):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise InputError(
                f"column {column!r}, row {_row_of(values, value, first_rows)}: not an ISO date "
                "(YYYY-MM-DD)",
                field=column,
            ) from None
        decade = day.year // 10 * 10
        rows.append(
            [value, f"{day.year:04d}-{day.month:02d}", f"{day.year:04d}", f"{decade}s", TOP]
        )
    return hierarchy_from_rows(column=column, rows=rows, source="built from dates")


def _looks_like_date(value: str) -> bool:
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def auto_hierarchy(
    *,
    column: str,
    values: Sequence[str],
    coding: OutlierCoding | None = None,
    first_rows: Mapping[str, int] | None = None,
) -> Hierarchy:
    """Dates if every value is an ISO date, otherwise nested intervals over numbers
    (`first_rows`: as for :func:`apply_outlier_coding`)."""
    if not values:
        raise InputError(f"column {column!r} is empty; cannot build a hierarchy", field=column)
    distinct = set(values)
    if coding is None and all(_looks_like_date(value) for value in distinct):
        return date_hierarchy(column=column, values=values, first_rows=first_rows)
    return numeric_hierarchy(column=column, values=values, coding=coding, first_rows=first_rows)
