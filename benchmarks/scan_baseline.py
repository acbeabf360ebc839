"""The Python baseline of the scan benchmark: the same detectors as one ``re`` alternation.

One combined alternation of every pattern (value groups made non-capturing; a pattern that always
starts with a digit may not start right after one, as in kojin's search) finds the leftmost
candidate start. At that start every pattern is tried and the longest match is the candidate (RE2
searches leftmost-longest; Python's alternation is leftmost-first). Then, as kojin does: each
pattern that matches the whole candidate cuts out its value, the boundary rule, the validator and
the context words (same line, ``context_window`` x 3 bytes) decide, and the best score above the
minimum is the finding. The text is searched as ``str``; context windows are measured in UTF-8
bytes, like kojin's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kojin.discovery.defaults import DEFAULT_MIN_SCORE
from kojin.discovery.detector_catalogue import DetectorRegistry, strip_value_group
from kojin.discovery.digit_start import starts_with_digit
from kojin.discovery.validators import VALIDATORS

_NOT_AFTER_DIGIT = "(?<![0-9０-９])"
_WIDE_DIGITS = "０１２３４５６７８９"
_WIDE_LETTERS = "".join(chr(c) for c in [*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)])
_CLASS = {
    **dict.fromkeys("0123456789" + _WIDE_DIGITS, 1),
    **dict.fromkeys("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + _WIDE_LETTERS, 2),
}


@dataclass(frozen=True)
class _Pattern:
    kind: str
    regex: re.Pattern[str]
    has_value: bool
    score: float
    boosted: float
    boundary: bool
    validate: Callable[[bytes], bool]
    context: re.Pattern[bytes] | None
    window: int


class PythonReScanner:
    """Finds (kind, value) pairs in text with Python's ``re`` and kojin's detector rules."""

    def __init__(self, registry: DetectorRegistry, *, min_score: float = DEFAULT_MIN_SCORE) -> None:
        self.min_score = min_score
        self.patterns: list[_Pattern] = []
        alternatives: list[str] = []
        for spec in registry:
            context = None
            if spec.context:
                words = sorted((w.encode() for w in spec.context), key=len, reverse=True)
                context = re.compile(b"|".join(re.escape(w) for w in words))
            for p in spec.patterns:
                plain = strip_value_group(p.regex)
                value_at_start = "(?P<value>" not in p.regex or p.regex.startswith("(?P<value>")
                guard = spec.boundary and value_at_start and starts_with_digit(plain)
                alternatives.append(f"{_NOT_AFTER_DIGIT if guard else ''}(?:{plain})")
                self.patterns.append(
                    _Pattern(
                        kind=spec.kind,
                        regex=re.compile(f"{_NOT_AFTER_DIGIT if guard else ''}(?:{p.regex})"),
                        has_value="(?P<value>" in p.regex,
                        score=round(p.score, 4),
                        boosted=round(min(1.0, p.score + spec.context_boost), 4),
                        boundary=spec.boundary,
                        validate=VALIDATORS[spec.validator],
                        context=context,
                        window=spec.context_window * 3,
                    )
                )
        self.combined = re.compile("|".join(alternatives))

    def scan(self, text: str) -> list[tuple[str, str]]:
        """(kind, value) of every finding, in order of position."""
        buf = text.encode("utf-8")
        found: list[tuple[str, str]] = []
        pos = 0
        byte_pos, char_pos = 0, 0  # byte offset of the character offset char_pos
        while True:
            first = self.combined.search(text, pos)
            if first is None:
                return found
            start = first.start()
            end = max(
                (m.end() for p in self.patterns if (m := p.regex.match(text, start)) is not None),
                default=first.end(),
            )
            byte_pos += len(text[char_pos:start].encode("utf-8"))
            char_pos = start
            byte_end = byte_pos + len(text[start:end].encode("utf-8"))
            best = self._resolve(text, buf, start, end, byte_pos, byte_end)
            if best is not None:
                found.append(best)
            pos = end if end > start else end + 1

    def _resolve(
        self, text: str, buf: bytes, start: int, end: int, byte_start: int, byte_end: int
    ) -> tuple[str, str] | None:
        best: tuple[str, str] | None = None
        best_score = -1.0
        context_cache: dict[int, bool] = {}
        for p in self.patterns:
            m = p.regex.fullmatch(text, start, end)
            if m is None:
                continue
            vstart, vend = m.span("value") if p.has_value else (start, end)
            if p.boundary and _runs_on(text, vstart, vend, check_start=vstart == start):
                continue
            if not p.validate(text[vstart:vend].encode("utf-8")):
                continue
            score = p.score
            if p.context is not None:
                key = id(p.context)
                if key not in context_cache:
                    context_cache[key] = _has_context(
                        buf, byte_start, byte_end, p.context, p.window
                    )
                if context_cache[key]:
                    score = p.boosted
            if score >= self.min_score and score > best_score:
                best, best_score = (p.kind, text[vstart:vend]), score
        return best


def _runs_on(text: str, start: int, end: int, *, check_start: bool) -> bool:
    """Whether the value continues a run of its own class (digits or letters) at either end."""
    if end < len(text):
        after = _CLASS.get(text[end], 0)
        if after and after == _CLASS.get(text[end - 1], 0):
            return True
    if check_start and start > 0:
        before = _CLASS.get(text[start - 1], 0)
        if before and before == _CLASS.get(text[start], 0):
            return True
    return False


def _has_context(buf: bytes, start: int, end: int, words: re.Pattern[bytes], window: int) -> bool:
    low = max(0, start - window)
    cut = buf.rfind(b"\n", low, start)
    if cut >= 0:
        low = cut + 1
    high = buf.find(b"\n", end, end + window)
    if high < 0:
        high = end + window
    return words.search(buf, low, high) is not None
