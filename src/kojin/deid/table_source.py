"""Where a table comes from and where output goes: file types, delimiters, no overwriting.

Standard library only, so that interfaces can name a source before any data library is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kojin.errors import InputError


class TableFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    DATABASE = "database"


@dataclass(frozen=True)
class TableSource:
    """Where a table comes from: a file path, or a SQLAlchemy URL and a table name."""

    location: str
    table: str | None = None

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


def sniff_delimiter(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def output_delimiter(source: TableSource, *targets: Path) -> str:
    """Check that no file to be written (`targets`) is the input, and return the delimiter to
    write CSV output with: the input's own when it is a CSV file, else a comma."""
    if source.format is TableFormat.DATABASE:
        return ","
    path = Path(source.location)
    if any(path.resolve() == target.resolve() for target in targets):
        raise InputError("the output must not overwrite the input")
    if source.format is TableFormat.CSV and path.is_file():
        return sniff_delimiter(path)
    return ","
