"""Reading input tables (CSV, Parquet, a database table) as text columns; atomic writes.

Every column is read as text so that values match hierarchy files exactly. Outputs are written to
a temporary file beside the target and renamed at the end, so a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from kojin.deid.table_source import TableFormat, TableSource, file_format, sniff_delimiter
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
    path: Path, *, delimiter: str | None = None, dictionary_columns: Collection[str] = ()
) -> pa.Table:
    """Read a CSV file as text; ``dictionary_columns`` come dictionary-encoded (same values)."""
    delimiter = delimiter or sniff_delimiter(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        names = next(csv.reader([handle.readline()], delimiter=delimiter), [])
    if not names:
        raise InputError(f"{path.name} has no header row")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(f"{path.name}: column {duplicates[0]!r} appears twice in the header")
    try:
        return pacsv.read_csv(
            path,
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
    except pa.ArrowInvalid as exc:
        raise InputError(f"{path.name} is not a valid CSV file: {exc}") from None


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
    return read_csv(path, dictionary_columns=dictionary_columns)


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
