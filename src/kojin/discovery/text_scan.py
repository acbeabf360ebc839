"""Scanning text: large UTF-8 (or Shift_JIS) buffers in chunks cut at line ends.

Lines and character columns are computed only for findings: newlines are counted between one
finding and the next, and only the start of a finding's own line is decoded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kojin.discovery.batches import KindInfo, TextFindings
from kojin.discovery.lines import line_bounds
from kojin.discovery.masking import mask_all
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Finding, Match
from kojin.errors import InputError

CHUNK_SIZE = 8 << 20
NEWLINE = 10
#: The bytes of a file's start that decide its encoding.
SNIFF_BYTES = 64 << 10

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
        if block[-1] != NEWLINE:
            block += stream.readline()
        yield block


def sniff_encoding(sample: bytes) -> str:
    """ "utf-8", or "cp932" (Shift_JIS) when the start of a file is not UTF-8."""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start <= len(sample) - 4:  # not merely a character cut at the end of the sample
            return "cp932"
    return "utf-8"


def kind_info(matcher: Re2Matcher) -> dict[str, KindInfo]:
    """Category and personal flag of every kind the matcher finds."""
    return {spec.kind: KindInfo(spec.category, spec.personal) for spec in matcher.registry}


def batch_in_buffer(
    buf: bytes,
    *,
    matcher: Re2Matcher,
    path: str,
    first_line: int = 1,
    extra: ExtraPass | None = None,
    info: Mapping[str, KindInfo] | None = None,
) -> tuple[TextFindings, int]:
    """Findings of one block of whole lines, in bulk, and the number of lines in it."""
    if extra is None:
        kinds, starts, ends, scores = matcher.scan_columns(buf)
    else:
        matches = matcher.scan(buf)
        matches = sorted([*matches, *extra(buf, matches)], key=lambda m: m.start)
        kinds = [m.kind for m in matches]
        starts = [m.start for m in matches]
        ends = [m.end for m in matches]
        scores = [m.score for m in matches]
    info = kind_info(matcher) if info is None else info
    if not kinds:
        return TextFindings(path, info, [], [], [], [], [], []), buf.count(b"\n")
    # Line of each finding and its column: the characters between the start of its line and it.
    bounds = line_bounds(buf, starts)
    lines = [first_line + number for number in bounds.numbers]
    prefixes = [
        buf[line_start:start] for line_start, start in zip(bounds.starts, starts, strict=True)
    ]
    columns = [len(p) if p.isascii() else len(p.decode("utf-8", "replace")) for p in prefixes]
    spans = zip(starts, ends, strict=True)
    values = [buf[start:end].decode("utf-8", "replace") for start, end in spans]
    masked = _masked(kinds, values, matcher)
    lengths = list(map(len, values))
    total_lines = bounds.numbers[-1] + buf.count(b"\n", bounds.starts[-1])
    return TextFindings(path, info, kinds, lines, columns, lengths, scores, masked), total_lines


def _masked(kinds: list[str], values: list[str], matcher: Re2Matcher) -> list[str]:
    """The masked values, kind by kind (each detector's mask applied to its values at once)."""
    styles = {spec.kind: spec.mask for spec in matcher.registry}
    if len(set(kinds)) == 1:
        return mask_all(values, styles[kinds[0]])
    order = sorted(range(len(kinds)), key=kinds.__getitem__)
    ordered = [kinds[at] for at in order]
    masked_in_order: list[str] = []
    low = 0
    while low < len(ordered):
        kind = ordered[low]
        high = bisect_right(ordered, kind, low)
        masked_in_order += mask_all([values[at] for at in order[low:high]], styles[kind])
        low = high
    masked = [""] * len(kinds)
    for at, value in zip(order, masked_in_order, strict=True):
        masked[at] = value
    return masked


def findings_in_buffer(
    buf: bytes,
    *,
    matcher: Re2Matcher,
    path: str,
    first_line: int = 1,
    extra: ExtraPass | None = None,
) -> tuple[list[Finding], int]:
    """Findings of one block of whole lines, and the number of lines in it."""
    batch, lines = batch_in_buffer(
        buf, matcher=matcher, path=path, first_line=first_line, extra=extra
    )
    return list(batch), lines


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A block of whole lines of one file, as read: the unit a scan hands to a worker."""

    path: str
    raw: bytes
    first_line: int  # the line number of its first line in the file
    encoding: str  # "utf-8" or "cp932" (recognised once per file, from its first block)


def stream_blocks(
    stream: BinaryIO, *, path: str, chunk_size: int = CHUNK_SIZE
) -> Iterator[TextBlock]:
    """The blocks of a byte stream, each numbered by the line it starts on. Newlines are counted
    in the raw bytes: Shift_JIS never uses the newline byte inside a character."""
    line = 1
    encoding: str | None = None
    for raw in _chunks(stream, chunk_size):
        if encoding is None:
            encoding = sniff_encoding(raw[:SNIFF_BYTES])
        yield TextBlock(path, raw, line, encoding)
        line += raw.count(b"\n")


def file_blocks(path: Path, *, chunk_size: int = CHUNK_SIZE) -> Iterator[TextBlock]:
    """The blocks of one text file (a binary file, recognised by a NUL byte, has none)."""
    try:
        with path.open("rb") as stream:
            if b"\0" in stream.read(8192):
                return
            stream.seek(0)
            yield from stream_blocks(stream, path=str(path), chunk_size=chunk_size)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="path") from exc


def scan_block(
    block: TextBlock,
    *,
    matcher: Re2Matcher,
    extra: ExtraPass | None = None,
    info: Mapping[str, KindInfo] | None = None,
) -> TextFindings:
    """The findings of one block (Shift_JIS re-encoded as UTF-8 first)."""
    raw = block.raw
    buf = raw if block.encoding == "utf-8" else raw.decode("cp932", "replace").encode("utf-8")
    found, _ = batch_in_buffer(
        buf, matcher=matcher, path=block.path, first_line=block.first_line, extra=extra, info=info
    )
    return found


def _scan_blocks(
    blocks: Iterable[TextBlock],
    *,
    matcher: Re2Matcher,
    extra: ExtraPass | None,
    on_bytes: Callable[[int], None] | None,
) -> Iterator[TextFindings]:
    info = kind_info(matcher)
    for block in blocks:
        found = scan_block(block, matcher=matcher, extra=extra, info=info)
        if found:
            yield found
        if on_bytes is not None:
            on_bytes(len(block.raw))


def scan_stream_batches(
    stream: BinaryIO,
    *,
    matcher: Re2Matcher,
    path: str,
    chunk_size: int = CHUNK_SIZE,
    extra: ExtraPass | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[TextFindings]:
    """Findings of a byte stream, a batch per block; Shift_JIS (cp932) input is recognised and
    re-encoded."""
    blocks = stream_blocks(stream, path=path, chunk_size=chunk_size)
    return _scan_blocks(blocks, matcher=matcher, extra=extra, on_bytes=on_bytes)


def text_file_batches(
    path: Path,
    *,
    matcher: Re2Matcher,
    extra: ExtraPass | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[TextFindings]:
    """Findings of one text file in batches (binary files, recognised by a NUL byte, yield
    nothing)."""
    return _scan_blocks(file_blocks(path), matcher=matcher, extra=extra, on_bytes=on_bytes)
