"""A bar chart drawn on the server as SVG: open requests by business days left.

The geometry is computed here and drawn by ``templates/admin/chart.html``: no script, no
inline style (colours come from the stylesheet's classes), a title and a description for
screen readers, and the same figures as a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 560
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 16, 16, 34, 46
GAP = 18

#: the service's buckets and their message keys (``admin.dashboard.bucket.<key>``)
BUCKET_KEYS = {
    "overdue": "overdue",
    "0-2": "d0_2",
    "3-5": "d3_5",
    "6-10": "d6_10",
    "11+": "d11_plus",
}


@dataclass(frozen=True, slots=True)
class Bar:
    key: str
    value: int
    x: float
    y: float
    width: float
    height: float
    overdue: bool

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def bucket_key(label: str) -> str:
    """The message key of a bucket label; an unknown label keeps a key of its own shape."""
    return BUCKET_KEYS.get(label, "other")


def days_left_chart(buckets: Sequence[tuple[str, int]]) -> Chart:
    """Bars for `buckets` (label, count), scaled to the largest count."""
    count = max(len(buckets), 1)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    bar_width = (plot_width - GAP * (count - 1)) / count
    largest = max((value for _, value in buckets), default=0)
    baseline = float(TOP + plot_height)
    bars = []
    for index, (label, value) in enumerate(buckets):
        height = 0.0 if largest == 0 else plot_height * value / largest
        if value and height < 2:
            height = 2.0  # a non-zero count stays visible
        bars.append(
            Bar(
                key=bucket_key(label),
                value=value,
                x=round(LEFT + index * (bar_width + GAP), 1),
                y=round(baseline - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                overdue=label == "overdue",
            )
        )
    return Chart(width=WIDTH, height=HEIGHT, baseline=baseline, bars=tuple(bars))
