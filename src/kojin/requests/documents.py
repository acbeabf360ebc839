"""Checking an uploaded identity or authority document before anything is stored.

A document is judged by its bytes, never by what the browser or the file name claims: the first
bytes must be the signature of an accepted type (JPEG, PNG or PDF), puremagic's reading of the
file must agree, and the file must then parse as that type (:mod:`kojin.requests.pdf_check` for
PDFs, Pillow for images). The file name's extension, when it has one, must name the same type;
the declared Content-Type is advisory and decides nothing (a browser derives it from the name).

Refusals are :class:`UploadRefused` (an InputError on the field ``document``) with a `reason`
a page can translate. The messages never repeat the file name, which the person typed.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from typing import Final, Literal

import puremagic
from PIL import Image, UnidentifiedImageError

from kojin.errors import InputError
from kojin.requests.pdf_check import PdfCheckError, check_pdf

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
PDF: Final = "application/pdf"

#: what an uploaded document may be (what its bytes are, not what its name says)
ACCEPTED_TYPES: Final[frozenset[str]] = frozenset({JPEG, PNG, PDF})

#: file-name extensions of the accepted types (lower case, without the dot)
EXTENSIONS: Final[dict[str, str]] = {
    "jpg": JPEG,
    "jpeg": JPEG,
    "jpe": JPEG,
    "jfif": JPEG,
    "png": PNG,
    "pdf": PDF,
}

#: the extension a stored document of each type is offered under
SUFFIXES: Final[dict[str, str]] = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}

#: the leading bytes of each accepted type (at offset 0: a PDF header further in is refused)
_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
)

#: the IEND chunk that ends every PNG file (length 0, type, constant CRC)
_PNG_END: Final = b"\x00\x00\x00\x00IEND\xaeB`\x82"

#: decompression-bomb guard: no image over 50 megapixels (a 48 MP phone photo passes) or with
#: a side longer than 20,000 pixels; checked from the header, before any pixel is decoded
MAX_IMAGE_PIXELS: Final = 50_000_000
MAX_IMAGE_SIDE: Final = 20_000

#: an extension is a short run of letters and digits after the last dot
_EXTENSION: Final = re.compile(r"[a-z0-9]{1,10}")

Reason = Literal["too_large", "empty", "unsupported_type", "name_mismatch", "unreadable"]


class UploadRefused(InputError):  # noqa: N818 (the name the contract gives)
    """An uploaded document is refused; `reason` says why in one word a page can translate."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(f"document: {message}", field="document")
        self.reason: Reason = reason


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    """What the check learned: the type the bytes are, their size and their SHA-256 (hex)."""

    media_type: str
    size: int
    sha256: str


def _extension(filename: str) -> str | None:
    """The extension of the file name's last component, lower case; None when it has none.

    Trailing dots and spaces are dropped first (Windows ignores them: ``a.exe.`` runs as
    ``a.exe``).
    """
    base = re.split(r"[/\\]", filename)[-1].rstrip(". \t")
    stem, dot, ext = base.rpartition(".")
    ext = ext.lower()
    if not dot or not stem or not _EXTENSION.fullmatch(ext):
        return None
    return ext


def _signature_type(data: bytes) -> str | None:
    """The accepted type whose signature the bytes start with, if puremagic agrees."""
    found = next((kind for sig, kind in _SIGNATURES if data.startswith(sig)), None)
    if found is None:
        return None
    try:
        guesses = {match.mime_type for match in puremagic.magic_string(data)}
    except (puremagic.PureError, ValueError):
        return None
    return found if found in guesses else None


def _jpeg_complete(data: bytes) -> bool:
    """Whether the JPEG's segments run from SOI to an EOI marker (a truncated file has none).

    Walks the marker segments by their lengths and, after each start of scan, the entropy-coded
    data (where ``FF 00`` is a stuffed byte and ``FF D0``..``FF D7`` are restart markers).
    """
    pos, end = 2, len(data)
    while pos + 2 <= end:
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xD9:
            return True
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        if pos + 4 > end:
            return False
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            return False
        pos += 2 + length
        if marker != 0xDA:
            continue
        while True:  # entropy-coded data up to the next marker
            ff = data.find(b"\xff", pos)
            if ff < 0 or ff + 1 >= end:
                return False
            following = data[ff + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                pos = ff + 2
            elif following == 0xFF:
                pos = ff + 1
            else:
                pos = ff
                break
    return False


def _check_image(data: bytes, media_type: str) -> None:
    """Parse the image: header and size first (the bomb guard), then the whole file.

    PNG: Pillow's ``verify`` checks the chunks' CRCs up to IEND, and nothing may follow IEND
    (a PNG carrying another file after its end is a polyglot). JPEG: ``verify`` checks little,
    so the segments are walked to the end marker and the scan decoded at 1/8 scale (cheap),
    which fails on corrupt data. Both checks hold even when Pillow is told to load truncated
    images (WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES`` for the whole process). Bytes
    after a JPEG's end are allowed: phones append their own data there.
    """
    expected = "PNG" if media_type == PNG else "JPEG"
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as image:
            width, height = image.size
            if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
                raise UploadRefused("too_large", "the image's dimensions are too large")
            if width * height > MAX_IMAGE_PIXELS:
                raise UploadRefused("too_large", "the image has too many pixels")
            if media_type == PNG:
                image.verify()
            else:
                if not _jpeg_complete(data):
                    raise UploadRefused("unreadable", "the image cannot be read")
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except Image.DecompressionBombError:
        raise UploadRefused("too_large", "the image has too many pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise UploadRefused("unreadable", "the image cannot be read") from None
    if media_type == PNG and not data.endswith(_PNG_END):
        raise UploadRefused("unsupported_type", "the image carries other data after its end")


def check_upload(
    *, filename: str, declared_type: str | None, data: bytes, max_bytes: int
) -> CheckedUpload:
    """Check an uploaded document; returns what it is, or raises :class:`UploadRefused`.

    In order: over `max_bytes` is ``too_large`` (before any parsing); no bytes is ``empty``; an
    extension that is not an accepted type's (``.exe``, ``.html``) is ``unsupported_type``;
    bytes that are not JPEG, PNG or PDF are ``unsupported_type``; an extension naming another
    accepted type than the bytes (a PNG named ``.pdf``) is ``name_mismatch``; a file that does
    not parse is ``unreadable``. A name without an extension is judged by the bytes alone.
    `declared_type` (the browser's Content-Type) is not used to decide: it comes from the name.
    """
    del declared_type  # advisory only; see the docstring
    size = len(data)
    if size > max_bytes:
        raise UploadRefused("too_large", f"the file is larger than {max_bytes} bytes")
    if size == 0:
        raise UploadRefused("empty", "the file is empty")
    ext = _extension(filename)
    if ext is not None and ext not in EXTENSIONS:
        raise UploadRefused("unsupported_type", "only JPEG, PNG and PDF files are accepted")
    media_type = _signature_type(data)
    if media_type is None:
        raise UploadRefused("unsupported_type", "only JPEG, PNG and PDF files are accepted")
    if ext is not None and EXTENSIONS[ext] != media_type:
        raise UploadRefused("name_mismatch", "the file's name does not match its content")
    if media_type == PDF:
        try:
            check_pdf(data)
        except PdfCheckError as refusal:
            raise UploadRefused(refusal.reason, refusal.message) from None
    else:
        _check_image(data, media_type)
    return CheckedUpload(media_type=media_type, size=size, sha256=hashlib.sha256(data).hexdigest())
