"""Finding individual numbers (My Numbers) in text, and masking text that may hold one.

A hit is twelve digits whose last digit is the check digit of the first eleven
(``kojin.law.check_digits.is_valid_my_number``), written as

* twelve digits in a row (ASCII or full-width, or a mix), or
* three groups of four joined by one space, ideographic space, hyphen or dash each.

A digit run that is part of a longer token is not a number: the characters on either side must
not be letters or digits (ASCII or full-width). A run that continues a decimal number
(``0.123456789018``) or a longer grouped number (a card number ``4111 1111 1111 1111``: a
fourth group of four right before or after) is not one, and neither are the groups of a UUID.
Kana and kanji are not letters here: ``個人番号123…`` is a hit, as a reader would see it.

Texts from streams are scanned in pieces by :class:`Scanner`, which keeps enough of the previous
piece that a number split across two pieces is found once and with the context a whole-text
scan would have seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kojin.law.check_digits import is_valid_my_number

_DIGIT = "0-9\uff10-\uff19"
_ALNUM = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
#: one separator between groups: space, no-break space, ideographic space, hyphen-minus, the
#: Unicode hyphens and dashes, minus sign, full-width hyphen-minus, prolonged sound marks
SEPARATORS = " \u00a0\u3000-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u30fc\uff70"
_D = f"[{_DIGIT}]"
_S = f"[{re.escape(SEPARATORS)}]"

_CANDIDATE = re.compile(
    rf"(?<![{_ALNUM}])(?<!{_D}\.)"
    rf"(?:(?P<run>{_D}{{12}})"
    rf"|(?<!(?<![{_ALNUM}]){_D}{{4}}{_S})"
    rf"(?P<grouped>{_D}{{4}}{_S}{_D}{{4}}{_S}{_D}{{4}})"
    rf"(?!{_S}{_D}{{4}}(?![{_ALNUM}])))"
    rf"(?![{_ALNUM}])(?!\.{_D})"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: runs of six or more digits (single separators allowed), not inside a longer token such as a
#: hex id: masked in anything the guard prints
_DIGIT_RUN = re.compile(rf"(?<![{_ALNUM}]){_D}(?:{_S}?{_D}){{5,}}(?![{_ALNUM}])")
_TO_ASCII = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | dict.fromkeys(SEPARATORS))
#: characters of context kept on each side of a hit, in messages
CONTEXT = 30
#: how far a scan must see beyond a hit to decide on it (boundaries, decimal points, UUIDs)
_REACH = 40
#: the longest hit (twelve digits and two separators)
_LONGEST = 14


@dataclass(frozen=True)
class Hit:
    """One valid individual number: its form, where it starts, and its masked surroundings."""

    form: str
    start: int
    context: str


def mask(text: str) -> str:
    """`text` with every run of six or more digits replaced by bullets."""
    return _DIGIT_RUN.sub(lambda m: "•" * len(m.group()), text)


def _form(match: re.Match[str]) -> str:
    text = match.group()
    width = "full-width " if any("\uff10" <= c <= "\uff19" for c in text) else ""
    return f"{width}{'12 digits' if match.group('run') else '4-4-4 grouped digits'}"


def _in_uuid(text: str, start: int, end: int) -> bool:
    window_start = max(0, start - 36)
    for uuid in _UUID.finditer(text, window_start, min(len(text), end + 36)):
        if uuid.start() <= start and end <= uuid.end():
            return True
    return False


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return f"{mask(before)}[MY NUMBER]{mask(after)}".replace("\n", "⏎")


def _hits(text: str, *, offset: int, lower: int, limit: int) -> list[Hit]:
    """Hits of `text` that start in ``[lower, limit)``; `offset` is where `text` starts."""
    hits: list[Hit] = []
    for match in _CANDIDATE.finditer(text):
        start, end = match.span()
        if not lower <= start < limit:
            continue
        if not is_valid_my_number(match.group().translate(_TO_ASCII)):
            continue
        if _in_uuid(text, start, end):
            continue
        hits.append(
            Hit(form=_form(match), start=offset + start, context=_context(text, start, end))
        )
    return hits


def find_numbers(text: str) -> list[Hit]:
    """Every valid individual number in `text`, in order."""
    return _hits(text, offset=0, lower=0, limit=len(text))


@dataclass
class Scanner:
    """Finds numbers in a text that arrives in pieces (a streamed response body).

    Hits are decided once the text holds ``_REACH`` characters past them; the pieces keep
    everything from ``_REACH`` characters before the first undecided position, so every hit is
    judged with the context a whole-text scan would have given it, and reported once.
    """

    hits: list[Hit] = field(default_factory=list)
    _buffer: str = ""
    _base: int = 0
    _frontier: int = 0

    def feed(self, piece: str, *, final: bool = False) -> None:
        """Scan `piece`; with ``final`` the text ends here and nothing is held back."""
        data = self._buffer + piece
        lower = self._frontier - self._base
        limit = len(data) if final else max(lower, len(data) - _REACH - _LONGEST)
        self.hits.extend(_hits(data, offset=self._base, lower=lower, limit=limit))
        self._frontier = self._base + limit
        cut = max(0, limit - _REACH)
        self._buffer = data[cut:]
        self._base += cut


def redact(text: str) -> str:
    """`text` with every valid individual number replaced by ``[MY NUMBER]``."""
    starts = {hit.start for hit in find_numbers(text)}
    if not starts:
        return text
    pieces, position = [], 0
    for match in _CANDIDATE.finditer(text):
        if match.start() in starts:
            pieces += [text[position : match.start()], "[MY NUMBER]"]
            position = match.end()
    return "".join([*pieces, text[position:]])
