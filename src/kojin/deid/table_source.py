"""Where a table comes from and where output goes: file types, encodings, delimiters, no
overwriting.

Standard library only, so that interfaces can name a source before any data library is loaded.
CSV files are read as users have them (:mod:`kojin.encodings`): UTF-8 with or without a BOM, or
Shift_JIS/CP932 as Excel writes it in Japan, detected unless the encoding is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kojin.encodings import SNIFF_BYTES, codec_name, decode, detect
from kojin.errors import InputError

#: the longest header line read to find a CSV file's delimiter and column names
_HEADER_BYTES = 1 << 20


class TableFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    DATABASE = "database"


@dataclass(frozen=True)
class TableSource:
    """Where a table comes from: a file path, or a SQLAlchemy URL and a table name.

    ``encoding`` names the text encoding of a CSV file (``utf-8``, ``cp932``, ``euc-jp``...);
    None detects it. An encoding Python does not know is an :class:`InputError` at once.
    """

    location: str
    table: str | None = None
    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.encoding is not None:
            codec_name(self.encoding)

    @property
    def format(self) -> TableFormat:
        if "://" in self.location:
            return TableFormat.DATABASE
        return file_format(Path(self.location))

    @property
    def label(self) -> str:
        """A name for reports; database URLs lose their credentials."""
        if self.format is TableFormat.DATABASE:
            scheme = self.location.split("://", 1)[0]
            return f"{scheme}://…/{self.table}"
        return Path(self.location).name


def file_format(path: Path) -> TableFormat:
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        return TableFormat.PARQUET
    if suffix in {".csv", ".txt", ".tsv"}:
        return TableFormat.CSV
    raise InputError(
        f"unsupported file type {suffix or '(none)'!r} for {path.name}: use .csv or .parquet"
    )


def csv_codec(path: Path, encoding: str | None = None) -> str:
    """The Python codec to read the CSV file at `path` with: `encoding` when named, else the one
    detected from the file's first bytes (``utf-8-sig`` for UTF-8 with or without a BOM)."""
    if encoding is not None:
        return codec_name(encoding)
    with path.open("rb") as handle:
        return detect(handle.read(SNIFF_BYTES + 4))


def header_line(path: Path, codec: str) -> str:
    """The first line of a text file, decoded with `codec` (a BOM removed); a line that is not
    text in that codec is an :class:`InputError` naming the file and the byte, not the bytes."""
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES)
    line = head.split(b"\n", 1)[0]
    return decode(line, source=path.name, encoding=codec).rstrip("\r")


def delimiter_of(header: str) -> str:
    """The delimiter a CSV header line uses: the most frequent of ``,``, ``;``, tab and ``|``."""
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def sniff_delimiter(path: Path, *, encoding: str | None = None) -> str:
    """The delimiter of the CSV file at `path`, read from its header line."""
    return delimiter_of(header_line(path, csv_codec(path, encoding)))


def column_hint(column: str, names: Sequence[str]) -> str:
    """What to tell a user whose `column` is not among `names`.

    The names are not listed: in a file without a header row they would be its first record.
    Only a name close to the one asked for (a typing slip) is suggested.
    """
    import difflib

    close = difflib.get_close_matches(column, list(names), n=1, cutoff=0.8)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"it has {len(names)} columns; its first row must name them"


def unknown_column(column: str, names: Sequence[str]) -> InputError:
    """The error for a column the input lacks (see :func:`column_hint`)."""
    return InputError(
        f"unknown column {column!r}: the input has no such column ({column_hint(column, names)})",
        field=column,
    )


def output_delimiter(source: TableSource, *targets: Path) -> str:
    """Check that no file to be written (`targets`) is the input, and return the delimiter to
    write CSV output with: the input's own when it is a CSV file, else a comma."""
    if source.format is TableFormat.DATABASE:
        return ","
    path = Path(source.location)
    if any(path.resolve() == target.resolve() for target in targets):
        raise InputError("the output must not overwrite the input")
    if source.format is TableFormat.CSV and path.is_file():
        return sniff_delimiter(path, encoding=source.encoding)
    return ","
