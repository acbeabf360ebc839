"""Safe paths and atomic rewrites for the files connector.

A collection's path is resolved under the connector's base folder and must stay there: absolute
paths, ``..`` and symbolic links leading outside are refused. A rewrite goes to a temporary file
in the same folder, created with mode 0600, written, flushed and fsynced, then moved over the
original with ``os.replace`` (atomic on POSIX), and the folder is fsynced, so a reader sees the
old file or the new one, never a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from kojin.errors import InputError

_GLOB = set("*?[")
BOM = b"\xef\xbb\xbf"
#: names of the temporary files and folders of a rewrite (never data of a collection)
TEMP_SUFFIX = ".kojin"
TEMP_PREFIX = ".kojin-"


#: the lock file in a files store's folder that every kojin process takes while it rewrites
WRITE_LOCK_NAME = ".kojin-write.lock"


def resolve_files(base_dir: Path, pattern: str, *, address: str) -> list[Path]:
    """The files `pattern` (a path or a glob, relative to `base_dir`) names, resolved, sorted;
    anything that leads outside `base_dir` is refused."""
    posix = PurePosixPath(pattern.replace("\\", "/"))
    if posix.is_absolute() or PureWindowsPath(pattern).drive or ".." in posix.parts:
        raise InputError(
            f"{address}: the file path must be relative to the data map's folder, without '..'",
            field=f"{address}.path",
        )
    base = base_dir.resolve()
    candidates = sorted(base.glob(posix.as_posix())) if _GLOB & set(pattern) else [base / posix]
    files: list[Path] = []
    for candidate in candidates:
        if (
            candidate.name.endswith(TEMP_SUFFIX)
            or candidate.name.startswith(TEMP_PREFIX)
            or candidate.name == WRITE_LOCK_NAME
        ):
            continue  # another rewrite's temporary file
        real = candidate.resolve()
        if not real.is_relative_to(base):
            raise InputError(
                f"{address}: {posix.as_posix()} leads outside the data map's folder",
                field=f"{address}.path",
            )
        if real.is_file():
            files.append(real)
        elif not _GLOB & set(pattern):
            raise InputError(
                f"{address}: no file at {posix.as_posix()} under the data map's folder",
                field=f"{address}.path",
            )
    return sorted(dict.fromkeys(files))


def replace_atomically(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write `target` anew through `write` (given a binary file) with mode 0600, atomically."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written, as sniffed from it (DuckDB's sniffer) and its first bytes."""

    delimiter: str = ","
    quote: str = '"'
    escape: str = ""
    newline: str = "\n"
    bom: bool = False

    @classmethod
    def sniffed(cls, path: Path, sniff: dict[str, Any]) -> CsvDialect:
        newline = str(sniff.get("NewLineDelimiter") or "")
        with path.open("rb") as handle:
            head = handle.read(3)
        quote = str(sniff.get("Quote") or "")
        escape = str(sniff.get("Escape") or "")
        delimiter = str(sniff.get("Delimiter") or ",")
        return cls(
            delimiter=delimiter if len(delimiter) == 1 else ",",
            quote=quote if len(quote) == 1 else '"',
            escape=escape if len(escape) == 1 else "",
            newline="\r\n" if newline in ("\\r\\n", "\r\n") else "\n",
            bom=head == BOM,
        )


def sql_text(text: str) -> str:
    """`text` as a DuckDB string literal (for COPY options, which take no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def csv_copy_options(dialect: CsvDialect) -> str:
    """DuckDB COPY options writing CSV the way `dialect` describes (minimal quoting, NULL as an
    empty field, an empty text as ``""``)."""
    escape = dialect.escape or dialect.quote
    return (
        f"FORMAT csv, HEADER true, DELIMITER {sql_text(dialect.delimiter)}, "
        f"QUOTE {sql_text(dialect.quote)}, ESCAPE {sql_text(escape)}, "
        f"NEW_LINE {sql_text(dialect.newline)}"
    )


def copy_with_bom(source: Path, handle: IO[bytes], *, bom: bool) -> None:
    """`source`'s bytes onto `handle`, after a UTF-8 byte order mark when `bom`."""
    if bom:
        handle.write(BOM)
    with source.open("rb") as body:
        shutil.copyfileobj(body, handle, 1 << 20)


def write_parquet(handle: IO[bytes], table: pa.Table, original: Path) -> None:
    """`table` with the original file's schema (types, nullability, metadata) and compression."""
    schema = pq.read_schema(original)
    compression = "snappy"
    with pq.ParquetFile(original) as parquet:
        meta = parquet.metadata
    if meta.num_row_groups and meta.num_columns:
        compression = str(meta.row_group(0).column(0).compression).lower()
    if compression not in ("snappy", "gzip", "brotli", "lz4", "zstd", "none", "uncompressed"):
        compression = "snappy"
    pq.write_table(
        table.select(schema.names).cast(schema),
        handle,
        compression="none" if compression == "uncompressed" else compression,
    )


@contextlib.contextmanager
def store_write_lock(base_dir: Path) -> Iterator[None]:
    """Hold the files store's write lock (an exclusive ``flock`` on a 0600 file in its folder)
    while a file is read, changed and replaced, so that two workers, in two processes or on two
    machines sharing the folder, never rewrite a file from the same old copy."""
    import fcntl

    fd = os.open(base_dir / WRITE_LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
