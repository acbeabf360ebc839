"""Reading input tables (CSV, Parquet, a database table) as text columns; atomic writes.

Every column is read as text so that values match hierarchy files exactly. CSV files may be UTF-8
(with or without a BOM) or Shift_JIS/CP932; errors name rows and columns, never a value. Outputs
are written to a temporary file beside the target and renamed at the end, so a failure leaves
nothing behind.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from kojin.deid.table_source import (
    TableFormat,
    TableSource,
    csv_codec,
    delimiter_of,
    file_format,
    header_line,
)
from kojin.encodings import decode
from kojin.errors import InputError


def _as_text(table: pa.Table) -> pa.Table:
    import pyarrow.compute as pc

    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            columns.append(column)
        else:
            columns.append(pc.cast(column, pa.string()))
    return pa.table(columns, names=table.column_names)


#: Text read as a dictionary: the distinct values once, and an index per row.
DICTIONARY_TEXT = pa.dictionary(pa.int32(), pa.string())


def read_csv(
    path: Path,
    *,
    delimiter: str | None = None,
    dictionary_columns: Collection[str] = (),
    encoding: str | None = None,
) -> pa.Table:
    """Read a CSV file as text; ``dictionary_columns`` come dictionary-encoded (same values).

    The file may be UTF-8 (with or without a BOM) or Shift_JIS/CP932, detected unless `encoding`
    names it. Errors name the file, rows and columns, never a value.
    """
    codec = csv_codec(path, encoding)
    header = header_line(path, codec)
    delimiter = delimiter or delimiter_of(header)
    names = next(csv.reader([header], delimiter=delimiter), [])
    if not names:
        raise InputError(f"{path.name} has no header row")
    first: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in first:
            raise InputError(
                f"{path.name}: columns {first[name]} and {position} of the header have the same "
                "name; every column needs its own"
            )
        first[name] = position
    native = codecs.lookup(codec).name in {"utf-8", "utf-8-sig"}  # Arrow skips a UTF-8 BOM
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf8" if native else codec),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types={
                    name: DICTIONARY_TEXT if name in dictionary_columns else pa.string()
                    for name in names
                },
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except UnicodeDecodeError:
        raise _undecodable(path, codec) from None
    except pa.ArrowInvalid as exc:
        raise _unreadable_csv(
            path, codec, str(exc), delimiter=delimiter, width=len(names)
        ) from None


def _undecodable(path: Path, codec: str) -> InputError:
    """The error for a file that is not text in `codec`, naming the byte (never the bytes)."""
    try:
        decode(path.read_bytes(), source=path.name, encoding=codec)
    except InputError as exc:
        return exc
    return InputError(f"{path.name}: not readable as {codec}", field="encoding")


_RAGGED = re.compile(r"Expected (\d+) columns, got (\d+)")


def _unreadable_csv(
    path: Path, codec: str, message: str, *, delimiter: str, width: int
) -> InputError:
    """The error for a CSV file Arrow cannot parse. Arrow's own message quotes the offending
    row, so it is not repeated: the row is found again and named by its number."""
    if "invalid UTF8" in message:
        return _undecodable(path, codec)
    ragged = _RAGGED.search(message)
    if ragged is not None:
        found = _ragged_row(path, codec, delimiter=delimiter, width=width)
        if found is None:
            return InputError(
                f"{path.name}: a row has {ragged.group(2)} fields where the header has "
                f"{ragged.group(1)}"
            )
        row, line, fields = found
        return InputError(
            f"{path.name}: row {row} (line {line}) has {fields} fields where the header has {width}"
        )
    kind = message.split(":", 1)[0][:60]
    return InputError(f"{path.name} is not a valid CSV file ({kind})")


def _ragged_row(
    path: Path, codec: str, *, delimiter: str, width: int
) -> tuple[int, int, int] | None:
    """The first data row (1-based, blank lines skipped), its line and its number of fields
    when that number differs from the header's; None when none is found."""
    text = decode(path.read_bytes(), source=path.name, encoding=codec)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row = 0
    try:
        next(reader, None)
        for record in reader:
            if not record:
                continue
            row += 1
            if len(record) != width:
                return row, reader.line_num, len(record)
    except csv.Error:
        return None
    return None


def read_table(source: TableSource, *, dictionary_columns: Collection[str] = ()) -> pa.Table:
    """Read the whole table with every column as text.

    A CSV input may give ``dictionary_columns`` dictionary-encoded, which saves encoding them
    again (other inputs give plain text).
    """
    kind = source.format
    if kind is TableFormat.DATABASE:
        return _read_database(source)
    path = Path(source.location)
    if not path.is_file():
        raise InputError(f"input file not found: {path}")
    if kind is TableFormat.PARQUET:
        import pyarrow.parquet as pq

        try:
            return _as_text(pq.read_table(path))
        except pa.ArrowInvalid as exc:
            raise InputError(f"{path.name} is not a valid Parquet file: {exc}") from None
    return read_csv(path, dictionary_columns=dictionary_columns, encoding=source.encoding)


def _read_database(source: TableSource) -> pa.Table:
    import sqlalchemy as sa

    if not source.table:
        raise InputError("a database input needs a table name (--table)", field="table")
    engine = sa.create_engine(source.location)
    try:
        metadata = sa.MetaData()
        try:
            table = sa.Table(source.table, metadata, autoload_with=engine)
        except sa.exc.NoSuchTableError:
            raise InputError(f"table {source.table!r} not found", field="table") from None
        with engine.connect() as connection:
            result = connection.execute(sa.select(table))
            names = list(result.keys())
            rows = result.fetchall()
    finally:
        engine.dispose()
    columns = {
        name: pa.array(["" if row[i] is None else str(row[i]) for row in rows], type=pa.string())
        for i, name in enumerate(names)
    }
    return pa.table(columns)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_table(table: pa.Table, target: Path, *, delimiter: str = ",") -> None:
    """Write CSV or Parquet (by the target's suffix) atomically."""
    kind = file_format(target)
    with atomic_path(target) as temporary:
        if kind is TableFormat.PARQUET:
            import pyarrow.parquet as pq

            pq.write_table(table, temporary)
        else:
            _write_csv(table, temporary, delimiter=delimiter)


_STRUCTURAL = ('"', "\n", "\r")


def _csv_field(text: str, delimiter: str) -> str:
    """A header cell as DuckDB's writer puts it: quoted when empty or when it holds the
    delimiter, a quote or a line break (quotes doubled), else as is."""
    if text and delimiter not in text and not any(char in text for char in _STRUCTURAL):
        return text
    return '"' + text.replace('"', '""') + '"'


def _has_empty_value(table: pa.Table) -> bool:
    """Whether a value is empty (or missing), read from the string offsets."""
    for column in table.columns:
        for chunk in column.chunks:
            if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
                return True  # not plain text: let the quoting writer decide
            width = np.int32 if pa.types.is_string(chunk.type) else np.int64
            offsets = np.frombuffer(chunk.buffers()[1], dtype=width)
            offsets = offsets[chunk.offset : chunk.offset + len(chunk) + 1]
            if bool((np.diff(offsets) == 0).any()):
                return True
    return False


def _write_csv(table: pa.Table, path: Path, *, delimiter: str) -> None:
    """CSV with a header, quoting only values that need it.

    Values are quoted when empty or when they hold the delimiter, a quote or a line break. The
    common case, where no value needs quoting, is written by Arrow's writer; otherwise DuckDB's
    writer (which quotes exactly those values) writes the rows.
    """
    header = delimiter.join(_csv_field(name, delimiter) for name in table.column_names) + "\n"
    with path.open("wb") as handle:
        header_bytes = handle.write(header.encode("utf-8"))
        if not _has_empty_value(table):
            options = pacsv.WriteOptions(
                include_header=False, delimiter=delimiter, quoting_style="none"
            )
            try:
                pacsv.write_csv(table, handle, write_options=options)
                return
            except pa.ArrowInvalid:  # a value needs quoting: keep the header only
                handle.truncate(header_bytes)
                handle.seek(header_bytes)
        _write_quoted_rows(table, handle, path=path, delimiter=delimiter)


def _write_quoted_rows(table: pa.Table, handle: BinaryIO, *, path: Path, delimiter: str) -> None:
    """Append the rows as DuckDB writes them, through a file beside ``path`` (never elsewhere:
    the rows are personal data)."""
    import duckdb

    rows = path.with_name(f"{path.name}.rows")
    try:
        connection = duckdb.connect(":memory:")
        try:
            connection.execute("SET enable_progress_bar = false")
            connection.register("released", table)
            connection.execute(
                "COPY released TO ? (FORMAT csv, HEADER false, DELIMITER ?)",
                [str(rows), delimiter],
            )
        finally:
            connection.close()
        with rows.open("rb") as written:
            shutil.copyfileobj(written, handle)
    finally:
        rows.unlink(missing_ok=True)


def write_bytes(data: bytes, target: Path, *, mode: int | None = None) -> None:
    """Write a small file atomically, optionally with restricted permissions."""
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
        if mode is not None:
            os.chmod(temporary, mode)
