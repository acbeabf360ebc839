"""Line bounds found once per line agree with searching around every offset."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kojin.discovery.lines import line_bounds


@st.composite
def _buffer_and_offsets(draw: st.DrawFn) -> tuple[bytes, list[int]]:
    buf = draw(st.binary(min_size=1, max_size=40).map(lambda b: b.replace(b"\x00", b"\n")))
    offsets = draw(st.lists(st.integers(min_value=0, max_value=len(buf) - 1), max_size=20))
    return buf, sorted(offsets)


@given(_buffer_and_offsets())
def test_line_bounds_agree_with_a_search_per_offset(case: tuple[bytes, list[int]]) -> None:
    buf, offsets = case
    bounds = line_bounds(buf, offsets)
    assert bounds.starts == [buf.rfind(b"\n", 0, offset) + 1 for offset in offsets]
    ends = [buf.find(b"\n", offset) for offset in offsets]
    assert bounds.ends == [end if end >= 0 else len(buf) for end in ends]
    assert bounds.numbers == [buf.count(b"\n", 0, offset) for offset in offsets]


def test_offsets_on_one_line_share_its_bounds() -> None:
    buf = b"ab\ncd ef\n\ngh"
    bounds = line_bounds(buf, [0, 3, 6, 8, 9, 11])
    assert bounds.starts == [0, 3, 3, 3, 9, 10]
    assert bounds.ends == [2, 8, 8, 8, 9, 12]
    assert bounds.numbers == [0, 1, 1, 1, 2, 3]


def test_line_bounds_without_numbers() -> None:
    bounds = line_bounds(b"ab\ncd", [1, 4], numbered=False)
    assert (bounds.starts, bounds.ends, bounds.numbers) == ([0, 3], [2, 5], [])
