"""Japanese person names through GiNZA (the optional ``ner`` extra), on candidate regions only.

The pattern pass stays fast because the model never sees the whole text: only windows around
honorifics (様, さん, 殿, 氏, 先生, ...) and name words (担当, 宛, 差出人, ...) on the same line
are parsed, in one batch per buffer. Person entities that the patterns did not already find
become ``person_name`` matches.
"""

from __future__ import annotations

from typing import Any

import re2

from kojin.discovery.model import Match
from kojin.errors import ConfigurationError

MODEL = "ja_ginza"
NER_SCORE = 0.8
#: Characters of context taken on each side of a cue.
WINDOW = 24
_CUES = (
    "様|さん|殿|氏|君|くん|ちゃん|先生|担当|宛|差出人|送信者|申請者|契約者|ご本人|本人|御中|各位"
)
_LABELS = frozenset({"Person"})


def load_model(name: str = MODEL) -> Any:
    """Load the spaCy pipeline `name`; ConfigurationError when the extra is not installed."""
    try:
        import spacy
    except ImportError as exc:
        raise ConfigurationError(
            "name recognition needs the ner extra: pip install 'kojin[ner]'"
        ) from exc
    try:
        return spacy.load(name)
    except OSError as exc:
        raise ConfigurationError(
            f"the spaCy model {name!r} is not installed (pip install 'kojin[ner]')"
        ) from exc


class NameRecognizer:
    """An extra pass for the text scanner: adds GiNZA person names found near name cues."""

    def __init__(self, *, nlp: Any | None = None, window: int = WINDOW) -> None:
        self._nlp = nlp
        self.window = window
        options = re2.Options()
        options.log_errors = False
        self._cues = re2.compile(f"(?:{_CUES})", options)

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            self._nlp = load_model()
        return self._nlp

    def regions(self, buf: bytes) -> list[tuple[int, int]]:
        """Byte ranges to parse: windows around cues, clipped to their line, merged."""
        spans: list[tuple[int, int]] = []
        reach = self.window * 3
        for cue in self._cues.finditer(buf):
            start, end = cue.span()
            low = max(buf.rfind(b"\n", max(0, start - reach), start) + 1, start - reach, 0)
            high = buf.find(b"\n", end, end + reach)
            high = min(len(buf), end + reach) if high < 0 else high
            low, high = _char_aligned(buf, low, high)
            if spans and low <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], high))
            else:
                spans.append((low, high))
        return spans

    def __call__(self, buf: bytes, matches: list[Match]) -> list[Match]:
        regions = self.regions(buf)
        if not regions:
            return []
        known = [(m.start, m.end) for m in matches]
        texts = [buf[low:high].decode("utf-8", "replace") for low, high in regions]
        found: list[Match] = []
        for (low, _high), text, doc in zip(regions, texts, self.nlp.pipe(texts), strict=True):
            for first, last in person_spans(text, doc.ents):
                start = low + len(text[:first].encode("utf-8"))
                end = start + len(text[first:last].encode("utf-8"))
                if any(s < end and start < e for s, e in known):
                    continue
                known.append((start, end))
                found.append(Match("person_name", start, end, NER_SCORE))
        return found


def person_spans(text: str, ents: Any) -> list[tuple[int, int]]:
    """Character spans of person entities: neighbours split by a space are joined (GiNZA may cut
    family and given name apart), surrounding spaces are dropped, and katakana-only entities are
    left to the reading detector."""
    spans: list[tuple[int, int]] = []
    for ent in ents:
        if ent.label_ not in _LABELS:
            continue
        start, end = ent.start_char, ent.end_char
        while start < end and text[start] in _SPACES:
            start += 1
        while end > start and text[end - 1] in _SPACES:
            end -= 1
        if start == end or all(ch in _KATAKANA for ch in text[start:end]):
            continue
        if spans and not text[spans[-1][1] : start].strip(_SPACES):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


_SPACES = " 　"
_KATAKANA = frozenset(chr(c) for c in range(0x30A1, 0x30FB)) | {"ー", " ", "　"}


def _char_aligned(buf: bytes, low: int, high: int) -> tuple[int, int]:
    """Move `low` forward and `high` back off UTF-8 continuation bytes."""
    while low < high and buf[low] & 0xC0 == 0x80:
        low += 1
    while high > low and high < len(buf) and buf[high] & 0xC0 == 0x80:
        high -= 1
    return low, high
