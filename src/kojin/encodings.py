"""Reading text files as users have them: UTF-8 with or without a BOM, or Shift_JIS/CP932 (what
Excel writes in Japan), detected or named.

Every command that reads a CSV or text file decodes it here, so they all accept the same files
and fail the same way: an undecodable file is one :class:`~kojin.errors.InputError` that names
the file and the byte offset, never the bytes themselves.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from kojin.errors import InputError

#: how much of a file detection looks at when the file is not UTF-8
SNIFF_BYTES = 256 * 1024

#: the names users type for the encodings they have, mapped to Python's codecs; any other name
#: Python knows is accepted as well
ALIASES = {
    "sjis": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "shiftjis": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "utf8": "utf-8-sig",
    "utf-8": "utf-8-sig",
}

#: encodings detection may answer with; CP932 is a superset of Shift_JIS that Excel really writes
_JAPANESE = ("cp932", "euc_jp", "iso2022_jp")


def codec_name(name: str, *, field: str = "encoding") -> str:
    """The Python codec for a user-given encoding name (``sjis``, ``cp932``, ``utf-8``...).

    Raises :class:`InputError` naming `field` for an encoding Python does not know.
    """
    key = name.strip().lower()
    codec = ALIASES.get(key, key)
    try:
        codecs.lookup(codec)
    except LookupError:
        raise InputError(
            "not an encoding kojin knows; use utf-8, cp932 (Shift_JIS) or euc-jp", field=field
        ) from None
    return codec


def detect(data: bytes) -> str:
    """The codec of `data`: ``utf-8-sig`` for UTF-8 (with or without a BOM) and ASCII, else what
    charset-normalizer finds among the Japanese encodings (CP932 when it cannot tell)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    sample = data[:SNIFF_BYTES]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start > len(sample) - 4 and len(data) > len(sample):
            return "utf-8-sig"  # only a character cut at the end of the sample
    else:
        return "utf-8-sig"
    from charset_normalizer import from_bytes  # imported only for files that are not UTF-8

    best = from_bytes(sample, cp_isolation=list(_JAPANESE)).best()
    if best is not None and best.encoding in _JAPANESE:
        return best.encoding
    return "cp932"


def decode(data: bytes, *, source: str, encoding: str | None = None) -> str:
    """`data` as text, in the named `encoding` or the detected one.

    Raises :class:`InputError` (field ``encoding``) naming `source` and the byte offset when the
    bytes are not text in that encoding; no part of the content is quoted.
    """
    codec = detect(data) if encoding is None else codec_name(encoding)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not readable as {_label(codec)} (byte {exc.start}); "
            "name the file's encoding with --encoding (utf-8, cp932, euc-jp)",
            field="encoding",
        ) from None


def read_text(path: Path, *, encoding: str | None = None) -> str:
    """The text of the file at `path` (see :func:`decode`); an unreadable file is an
    :class:`InputError` naming it (field ``path``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})", field="path") from None
    return decode(data, source=str(path), encoding=encoding)


def _label(codec: str) -> str:
    return {"utf-8-sig": "UTF-8", "cp932": "Shift_JIS (CP932)"}.get(codec, codec)
