"""Scanning text: large UTF-8 (or Shift_JIS) buffers in chunks cut at line ends.

Lines and character columns are computed only for findings: newlines are counted between one
finding and the next, and only the start of a finding's own line is decoded.

A file's encoding is named by the caller or detected once, from its first bytes
(:func:`kojin.encodings.detect`: UTF-8 with or without a byte order mark, else Shift_JIS/CP932 or
EUC-JP). Every block is decoded strictly: a block that is not text in that encoding gives the
findings of the lines before the first bad byte and the problem, which names the file, the byte
offset and the line, never the bytes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kojin import encodings
from kojin.discovery.batches import KindInfo, TextFindings
from kojin.discovery.lines import line_bounds
from kojin.discovery.masking import mask_all
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Finding, Match
from kojin.errors import InputError

CHUNK_SIZE = 8 << 20
NEWLINE = 10
#: The bytes of a file's start that decide its encoding (one more than detection looks at, so
#: that it knows when a character is only cut at the end of its sample).
SNIFF_BYTES = encodings.SNIFF_BYTES + 4
#: Bytes read to tell a binary file (a NUL byte among them) from text.
BINARY_SNIFF_BYTES = 8192
UTF8 = "utf-8"
_BOM = b"\xef\xbb\xbf"
_LABELS = {UTF8: "UTF-8", "cp932": "Shift_JIS (CP932)", "euc_jp": "EUC-JP"}

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


def block_codec(head: bytes, encoding: str | None = None) -> tuple[str, int]:
    """The codec a file's blocks are decoded with and the bytes of its start to skip (a UTF-8
    byte order mark), from the `encoding` named (any name :func:`kojin.encodings.codec_name`
    accepts) or detected from `head`, the first :data:`SNIFF_BYTES` of the file. UTF-8 comes
    back as ``"utf-8"`` (a block is then scanned as it is read)."""
    codec = encodings.detect(head) if encoding is None else encodings.codec_name(encoding)
    if codec in ("utf-8-sig", UTF8):
        return UTF8, len(_BOM) if head.startswith(_BOM) else 0
    return codec, 0


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
    valid_utf8: bool = False,
) -> tuple[TextFindings, int]:
    """Findings of one block of whole lines, in bulk, and the number of lines in it
    (`valid_utf8`: the caller has checked that `buf` is UTF-8)."""
    if extra is None:
        kinds, starts, ends, scores = matcher.scan_columns(buf, valid_utf8=valid_utf8)
    else:
        matches = matcher.scan(buf, valid_utf8=valid_utf8)
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
    encoding: str  # a Python codec, "utf-8" for UTF-8 (decided once per file: block_codec)
    offset: int = 0  # where `raw` starts in the file, in bytes (for the error message)


def stream_blocks(
    stream: BinaryIO,
    *,
    path: str,
    chunk_size: int = CHUNK_SIZE,
    encoding: str | None = None,
    head: bytes | None = None,
) -> Iterator[TextBlock]:
    """The blocks of a byte stream, each numbered by the line it starts on. Newlines are counted
    in the raw bytes: Shift_JIS and EUC-JP never use the newline byte inside a character. The
    encoding is `encoding`, or detected from `head` (the stream's first bytes, when the caller
    has read them) or else from the first block; a UTF-8 byte order mark is skipped."""
    line, offset = 1, 0
    codec: str | None = None
    for raw in _chunks(stream, chunk_size):
        if codec is None:
            codec, skip = block_codec(raw[:SNIFF_BYTES] if head is None else head, encoding)
            if skip and raw.startswith(_BOM):
                raw, offset = raw[skip:], skip
        yield TextBlock(path, raw, line, codec, offset)
        line += raw.count(b"\n")
        offset += len(raw)


def file_blocks(
    path: Path, *, chunk_size: int = CHUNK_SIZE, encoding: str | None = None
) -> Iterator[TextBlock]:
    """The blocks of one text file (a binary file, recognised by a NUL byte, has none), in the
    named `encoding` or the one detected from the file's first :data:`SNIFF_BYTES`."""
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES if encoding is None else BINARY_SNIFF_BYTES)
            if b"\0" in head[:BINARY_SNIFF_BYTES]:
                return
            stream.seek(0)
            yield from stream_blocks(
                stream, path=str(path), chunk_size=chunk_size, encoding=encoding, head=head
            )
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="path") from exc


def decoded_block(block: TextBlock) -> tuple[bytes, str | None]:
    """The block as UTF-8, and None; or, when the block is not text in its encoding, the lines
    before the one holding the first bad byte (as UTF-8) and a message that names the file, the
    byte offset and the line (never the bytes)."""
    raw, codec = block.raw, block.encoding
    try:
        if codec == UTF8:
            raw.decode(UTF8)  # checked only: the matcher scans the bytes as they are
            return raw, None
        return raw.decode(codec).encode(UTF8), None
    except UnicodeDecodeError as exc:
        bad = exc.start
    good = raw[: raw.rfind(b"\n", 0, bad) + 1]
    line = block.first_line + good.count(b"\n")
    label = _LABELS.get(codec, codec)
    problem = (
        f"{block.path}: not readable as {label} (byte {block.offset + bad}, line {line}); "
        "name the file's encoding with --encoding (utf-8, cp932, euc-jp)"
    )
    return (good if codec == UTF8 else good.decode(codec).encode(UTF8)), problem


def scan_block(
    block: TextBlock,
    *,
    matcher: Re2Matcher,
    extra: ExtraPass | None = None,
    info: Mapping[str, KindInfo] | None = None,
) -> tuple[TextFindings, str | None]:
    """The findings of one block (decoded, and re-encoded as UTF-8 unless it is UTF-8), and
    None; or, for a block that is not text in its encoding, the findings of the lines before
    the first bad byte and the problem (see :func:`decoded_block`)."""
    buf, problem = decoded_block(block)
    found, _ = batch_in_buffer(
        buf,
        matcher=matcher,
        path=block.path,
        first_line=block.first_line,
        extra=extra,
        info=info,
        valid_utf8=True,
    )
    return found, problem


def _scan_blocks(
    blocks: Iterable[TextBlock],
    *,
    matcher: Re2Matcher,
    extra: ExtraPass | None,
    on_bytes: Callable[[int], None] | None,
) -> Iterator[TextFindings]:
    info = kind_info(matcher)
    done = 0  # bytes of the file read so far (a byte order mark included)
    for block in blocks:
        found, problem = scan_block(block, matcher=matcher, extra=extra, info=info)
        if found:
            yield found
        if problem is not None:
            raise InputError(problem, field="encoding")
        if on_bytes is not None:
            end = block.offset + len(block.raw)
            on_bytes(end - done)
            done = end


def scan_stream_batches(
    stream: BinaryIO,
    *,
    matcher: Re2Matcher,
    path: str,
    chunk_size: int = CHUNK_SIZE,
    extra: ExtraPass | None = None,
    on_bytes: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> Iterator[TextFindings]:
    """Findings of a byte stream, a batch per block, in the named `encoding` or the one detected
    from its first block (Shift_JIS or EUC-JP input is re-encoded as UTF-8). Text that is not in
    that encoding raises :class:`~kojin.errors.InputError` after the findings before it."""
    blocks = stream_blocks(stream, path=path, chunk_size=chunk_size, encoding=encoding)
    return _scan_blocks(blocks, matcher=matcher, extra=extra, on_bytes=on_bytes)


def text_file_batches(
    path: Path,
    *,
    matcher: Re2Matcher,
    extra: ExtraPass | None = None,
    on_bytes: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> Iterator[TextFindings]:
    """Findings of one text file in batches (binary files, recognised by a NUL byte, yield
    nothing), in the named `encoding` or the detected one (see :func:`scan_stream_batches`)."""
    blocks = file_blocks(path, encoding=encoding)
    return _scan_blocks(blocks, matcher=matcher, extra=extra, on_bytes=on_bytes)
