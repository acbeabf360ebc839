"""The lines that offsets of a buffer fall in, found once per line rather than once per offset.

A dense file holds several findings on most lines; the matcher (context words stay on a finding's
line) and the text scan (line and column of each finding) both need each finding's line, so its
bounds are searched for when an offset falls past the line before, and reused otherwise.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat


@dataclass(frozen=True, slots=True)
class LineBounds:
    """For each offset given: the offset of the first byte of its line, the offset where that
    line ends (its newline, or the buffer's length) and the newlines before it in the buffer."""

    starts: list[int]
    ends: list[int]
    numbers: list[int]


def line_bounds(buf: bytes, offsets: Sequence[int], *, numbered: bool = True) -> LineBounds:
    """The line of each of `offsets` (ascending, each below ``len(buf)``); an offset holding a
    newline belongs to the line that newline ends. The work is per line: the offsets on one line
    are found by bisection and their entries repeated. Without `numbered`, ``numbers`` is empty
    (counting newlines reads the whole buffer)."""
    find, rfind, count = buf.find, buf.rfind, buf.count
    starts: list[int] = []
    ends: list[int] = []
    numbers: list[int] = []
    line_start, line_end, number = 0, -1, 0
    at, total = 0, len(offsets)
    while at < total:
        offset = offsets[at]
        cut = rfind(b"\n", line_end + 1, offset)
        next_start = cut + 1 if cut >= 0 else line_end + 1
        if numbered:
            number += count(b"\n", line_start, next_start)
        line_start = next_start
        line_end = find(b"\n", offset)
        if line_end < 0:
            line_end = len(buf)
        after = at + 1
        if after < total and offsets[after] <= line_end:  # more offsets on this line
            after = bisect_right(offsets, line_end, after + 1)
            run = after - at
            starts += repeat(line_start, run)
            ends += repeat(line_end, run)
            if numbered:
                numbers += repeat(number, run)
        else:
            starts.append(line_start)
            ends.append(line_end)
            if numbered:
                numbers.append(number)
        at = after
    return LineBounds(starts, ends, numbers)
