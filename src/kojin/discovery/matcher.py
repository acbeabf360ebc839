"""The multi-pattern matcher: one RE2 pass over a large buffer, validation on candidates only.

How it stays fast (the reason this is not a loop over lines):

1. Every pattern of every detector is joined into one RE2 alternation compiled without captures and
   with leftmost-longest semantics, so a 13-digit corporate number is one candidate rather than a
   My Number followed by a stray digit. RE2's DFA scans the UTF-8 bytes in one pass.
2. Each candidate span is handed to an ``re2.Set`` (anchored at both ends) that says which patterns
   match it; only patterns with a ``value`` group are re-run to cut out the value.
3. Validators (check digits, Luhn, calendar) and context words run on candidates only.

Offsets are byte offsets into the buffer; callers turn the few findings into lines and columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import re2

from kojin.discovery.model import Match
from kojin.discovery.registry import DetectorRegistry, strip_value_group
from kojin.discovery.validators import VALIDATORS

#: Minimum score a match needs to be reported, unless the caller sets another.
DEFAULT_MIN_SCORE = 0.5
_UNANCHORED = re2._Anchor.UNANCHORED
_BOTH = re2._Anchor.ANCHOR_BOTH
_ASCII_CLASS = bytes(1 if chr(b).isdigit() else 2 if chr(b).isalpha() else 0 for b in range(128))
_WIDE_CLASS = {
    ch.encode(): 1 if ch.isdigit() else 2
    for ch in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
}


def _options(*, longest: bool, capture: bool) -> Any:
    options = re2.Options()
    options.log_errors = False
    options.longest_match = longest
    options.never_capture = not capture
    options.max_mem = 256 << 20  # a DFA cache this large stops state thrashing on many patterns
    return options


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One pattern, flattened for the hot loop."""

    kind: str
    score: float
    boost: float
    boundary: bool
    validate: Callable[[bytes], bool]
    capture: Any  # low-level RE2 Match of the pattern with its value group, or None
    value_group: int
    context: re.Pattern[bytes] | None
    window: int


def class_before(buf: bytes, pos: int) -> int:
    """Class of the character ending at byte `pos`: 1 digit, 2 letter, 0 other (full-width too)."""
    if pos <= 0:
        return 0
    byte = buf[pos - 1]
    if byte < 0x80:
        return _ASCII_CLASS[byte]
    return _WIDE_CLASS.get(buf[pos - 3 : pos], 0) if pos >= 3 else 0


def class_after(buf: bytes, pos: int) -> int:
    """Class of the character starting at byte `pos`: 1 digit, 2 letter, 0 other."""
    if pos >= len(buf):
        return 0
    byte = buf[pos]
    if byte < 0x80:
        return _ASCII_CLASS[byte]
    return _WIDE_CLASS.get(buf[pos : pos + 3], 0)


def runs_on(buf: bytes, start: int, end: int, *, check_start: bool = True) -> bool:
    """Whether the span continues a run of its own class: a digit next to a digit or a letter
    next to a letter (``TEL090...`` is a phone number; ``1234567890185`` holds no My Number).
    `check_start` is off for values that follow a context word inside the same pattern."""
    before = class_before(buf, start) if check_start else 0
    after = class_after(buf, end)
    return (before != 0 and before == class_after(buf, start)) or (
        after != 0 and after == class_before(buf, end)
    )


class Re2Matcher:
    """Finds, validates and scores every detector of a registry over UTF-8 buffers."""

    def __init__(self, registry: DetectorRegistry, *, min_score: float = DEFAULT_MIN_SCORE) -> None:
        self.registry = registry
        self.min_score = min_score
        self._patterns: list[_Pattern] = []
        self._set = re2.Set.FullMatchSet(_options(longest=False, capture=False))
        alternatives: list[str] = []
        for spec in registry:
            context = None
            if spec.context:
                words = sorted((w.encode() for w in spec.context), key=len, reverse=True)
                context = re.compile(b"|".join(re.escape(w) for w in words))
            for pattern in spec.patterns:
                plain = strip_value_group(pattern.regex)
                capture, group = None, 0
                if plain != pattern.regex:
                    compiled = re2.compile(pattern.regex, _options(longest=True, capture=True))
                    capture, group = compiled._regexp.Match, compiled.groupindex["value"]
                self._set.Add(plain)
                alternatives.append(f"(?:{plain})")
                self._patterns.append(
                    _Pattern(
                        kind=spec.kind,
                        score=pattern.score,
                        boost=spec.context_boost,
                        boundary=spec.boundary,
                        validate=VALIDATORS[spec.validator],
                        capture=capture,
                        value_group=group,
                        context=context,
                        window=spec.context_window * 3,
                    )
                )
        self._set.Compile()
        self._combined = re2.compile("|".join(alternatives), _options(longest=True, capture=False))
        # The binding's low-level calls (google-re2 1.1): the public wrappers build a match object
        # per candidate, which costs more than the search itself on dense text.
        self._search = self._combined._regexp.Match
        self._which = self._set._set.Match

    def scan(self, buf: bytes) -> list[Match]:
        """All matches in `buf` scoring at least ``min_score``, in order of position."""
        found: list[Match] = []
        append = found.append
        search, resolve = self._search, self._resolve
        pos, size = 0, len(buf)
        while pos < size:
            start, end = search(_UNANCHORED, buf, pos, size)[0]
            if start < 0:
                break
            match = resolve(buf, start, end)
            if match is not None:
                append(match)
            pos = end if end > start else end + 1
        return found

    def _resolve(self, buf: bytes, start: int, end: int) -> Match | None:
        ids = self._which(buf[start:end])
        if not ids:
            return None
        best: Match | None = None
        for index in ids:
            p = self._patterns[index]
            vstart, vend = start, end
            if p.capture is not None:
                spans = p.capture(_BOTH, buf[start:end], 0, end - start)
                if spans[0][0] < 0:
                    continue
                vstart, vend = (start + offset for offset in spans[p.value_group])
            if p.boundary and runs_on(buf, vstart, vend, check_start=vstart == start):
                continue
            if not p.validate(buf[vstart:vend]):
                continue
            score = p.score
            if p.context is not None and _has_context(buf, start, end, p.context, p.window):
                score = min(1.0, score + p.boost)
            if score >= self.min_score and (best is None or score > best.score):
                best = Match(p.kind, vstart, vend, score)
        return best


def _has_context(buf: bytes, start: int, end: int, words: re.Pattern[bytes], window: int) -> bool:
    """Whether a context word occurs on the same line within `window` bytes around the span."""
    low = max(0, start - window)
    cut = buf.rfind(b"\n", low, start)
    if cut >= 0:
        low = cut + 1
    high = buf.find(b"\n", end, end + window)
    if high < 0:
        high = end + window
    return words.search(buf, low, high) is not None
