"""Scanning text: large UTF-8 (or Shift_JIS) buffers in chunks cut at line ends.

Lines and character columns are computed only for findings: newlines are counted between one
finding and the next, and only the start of a finding's own line is decoded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from kojin.discovery.masking import masker
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Finding, Match, TextLocation
from kojin.errors import InputError

CHUNK_SIZE = 8 << 20
_NEWLINE = 10
_SNIFF = 64 << 10

#: An optional extra pass over each chunk (the NER extra): given the chunk and the pattern matches,
#: return additional matches.
ExtraPass = Callable[[bytes, list[Match]], list[Match]]


def _chunks(stream: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    """Blocks of whole lines (the last may lack a newline): `chunk_size` bytes and the rest of
    the line they end in, so each block is copied once. A line longer than a block is kept whole.
    Shift_JIS never uses the newline byte inside a character, so the cut is safe there too."""
    while True:
        block = stream.read(chunk_size)
        if not block:
            return
        if block[-1] != _NEWLINE:
            block += stream.readline()
        yield block


def _is_utf8(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(sample) - 4  # a character cut at the end of the sample
    return True


def findings_in_buffer(
    buf: bytes,
    *,
    matcher: Re2Matcher,
    path: str,
    first_line: int = 1,
    extra: ExtraPass | None = None,
) -> tuple[list[Finding], int]:
    """Findings of one block of whole lines, and the number of lines in it."""
    matches = matcher.scan(buf)
    if extra is not None:
        matches = sorted([*matches, *extra(buf, matches)], key=lambda m: m.start)
    newlines = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == _NEWLINE)
    if not matches:
        return [], len(newlines)
    # Line of each finding: how many newlines precede it (one vectorised search for all).
    starts = np.fromiter((m.start for m in matches), dtype=np.int64, count=len(matches))
    before = np.searchsorted(newlines, starts)
    if len(newlines):
        line_starts = np.where(before > 0, newlines[np.maximum(before - 1, 0)] + 1, 0)
    else:
        line_starts = np.zeros_like(before)
    kinds = {
        spec.kind: (spec.category, masker(spec.mask), spec.personal) for spec in matcher.registry
    }
    findings: list[Finding] = []
    append = findings.append
    new = tuple.__new__  # the named tuples' own __new__ is a Python function: one call less each
    for m, lines_before, line_start in zip(
        matches, before.tolist(), line_starts.tolist(), strict=True
    ):
        kind, start, end, score = m
        prefix = buf[line_start:start]
        column = len(prefix) if prefix.isascii() else len(prefix.decode("utf-8", "replace"))
        value = buf[start:end].decode("utf-8", "replace")
        category, hide, personal = kinds[kind]
        location = new(TextLocation, (path, first_line + lines_before, column, len(value)))
        # The score is already rounded to 4 places by the matcher.
        append(new(Finding, (kind, category, location, score, hide(value), personal)))
    return findings, len(newlines)


def scan_stream(
    stream: BinaryIO,
    *,
    matcher: Re2Matcher,
    path: str,
    chunk_size: int = CHUNK_SIZE,
    extra: ExtraPass | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[Finding]:
    """Findings of a byte stream; Shift_JIS (cp932) input is recognised and re-encoded."""
    line = 1
    encoding: str | None = None
    for raw in _chunks(stream, chunk_size):
        if encoding is None:
            encoding = "utf-8" if _is_utf8(raw[:_SNIFF]) else "cp932"
        block = raw if encoding == "utf-8" else raw.decode("cp932", "replace").encode("utf-8")
        found, lines = findings_in_buffer(
            block, matcher=matcher, path=path, first_line=line, extra=extra
        )
        line += lines
        yield from found
        if on_bytes is not None:
            on_bytes(len(raw))


def scan_text_file(
    path: Path,
    *,
    matcher: Re2Matcher,
    extra: ExtraPass | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[Finding]:
    """Findings of one text file (binary files, recognised by a NUL byte, yield nothing)."""
    try:
        with path.open("rb") as stream:
            if b"\0" in stream.read(8192):
                return
            stream.seek(0)
            yield from scan_stream(
                stream, matcher=matcher, path=str(path), extra=extra, on_bytes=on_bytes
            )
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="path") from exc


def scan_texts(texts: Iterable[tuple[str, str]], *, matcher: Re2Matcher) -> Iterator[Finding]:
    """Findings of in-memory (name, text) pairs."""
    for name, text in texts:
        found, _ = findings_in_buffer(text.encode("utf-8"), matcher=matcher, path=name)
        yield from found
