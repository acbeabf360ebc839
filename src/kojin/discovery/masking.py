"""Masking: findings carry a masked value only, never the raw one (DESIGN: never print a My Number).

Masks keep the shape (separators, length) so a reader can tell what was found without seeing it.
"""

from __future__ import annotations

from kojin.discovery.model import MaskStyle

MASK = "*"
_SEPARATORS = frozenset(" 　-‐－―−ー/.．:：@＠()（）年月日")
_ASCII_STAR = str.maketrans(
    dict.fromkeys("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", MASK)
)


def _hide(text: str, keep: int = 0) -> str:
    """Hide every non-separator character except the first `keep` of them."""
    if keep == 0 and text.isascii():
        return text.translate(_ASCII_STAR)  # the common case, done in C
    out: list[str] = []
    for ch in text:
        if ch in _SEPARATORS:
            out.append(ch)
        elif keep > 0:
            out.append(ch)
            keep -= 1
        else:
            out.append(MASK)
    return "".join(out)


def _last4(text: str) -> str:
    """Hide letters and digits except the last four digits (all of them for six digits or fewer)."""
    if sum(map(str.isdigit, text)) <= 6:
        return _hide(text)
    seen = 0
    cut = len(text)
    while seen < 4:
        cut -= 1
        seen += text[cut].isdigit()
    return _hide(text[:cut]) + text[cut:]


def _email(text: str) -> str:
    for at in ("@", "＠"):
        if at in text:
            local, domain = text.split(at, 1)
            return f"{local[:1]}{MASK * 3}{at}{domain}"
    return _hide(text)


def _prefix(text: str) -> str:
    """Keep the leading part only: postal area, prefecture, first two octets or bytes."""
    if len(text) <= 8 and text[:3].isdigit() and sum(map(str.isdigit, text)) == 7:
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


def mask(value: str, style: MaskStyle) -> str:
    """The masked form of `value` under `style`."""
    if style is MaskStyle.LAST4:
        return _last4(value)
    if style is MaskStyle.EMAIL:
        return _email(value)
    if style is MaskStyle.FIRST_CHAR:
        return _hide(value, keep=1)
    if style is MaskStyle.PREFIX:
        return _prefix(value)
    return _hide(value)
