"""A light structural check of an uploaded PDF (pypdf is a development dependency only).

What is checked: the header ``%PDF-1.x`` / ``%PDF-2.x`` at the very start, an ``%%EOF`` marker
within the last 1024 bytes (where the standard puts it), and the absence of anything a viewer
could act on or that hides the content from this check:

- active content, refused because an identity document is a page to look at, never a program:
  ``/JavaScript`` and ``/JS`` (scripts), ``/Launch`` (runs a program), ``/EmbeddedFile(s)``
  (a file inside the file), ``/RichMedia`` (Flash and video), ``/XFA`` (scriptable forms);
- encryption (``/Encrypt``): the objects could not be read, by this check or by staff.

Names are compared after decoding their ``#xx`` escapes (``/J#61vaScript`` is ``/JavaScript``).
Stream contents (page drawings, images) are skipped, so binary data cannot look like a name,
except object streams (``/Type /ObjStm``), which hold objects: they are inflated (FlateDecode
or unfiltered; any other filter is refused) within a bound, and scanned too. This is a check,
not a sanitiser: a file it passes is still only shown to staff as a PDF, never run.
"""

from __future__ import annotations

import re
import zlib
from typing import Final, Literal

#: names whose presence refuses the document (see the module docstring)
ACTIVE_NAMES: Final[frozenset[bytes]] = frozenset(
    {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"}
)
#: the most bytes the object streams of one file may inflate to
MAX_INFLATED_BYTES: Final = 64 * 1024 * 1024

_HEADER: Final = re.compile(rb"%PDF-[12]\.[0-9]")
#: a name token: a solidus and the regular characters after it (PDF 32000-1, 7.3.5)
_NAME: Final = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")
#: a stream's start: its dictionary's end, the keyword, and the end of line after it
_STREAM: Final = re.compile(rb">>[\x00\t\n\x0c\r ]*stream(?:\r\n|\n|\r)")
_ENDSTREAM: Final = b"endstream"
#: how far before a stream its dictionary is looked for
_DICT_LOOKBACK: Final = 4096

PdfReason = Literal["unsupported_type", "unreadable", "too_large"]


class PdfCheckError(Exception):
    """Why a PDF is refused: a reason word for :class:`~kojin.requests.documents.UploadRefused`
    and a message that names no content."""

    def __init__(self, reason: PdfReason, message: str) -> None:
        super().__init__(message)
        self.reason: PdfReason = reason
        self.message = message


def _names(text: bytes) -> set[bytes]:
    """The names in `text`, their ``#xx`` escapes decoded."""
    return {
        _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        for match in _NAME.finditer(text)
    }


def _split_streams(data: bytes) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    """The file outside its streams, and each stream as (its dictionary's text, its data).

    A stream's data ends at the next ``endstream`` keyword; one without it runs to the end.
    """
    outside: list[bytes] = []
    streams: list[tuple[bytes, bytes]] = []
    position = 0
    while (start := _STREAM.search(data, position)) is not None:
        outside.append(data[position : start.end()])
        end = data.find(_ENDSTREAM, start.end())
        end = len(data) if end < 0 else end
        head_from = max(position, start.start() - _DICT_LOOKBACK)
        head = data[head_from : start.start()]
        obj = head.rfind(b"obj")
        streams.append((head[obj + 3 :] if obj >= 0 else head, data[start.end() : end]))
        position = end
    outside.append(data[position:])
    return outside, streams


def _inflate(body: bytes, names: set[bytes], budget: int) -> bytes:
    """The decoded data of an object stream, at most `budget` bytes; only FlateDecode (or no
    filter) can be decoded here."""
    filters = {name for name in names if name.endswith(b"Decode")}
    if not filters and b"Filter" not in names:
        return body[:budget]
    if filters != {b"FlateDecode"}:
        raise PdfCheckError("unsupported_type", "the PDF uses an encoding that cannot be checked")
    try:
        out = zlib.decompressobj().decompress(body, budget + 1)
    except zlib.error:
        raise PdfCheckError("unreadable", "the PDF cannot be read") from None
    if len(out) > budget:
        raise PdfCheckError("too_large", "the PDF expands beyond the size accepted")
    return out


def check_pdf(data: bytes) -> None:
    """Raise :class:`PdfCheckError` unless `data` passes the check in the module docstring."""
    if _HEADER.match(data) is None:
        raise PdfCheckError("unreadable", "the PDF has no valid header")
    if b"%%EOF" not in data[-1024:]:
        raise PdfCheckError("unreadable", "the PDF is incomplete (no end-of-file marker)")
    outside, streams = _split_streams(data)
    found: set[bytes] = set()
    for part in outside:
        found |= _names(part)
    budget = MAX_INFLATED_BYTES
    for head, body in streams:
        head_names = _names(head)
        if b"ObjStm" not in head_names:
            continue
        inflated = _inflate(body, head_names, budget)
        budget -= len(inflated)
        found |= _names(inflated)
    if b"Encrypt" in found:
        raise PdfCheckError(
            "unsupported_type", "encrypted or password-protected PDFs are not accepted"
        )
    if found & ACTIVE_NAMES:
        raise PdfCheckError(
            "unsupported_type",
            "PDFs with scripts, attachments or other active content are not accepted",
        )
