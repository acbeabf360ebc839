"""Which patterns always start with a digit (ASCII or full-width), found by parsing the regex.

The matcher lets such a pattern start only after a non-digit (see :mod:`kojin.discovery.matcher`):
a boundary detector rejects any value that starts inside a run of digits anyway, and letting the
search start a thread at every digit makes RE2's DFA remember which offsets of a long digit run
began a candidate, so its state count grows with the text instead of staying bounded.

Patterns are valid Python regexes (the catalogue checks this), so Python's own parser reads the
first element (through :mod:`kojin.discovery.sre_adapter`). Anything the analysis does not
understand counts as "may start with another character", which keeps the plain search for that
pattern.
"""

from __future__ import annotations

from typing import Any

from kojin.discovery.sre_adapter import (
    BRANCH,
    IN,
    LITERAL,
    MAX_REPEAT,
    MIN_REPEAT,
    RANGE,
    SUBPATTERN,
    Item,
    parse,
    sequence,
)

_DIGIT_RANGES = ((ord("0"), ord("9")), (ord("０"), ord("９")))


def _is_digit_range(low: int, high: int) -> bool:
    return any(lo <= low and high <= hi for lo, hi in _DIGIT_RANGES)


def _item_starts_with_digit(op: Any, arg: Any) -> bool:
    if op is LITERAL:
        return _is_digit_range(arg, arg)
    if op is IN:
        return all(
            (kind is LITERAL and _is_digit_range(value, value))
            or (kind is RANGE and _is_digit_range(*value))
            for kind, value in sequence(arg)
        )
    if op is SUBPATTERN:
        return _sequence_starts_with_digit(sequence(arg[-1]))
    if op is BRANCH:
        return all(_sequence_starts_with_digit(sequence(branch)) for branch in arg[1])
    if op is MAX_REPEAT or op is MIN_REPEAT:
        low, _, item = arg
        return bool(low >= 1 and _sequence_starts_with_digit(sequence(item)))
    return False  # anchors, categories, negated classes, ...: not known to be a digit


def _sequence_starts_with_digit(items: list[Item]) -> bool:
    return bool(items) and _item_starts_with_digit(*items[0])


def starts_with_digit(regex: str) -> bool:
    """Whether every match of `regex` starts with a digit (0-9 or ０-９)."""
    return _sequence_starts_with_digit(parse(regex))
