"""The multi-pattern matcher: one RE2 pass over a large buffer, validation on candidates only.

How it stays fast (the reason this is not a loop over lines):

1. Every pattern of every detector is joined into one RE2 alternation compiled without captures and
   with leftmost-longest semantics, so a 13-digit corporate number is one candidate rather than a
   My Number followed by a stray digit. RE2's DFA scans the UTF-8 bytes in one pass.
2. Each alternative consumes the character before its match: any character for most patterns, a
   non-digit for patterns that start with a digit (:mod:`kojin.discovery.digit_start`), because a
   boundary detector rejects a value that starts inside a run of digits. Without this, the DFA
   would start a thread at every digit and its states would record which offsets of a digit run
   (``[3-6]`` for cards, ``[1-9]`` for corporate numbers, ``0`` for phones) began a candidate:
   a new state for nearly every long number in the text, so a fresh text ran at the speed of DFA
   construction, not of the DFA. With the lead character the states stay few and new text scans
   nearly as fast as text already seen. Matches are still compared by the start of the value, one
   character later, so leftmost-longest is unchanged. A buffer that is not valid UTF-8 (where a
   lead character could not match a stray byte) takes the plain search instead.
3. Each candidate span is handed to an ``re2.Set`` (anchored at both ends) that says which patterns
   match it; only patterns with a ``value`` group are re-run to cut out the value.
4. Validators (check digits, Luhn, calendar) and context words run on candidates only; so do a
   detector's exclusion labels (``context_exclude``), and only for a candidate that a context
   word would raise.

Offsets are byte offsets into the buffer; callers turn the few findings into lines and columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from kojin.discovery import re2_adapter as low
from kojin.discovery.defaults import DEFAULT_MIN_SCORE
from kojin.discovery.detector_catalogue import DetectorRegistry, strip_value_group
from kojin.discovery.digit_start import starts_with_digit
from kojin.discovery.lines import LineBounds, line_bounds
from kojin.discovery.model import Match, Validator
from kojin.discovery.validators import VALIDATORS

_UNANCHORED = low.UNANCHORED
_BOTH = low.ANCHOR_BOTH
_ANCHOR_START = low.ANCHOR_START
_MAX_MEM = 256 << 20  # a DFA cache this large stops state thrashing on many patterns
_ANY_CHAR = "(?s:.)"
_NON_DIGIT = "[^0-9０-９]"
_VALUE_GROUP = "(?P<value>"
_ASCII_CLASS = bytes(1 if chr(b).isdigit() else 2 if chr(b).isalpha() else 0 for b in range(128))
_WIDE_CLASS = {
    ch.encode(): 1 if ch.isdigit() else 2
    for ch in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
}
#: The length of a UTF-8 character by its first byte.
_CHAR_WIDTH = bytes(1 if b < 0x80 else 2 if b < 0xE0 else 3 if b < 0xF0 else 4 for b in range(256))
# Bytes that settle the boundary rule at once (:func:`_bounded` decides the rest): a byte after a
# value that starts no digit or letter, and a byte before it that ends none.
_FREE_AFTER = bytes(
    (_ASCII_CLASS[b] == 0) if b < 0x80 else b not in {key[0] for key in _WIDE_CLASS}
    for b in range(256)
)
_FREE_BEFORE = bytes(
    (_ASCII_CLASS[b] == 0) if b < 0x80 else b not in {key[-1] for key in _WIDE_CLASS}
    for b in range(256)
)

#: A match as the matcher builds it: kind, start, end, reported score (a :class:`Match`'s fields).
_Found = tuple[str, int, int, float]
#: Matches as parallel lists: kinds, starts, ends, scores.
MatchColumns = tuple[list[str], list[int], list[int], list[float]]


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One pattern, flattened for the hot loop."""

    kind: str
    score: float
    boosted: float  # the score with a context word nearby
    reported: float  # the scores as reported: rounded to 4 places
    boosted_reported: float
    boundary: bool
    validate: Callable[[bytes], bool]
    check: bool  # whether `validate` checks anything (the detector names a validator)
    capture: low.SpanMatch | None  # low-level match of the pattern with its value group
    value_group: int
    context: low.SpanMatch | None  # low-level search for the detector's context words
    labels: tuple[bytes, ...]  # the same words as bytes, for the test beside the span
    window: int
    words: tuple[bytes, ...]  # the context words as bytes, for finding the nearest one
    exclude: low.SpanMatch | None  # low-level search for the detector's exclusion labels
    excludes: tuple[bytes, ...]  # the same labels as bytes


class Re2Matcher:
    """Finds, validates and scores every detector of a registry over UTF-8 buffers."""

    def __init__(self, registry: DetectorRegistry, *, min_score: float = DEFAULT_MIN_SCORE) -> None:
        self.registry = registry
        self.min_score = min_score
        self._patterns: list[_Pattern] = []
        plains: list[str] = []
        alternatives: list[str] = []
        led: list[str] = []
        for spec in registry:
            context = exclude = None
            if spec.context:
                words = "|".join(rf"\Q{word}\E" for word in spec.context)
                context = low.span_match(words, low.options(longest=False, capture=False))
            if spec.context and spec.context_exclude:
                labels = "|".join(rf"\Q{word}\E" for word in spec.context_exclude)
                exclude = low.span_match(labels, low.options(longest=False, capture=False))
            for pattern in spec.patterns:
                plain = strip_value_group(pattern.regex)
                capture, group = None, 0
                if plain != pattern.regex:
                    capture = low.span_match(pattern.regex, low.options(longest=True, capture=True))
                    group = re.compile(pattern.regex).groupindex["value"]  # same numbering in RE2
                plains.append(plain)
                alternatives.append(f"(?:{plain})")
                lead = _ANY_CHAR
                if spec.boundary and _value_at_start(pattern.regex) and starts_with_digit(plain):
                    lead = _NON_DIGIT
                led.append(f"{lead}(?:{plain})")
                self._patterns.append(
                    _Pattern(
                        kind=spec.kind,
                        score=pattern.score,
                        boosted=min(1.0, pattern.score + spec.context_boost),
                        reported=round(pattern.score, 4),
                        boosted_reported=round(min(1.0, pattern.score + spec.context_boost), 4),
                        boundary=spec.boundary,
                        validate=VALIDATORS[spec.validator],
                        check=spec.validator is not Validator.NONE,
                        capture=capture,
                        value_group=group,
                        context=context,
                        labels=_labels(spec.context),
                        window=spec.context_window * 3,
                        words=tuple(word.encode() for word in spec.context),
                        exclude=exclude,
                        excludes=tuple(word.encode() for word in spec.context_exclude),
                    )
                )
        self._context_used = any(p.context is not None for p in self._patterns)
        options = low.options(longest=True, capture=False, max_mem=_MAX_MEM)
        # The binding's low-level calls (kojin.discovery.re2_adapter): the public wrappers build a
        # match object per candidate, which costs more than the search itself on dense text.
        self._search = low.span_match("|".join(led), options)
        # A value at the very start of a buffer has no character before it: one anchored check.
        self._plain = self._at_start = low.span_match("|".join(alternatives), options)
        self._which = low.set_match(
            plains, low.options(longest=False, capture=False, max_mem=_MAX_MEM)
        )

    def scan(self, buf: bytes, *, valid_utf8: bool = False) -> list[Match]:
        """All matches in `buf` scoring at least ``min_score``, in order of position.
        `valid_utf8`: the caller has checked that `buf` is UTF-8 (it is not checked again)."""
        return list(map(Match._make, self._found(buf, valid_utf8)))

    def scan_columns(self, buf: bytes, *, valid_utf8: bool = False) -> MatchColumns:
        """The matches of :meth:`scan` as parallel lists: kinds, starts, ends, scores."""
        found = self._found(buf, valid_utf8)
        if not found:
            return [], [], [], []
        kinds, starts, ends, scores = zip(*found, strict=True)
        return list(kinds), list(starts), list(ends), list(scores)

    def _found(self, buf: bytes, valid_utf8: bool = False) -> list[_Found]:
        """(kind, start, end, score) of every match, in order of position.

        Three passes: every candidate span first (one RE2 search each), then the patterns each
        candidate fully matches (one ``re2.Set`` call per distinct span, mapped in C), then the
        checks, pattern by pattern over lists.
        """
        if not buf:
            return []
        if valid_utf8 or _is_utf8(buf):
            starts, ends = self._candidates(buf)
        else:  # a lead character must be whole: keep the plain search
            starts, ends = self._plain_candidates(buf)
        spans = [buf[start:end] for start, end in zip(starts, ends, strict=True)]
        found: list[_Found | None] = [None] * len(spans)
        # Most candidates match one pattern only: those are checked pattern by pattern, in bulk.
        alone: dict[int, list[int]] = {}
        resolve = self._resolve
        # Labelled values repeat (the same name after the same label): one call per distinct span.
        distinct = dict.fromkeys(spans)
        patterns_of = dict(zip(distinct, map(self._which, distinct), strict=True))
        for at, ids in enumerate(map(patterns_of.__getitem__, spans)):
            if len(ids) == 1:
                members = alone.get(ids[0])
                if members is None:
                    alone[ids[0]] = [at]
                else:
                    members.append(at)
            elif ids:
                found[at] = resolve(buf, starts[at], ends[at], ids)
        # Context words stay on a candidate's line: its bounds, searched for once per line.
        lines = line_bounds(buf, starts, numbered=False) if self._context_used else None
        for index, members in alone.items():
            self._resolve_one_pattern(buf, index, members, starts, ends, spans, lines, found)
        return [match for match in found if match is not None]

    def _resolve_one_pattern(
        self,
        buf: bytes,
        index: int,
        members: list[int],
        starts: list[int],
        ends: list[int],
        spans: list[bytes],
        lines: LineBounds | None,
        found: list[_Found | None],
    ) -> None:
        """Check the candidates (`members`) that only pattern `index` matches; set each valid
        one's match in `found`. Each step runs over the list of candidates still standing."""
        p = self._patterns[index]
        first = [starts[at] for at in members]
        last = [ends[at] for at in members]
        if p.capture is None:
            vstarts, vends = first, last
        else:
            # The value's offsets inside each distinct span (labels repeat: 氏名, フリガナ, ...).
            capture, group = p.capture, p.value_group
            offsets: dict[bytes, tuple[int, int] | None] = {}
            for span in dict.fromkeys([spans[at] for at in members]):
                matched = capture(_BOTH, span, 0, len(span))
                offsets[span] = matched[group] if matched[0][0] >= 0 else None
            placed = [offsets[spans[at]] for at in members]
            if None in placed:  # the set matched, so the capture does too: checked all the same
                kept = [k for k, offset in enumerate(placed) if offset is not None]
                members = [members[k] for k in kept]
                first = [first[k] for k in kept]
                last = [last[k] for k in kept]
                placed = [placed[k] for k in kept]
            located = cast(list[tuple[int, int]], placed)
            vstarts = [start + offset[0] for start, offset in zip(first, located, strict=True)]
            vends = [start + offset[1] for start, offset in zip(first, located, strict=True)]
        keep: Sequence[int] = range(len(members))
        if p.boundary:
            size, free_after, free_before = len(buf), _FREE_AFTER, _FREE_BEFORE
            keep = [
                k
                for k, a, b, start in zip(keep, vstarts, vends, first, strict=True)
                if (
                    (b >= size or free_after[buf[b]])
                    and (a != start or a == 0 or free_before[buf[a - 1]])
                )
                or _bounded(buf, a, b, a == start)
            ]
        if p.check:
            values = [buf[vstarts[k] : vends[k]] for k in keep]
            distinct = dict.fromkeys(values)
            verdicts = dict(zip(distinct, map(p.validate, distinct), strict=True))
            keep = [k for k, value in zip(keep, values, strict=True) if verdicts[value]]
        plain = (p.kind, p.reported) if p.score >= self.min_score else None
        boosted = (p.kind, p.boosted_reported) if p.boosted >= self.min_score else None
        if p.context is None:
            if plain is not None:
                kind, score = plain
                for k in keep:
                    found[members[k]] = (kind, vstarts[k], vends[k], score)
            return
        assert lines is not None  # the matcher has context words: their lines were found
        flags = _context_flags(buf, [members[k] for k in keep], starts, ends, lines, p)
        if p.exclude is not None:
            flags = [
                near and not _excluded(buf, vstarts[k], lines.starts[members[k]], p)
                for k, near in zip(keep, flags, strict=True)
            ]
        for k, near in zip(keep, flags, strict=True):
            chosen = boosted if near else plain
            if chosen is not None:
                found[members[k]] = (chosen[0], vstarts[k], vends[k], chosen[1])

    def _candidates(self, buf: bytes) -> tuple[list[int], list[int]]:
        """Start and end of every candidate (the search with lead characters)."""
        starts: list[int] = []
        ends: list[int] = []
        search = self._search
        size = len(buf)
        # `lead` is where the next search starts: the character before the first byte a new value
        # may occupy, since every alternative consumes that character first.
        lead = 0
        start, end = self._at_start(_ANCHOR_START, buf, 0, size)[0]
        if start == 0:
            starts.append(0)
            ends.append(end)
            lead = _char_before(buf, max(end, 1))
        add_start, add_end, width = starts.append, ends.append, _CHAR_WIDTH
        while lead < size:
            start, end = search(_UNANCHORED, buf, lead, size)[0]
            if start < 0:
                break
            start += width[buf[start]]  # the lead character; the value starts after it
            add_start(start)
            add_end(end)
            if end > start:  # the next lead: the first byte of the character ending at `end`
                lead = end - 1
                while buf[lead] & 0xC0 == 0x80:
                    lead -= 1
            else:
                lead = start
        return starts, ends

    def _plain_candidates(self, buf: bytes) -> tuple[list[int], list[int]]:
        """The search without lead characters, for buffers that are not valid UTF-8."""
        starts: list[int] = []
        ends: list[int] = []
        pos, size = 0, len(buf)
        while pos < size:
            start, end = self._plain(_UNANCHORED, buf, pos, size)[0]
            if start < 0:
                break
            starts.append(start)
            ends.append(end)
            pos = end if end > start else end + 1
        return starts, ends

    def _resolve(self, buf: bytes, start: int, end: int, ids: list[int]) -> Match | None:
        """The best validated pattern whose match is exactly ``buf[start:end]``, if any.

        Used for candidates that more than one pattern matches; scores are precomputed.
        """
        span = buf[start:end]
        best: Match | None = None
        # Patterns of one detector that match the same value share its checks (a mobile number
        # is also a hyphenated landline number): only the best score of them can win.
        checked: tuple[str, int, int] | None = None
        context_found = False
        patterns, min_score = self._patterns, self.min_score
        for index in ids:
            p = patterns[index]
            vstart, vend = start, end
            if p.capture is not None:
                spans = p.capture(_BOTH, span, 0, end - start)
                if spans[0][0] < 0:
                    continue
                offset, offset_end = spans[p.value_group]
                vstart, vend = start + offset, start + offset_end
            if checked == (p.kind, vstart, vend):
                score, reported = (
                    (p.boosted, p.boosted_reported) if context_found else (p.score, p.reported)
                )
                if score >= min_score and (best is None or reported > best.score):
                    best = Match(p.kind, vstart, vend, reported)
                continue
            if p.boundary and not _bounded(buf, vstart, vend, vstart == start):
                continue
            if not p.validate(buf[vstart:vend] if p.capture is not None else span):
                continue
            checked = (p.kind, vstart, vend)
            score, reported = p.score, p.reported
            context_found = p.context is not None and _has_context(
                buf, start, end, p.context, p.window
            )
            if context_found and p.exclude is not None:
                context_found = not _excluded(buf, vstart, buf.rfind(b"\n", 0, start) + 1, p)
            if context_found:
                score, reported = p.boosted, p.boosted_reported
            if score >= min_score and (best is None or reported > best.score):
                best = Match(p.kind, vstart, vend, reported)
        return best


def _bounded(buf: bytes, vstart: int, vend: int, check_start: bool) -> bool:
    """Whether the value does not continue a run of its own class: a digit next to a digit or a
    letter next to a letter (``TEL090...`` is a phone number; ``1234567890185`` holds no My
    Number). A value after a context word inside the same pattern is checked at its end only
    (`check_start` false)."""
    ascii_class, wide_class = _ASCII_CLASS, _WIDE_CLASS
    if vend < len(buf):
        byte = buf[vend]
        after = ascii_class[byte] if byte < 0x80 else wide_class.get(buf[vend : vend + 3], 0)
        if after:
            byte = buf[vend - 1]
            if after == (
                ascii_class[byte] if byte < 0x80 else wide_class.get(buf[vend - 3 : vend], 0)
            ):
                return False
    if check_start and vstart > 0:
        byte = buf[vstart - 1]
        before = (
            ascii_class[byte]
            if byte < 0x80
            else wide_class.get(buf[vstart - 3 : vstart], 0)
            if vstart >= 3
            else 0
        )
        if before:
            byte = buf[vstart]
            if before == (
                ascii_class[byte] if byte < 0x80 else wide_class.get(buf[vstart : vstart + 3], 0)
            ):
                return False
    return True


def _is_utf8(buf: bytes) -> bool:
    try:
        buf.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _char_before(buf: bytes, pos: int) -> int:
    """Offset of the first byte of the UTF-8 character that ends at `pos` (pos > 0)."""
    pos -= 1
    while pos > 0 and buf[pos] & 0xC0 == 0x80:
        pos -= 1
    return pos


def _value_at_start(regex: str) -> bool:
    """Whether the pattern's value begins where the match begins (no leading context word)."""
    return _VALUE_GROUP not in regex or regex.startswith(_VALUE_GROUP)


def _labels(words: tuple[str, ...]) -> tuple[bytes, ...]:
    """The context words as UTF-8 bytes, or none when a word holds ``\\E`` (the RE2 search quotes
    each word between ``\\Q`` and ``\\E``; such a word means something else there)."""
    if any("\\E" in word for word in words):
        return ()
    return tuple(word.encode() for word in words)


def _context_flags(
    buf: bytes, spans: list[int], starts: list[int], ends: list[int], lines: LineBounds, p: _Pattern
) -> list[bool]:
    """:func:`_has_context` of each of `spans` (indices into `starts`, `ends` and `lines`), in
    one loop: the same window, cut at the line's ends found once per line."""
    assert p.context is not None
    words, window, labels = p.context, p.window, p.labels
    ends_with, starts_with = buf.endswith, buf.startswith
    line_starts, line_ends = lines.starts, lines.ends
    flags: list[bool] = []
    append = flags.append
    for at in spans:
        start, end, line_end = starts[at], ends[at], line_ends[at]
        low_end = start - window
        if low_end < line_starts[at]:
            low_end = line_starts[at]
        if end > line_end:  # the span runs over a newline
            line_end = buf.find(b"\n", end)
            if line_end < 0:
                line_end = len(buf)
        high = end + window
        if high > line_end:
            high = line_end
        # Mostly a label stands right before the span (電話:, メール) or opens it (〒): byte
        # tests find it; only when they do not does RE2 search the whole window.
        append(
            (
                labels
                and (
                    ends_with(labels, low_end, start)
                    or ends_with(labels, low_end, start - 1)
                    or starts_with(labels, start, high)
                )
            )
            or words(_UNANCHORED, buf, low_end, high)[0][0] >= 0
        )
    return flags


def _excluded(buf: bytes, vstart: int, line_start: int, p: _Pattern) -> bool:
    """Whether one of the detector's exclusion labels (注文番号, Order, TEL...) stands before the
    value at `vstart`, on its line within the context window, nearer than any context word: the
    label that ends last before the value says what the number is."""
    assert p.exclude is not None
    low_end = vstart - p.window
    if low_end < line_start:
        low_end = line_start
    if p.labels and buf.endswith(p.labels, low_end, vstart):  # 〒, 住所: and the value
        return False
    if p.exclude(_UNANCHORED, buf, low_end, vstart)[0][0] < 0:
        return False
    rfind = buf.rfind
    label_end = -1
    for word in p.excludes:
        at = rfind(word, low_end, vstart)
        if at >= 0 and at + len(word) > label_end:
            label_end = at + len(word)
    for word in p.words:
        at = rfind(word, low_end, vstart)
        if at >= 0 and at + len(word) >= label_end:
            return False
    return label_end >= 0


def _has_context(buf: bytes, start: int, end: int, words: low.SpanMatch, window: int) -> bool:
    """Whether a context word occurs on the same line within `window` bytes around the span."""
    low_end = max(0, start - window)
    cut = buf.rfind(b"\n", low_end, start)
    if cut >= 0:
        low_end = cut + 1
    high = buf.find(b"\n", end, end + window)
    if high < 0:
        high = min(end + window, len(buf))
    return words(_UNANCHORED, buf, low_end, high)[0][0] >= 0
