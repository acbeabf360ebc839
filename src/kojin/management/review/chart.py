"""Month-by-month bar charts drawn on the server as SVG (no script; the report's PDF prints
them as they are): one group of bars per month, one bar per series, scaled to the largest
value, with the figures also given as a table beside the chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

WIDTH: Final = 640
HEIGHT: Final = 240
LEFT, RIGHT, TOP, BOTTOM = 12, 12, 28, 36
#: the space between two months' groups, as a share of a group's width
GROUP_GAP: Final = 0.25


@dataclass(frozen=True, slots=True)
class Bar:
    series: int
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True, slots=True)
class Group:
    #: ``YYYY-MM``
    month: str
    label: str
    centre: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class MonthChart:
    width: int
    height: int
    baseline: float
    #: the series' names, in the bars' order
    series: tuple[str, ...]
    groups: tuple[Group, ...]

    @property
    def largest(self) -> int:
        return max((bar.value for group in self.groups for bar in group.bars), default=0)


def month_chart(
    rows: Sequence[tuple[str, str, Sequence[int]]], series: Sequence[str]
) -> MonthChart:
    """Bars for `rows` (month, its label, one value per series), scaled to the largest value;
    a non-zero value stays visible (2 units at least)."""
    count = max(len(rows), 1)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    group_width = plot_width / count
    inner = group_width * (1 - GROUP_GAP)
    bar_width = inner / max(len(series), 1)
    largest = max((v for _, _, values in rows for v in values), default=0)
    baseline = float(TOP + plot_height)
    groups = []
    for index, (month, label, values) in enumerate(rows):
        start = LEFT + index * group_width + (group_width - inner) / 2
        bars = []
        for number, value in enumerate(values):
            height = 0.0 if largest == 0 else plot_height * value / largest
            if value and height < 2:
                height = 2.0
            bars.append(
                Bar(
                    series=number,
                    value=value,
                    x=round(start + number * bar_width, 1),
                    y=round(baseline - height, 1),
                    width=round(bar_width, 1),
                    height=round(height, 1),
                )
            )
        groups.append(
            Group(
                month=month,
                label=label,
                centre=round(LEFT + index * group_width + group_width / 2, 1),
                bars=tuple(bars),
            )
        )
    return MonthChart(
        width=WIDTH, height=HEIGHT, baseline=baseline, series=tuple(series), groups=tuple(groups)
    )
