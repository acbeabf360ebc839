"""Masking: findings carry a masked value only, never the raw one (DESIGN: never print a My Number).

Masks keep the shape (separators, length) so a reader can tell what was found without seeing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import compress

from kojin.discovery.model import MaskStyle

MASK = "*"
_SEPARATORS = frozenset(" 　-‐－―−ー/.．:：@＠()（）年月日")
_NON_SEPARATOR = re.compile("[^" + "".join(re.escape(ch) for ch in sorted(_SEPARATORS)) + "]")
_JOIN = "\n"  # joins values masked in bulk: neither a letter, a digit nor a separator
_NON_SEPARATOR_NOR_JOIN = re.compile(
    "[^" + "".join(re.escape(ch) for ch in sorted(_SEPARATORS | {_JOIN})) + "]"
)
_ASCII_DIGITS = b"0123456789"
_FOUR_DIGITS_FROM_THE_END = re.compile(rb"(?:[^0-9]*[0-9]){4}")  # matched on the reversed value
_NO_ASCII_DIGITS = str.maketrans(dict.fromkeys("0123456789"))
_ASCII_STAR = str.maketrans(
    dict.fromkeys("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", MASK)
)


def _hide(text: str, keep: int = 0) -> str:
    """Hide every non-separator character except the first `keep` of them (ASCII values: their
    letters and digits). Done in C: a scan masks one value per finding."""
    if keep == 0:
        if text.isascii():
            return text.translate(_ASCII_STAR)
        return _NON_SEPARATOR.sub(MASK, text)
    cut = 0
    for _ in range(keep):
        found = _NON_SEPARATOR.search(text, cut)
        if found is None:
            return text
        cut = found.end()
    return text[:cut] + _NON_SEPARATOR.sub(MASK, text[cut:])


def _last4(text: str) -> str:
    """Hide letters and digits except the last four digits (all of them for six digits or fewer)."""
    if text.isascii():  # phone and card numbers: translations and one anchored match, in C
        raw = text.encode("ascii")
        if len(raw) - len(raw.translate(None, _ASCII_DIGITS)) <= 6:
            return text.translate(_ASCII_STAR)
        last4 = _FOUR_DIGITS_FROM_THE_END.match(raw[::-1])
        cut = len(raw) - last4.end() if last4 is not None else 0
        return text[:cut].translate(_ASCII_STAR) + text[cut:]
    if _digit_count(text) <= 6:
        return _hide(text)
    seen = 0
    cut = len(text)
    while seen < 4:
        cut -= 1
        seen += text[cut].isdigit()
    return _hide(text[:cut]) + text[cut:]


def _digit_count(text: str) -> int:
    """How many characters of `text` are digits (``str.isdigit``); ASCII text is counted in C."""
    if text.isascii():
        return len(text) - len(text.translate(_NO_ASCII_DIGITS))
    return sum(map(str.isdigit, text))


def _email(text: str) -> str:
    for at in ("@", "＠"):
        if at in text:
            local, domain = text.split(at, 1)
            return f"{local[:1]}{MASK * 3}{at}{domain}"
    return _hide(text)


def _prefix(text: str) -> str:
    """Keep the leading part only: postal area, prefecture, first two octets or bytes."""
    if len(text) <= 8 and text[:3].isdigit() and _digit_count(text) == 7:
        keep = 4 if text[3] in _SEPARATORS else 3
        return text[:keep] + _hide(text[keep:])
    for pref_end in ("都", "道", "府", "県"):
        at = text.find(pref_end, 0, 4)
        if at > 0:
            return text[: at + 1] + MASK * max(3, len(text) - at - 1)
    for sep in (".", ":", "-"):
        parts = text.split(sep)
        if len(parts) >= 4:
            return sep.join(parts[:2] + [MASK * len(p) for p in parts[2:]])
    return _hide(text)


def _first_char(text: str) -> str:
    return _hide(text, keep=1)


_MASKERS: dict[MaskStyle, Callable[[str], str]] = {
    MaskStyle.FULL: _hide,
    MaskStyle.LAST4: _last4,
    MaskStyle.EMAIL: _email,
    MaskStyle.FIRST_CHAR: _first_char,
    MaskStyle.PREFIX: _prefix,
}


def masker(style: MaskStyle) -> Callable[[str], str]:
    """The function that masks values under `style` (looked up once per detector, not per value)."""
    return _MASKERS[style]


def mask_all(values: list[str], style: MaskStyle) -> list[str]:
    """The masked form of each of `values` under `style`: each distinct value masked once, full
    masks of many values in one regex substitution over their join."""
    distinct = list(dict.fromkeys(values))
    if style is MaskStyle.FULL and len(distinct) > 1:
        masked = _hide_each(distinct)
    else:
        masked = list(map(_MASKERS[style], distinct))
    if len(distinct) == len(values):
        return masked
    return list(map(dict(zip(distinct, masked, strict=True)).__getitem__, values))


def _hide_each(values: list[str]) -> list[str]:
    """:func:`_hide` of each value, in bulk: the ASCII values have their letters and digits
    hidden by one translation of their join, the others every non-separator by one substitution."""
    joined = _JOIN.join(values)
    if joined.count(_JOIN) != len(values) - 1:  # a value holds the joining character
        return list(map(_hide, values))
    if joined.isascii():
        return joined.translate(_ASCII_STAR).split(_JOIN)
    ascii_flags = list(map(str.isascii, values))
    if not any(ascii_flags):
        return _NON_SEPARATOR_NOR_JOIN.sub(MASK, joined).split(_JOIN)
    plain = iter(_JOIN.join(compress(values, ascii_flags)).translate(_ASCII_STAR).split(_JOIN))
    others = [not flag for flag in ascii_flags]
    wide = iter(
        _NON_SEPARATOR_NOR_JOIN.sub(MASK, _JOIN.join(compress(values, others))).split(_JOIN)
    )
    return [next(plain) if flag else next(wide) for flag in ascii_flags]


def mask(value: str, style: MaskStyle) -> str:
    """The masked form of `value` under `style`."""
    return _MASKERS[style](value)
