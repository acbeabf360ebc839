"""Scanning tables: CSV and Parquet files through DuckDB, and cell findings for sampled rows.

Column classification runs over every row (DuckDB reads large UTF-8 files without loading them
into Python); cell findings, which name a row, are produced for the first ``sample`` rows.

A CSV file in another encoding (Shift_JIS/CP932 as Excel writes it in Japan, EUC-JP; named, or
detected from its first bytes by :func:`kojin.encodings.detect`) is decoded in Python, parsed by
the ``csv`` module and handed to DuckDB as an Arrow table: DuckDB reads UTF-8 only. Messages about
a file never quote its content: a bad row is named by its line, an undecodable file by the byte
offset, and a header cell that is itself personal data (a file without a header row) is shown as
``column N``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from kojin import encodings
from kojin.discovery.cell_scan import cell_findings, shown_names
from kojin.discovery.columns import ColumnClass, ColumnClassifier
from kojin.discovery.defaults import TABLE_SUFFIXES
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Finding
from kojin.discovery.text_scan import SNIFF_BYTES, decoded_block, file_blocks
from kojin.errors import InputError

#: The name under which a CSV decoded in Python is registered in DuckDB.
_DECODED = "kojin_decoded_csv"
_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")


def _is_parquet(path: Path) -> bool:
    return TABLE_SUFFIXES[path.suffix.lower()] == "parquet"


def _file_source(con: duckdb.DuckDBPyConnection, path: Path, encoding: str | None) -> str:
    """The DuckDB relation of a table file: DuckDB reads Parquet and UTF-8 CSV itself; a CSV in
    another encoding is decoded here and registered as an Arrow table."""
    literal = "'" + str(path).replace("'", "''") + "'"
    if _is_parquet(path):
        return f"read_parquet({literal})"
    if encoding is None:
        try:
            with path.open("rb") as stream:
                head = stream.read(SNIFF_BYTES)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}", field="path") from None
        codec = encodings.detect(head)
    else:
        codec = encodings.codec_name(encoding)
    if codec in ("utf-8-sig", "utf-8"):
        # Every column as text: phone numbers and postal codes keep their leading zeros.
        return f"read_csv({literal}, all_varchar = true, header = true)"
    con.register(_DECODED, _decoded_csv(path, codec))
    return _DECODED


def _decoded_csv(path: Path, codec: str) -> pa.Table:
    """A CSV file in `codec` as an Arrow table of strings, as DuckDB would read it: the first row
    names the columns (an empty name becomes ``columnN``, a repeated one ``name_1``), empty cells
    are nulls, short rows are padded with nulls; a row longer than the header is an error."""
    text = encodings.read_text(path, encoding=codec)
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(path, text))
    try:
        header = next(reader, None) or [""]  # an empty file: one column, as DuckDB reads it
        width = len(header)
        columns: list[list[str | None]] = [[] for _ in header]
        for row in reader:
            if not row:
                continue
            if len(row) > width:
                raise InputError(
                    f"cannot read table file {path}: line {reader.line_num} has {len(row)} "
                    f"cells, the header row {width}",
                    field="path",
                )
            for cells, cell in zip(columns, row, strict=False):
                cells.append(cell or None)
            for cells in columns[len(row) :]:
                cells.append(None)
    except csv.Error as exc:
        raise InputError(
            f"cannot read table file {path}: line {reader.line_num} is not well-formed CSV ({exc})",
            field="path",
        ) from None
    names = _column_names(header)
    return pa.table(
        {
            name: pa.array(cells, type=pa.string())
            for name, cells in zip(names, columns, strict=True)
        }
    )


def _delimiter(path: Path, text: str) -> str:
    """The cell separator: a tab in a ``.tsv`` file, else the one of ``, ; | tab`` the first
    lines use consistently (a comma when they tell nothing)."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",;|\t").delimiter
    except csv.Error:
        return ","


def _column_names(header: Sequence[str]) -> list[str]:
    """Header cells as DuckDB names columns: empty ones ``column<i>`` (0-based), repeats with a
    ``_1``, ``_2``... suffix."""
    names: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(header):
        name = cell.strip() or f"column{index}"
        base, suffix = name, 0
        while name in seen:
            suffix += 1
            name = f"{base}_{suffix}"
        seen.add(name)
        names.append(name)
    return names


def _shown_source(con: duckdb.DuckDBPyConnection, source: str, matcher: Re2Matcher) -> str:
    """`source` with every column whose name is itself personal data (the first row of a file
    without a header row) renamed ``column N`` (1-based): names are printed, values never."""
    names = con.sql(f"SELECT * FROM {source} LIMIT 0").columns
    shown = shown_names(names, matcher)
    if shown == names:
        return source
    renamed = ", ".join(
        f"{_quote(name)} AS {_quote(new)}" for name, new in zip(names, shown, strict=True)
    )
    return f"(SELECT {renamed} FROM {source})"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_error(path: Path, exc: duckdb.Error) -> InputError:
    """The error for a table file DuckDB could not read, without DuckDB's message (it quotes the
    offending line): the line number, or for UTF-8 that is not, the first bad byte."""
    if _is_parquet(path):
        return InputError(
            f"cannot read table file {path}: not a Parquet file DuckDB can read "
            f"({exc.__class__.__name__})",
            field="path",
        )
    message = str(exc)
    if "unicode" in message.lower() or "utf-8" in message.lower():
        for block in file_blocks(path, encoding="utf-8"):
            _, problem = decoded_block(block)
            if problem is not None:
                return InputError(problem, field="encoding")
    line = _CSV_LINE.search(message)
    where = f" (line {line.group(1)})" if line else ""
    return InputError(
        f"cannot read table file {path}: not a CSV file DuckDB can read{where}", field="path"
    )


def scan_table_file(
    path: Path,
    *,
    matcher: Re2Matcher,
    classifier: ColumnClassifier,
    sample: int,
    encoding: str | None = None,
) -> tuple[list[ColumnClass], Iterator[Finding]]:
    """Column classes of a CSV or Parquet file (all rows) and findings in its first `sample` rows
    (row keys are 1-based data row numbers; 0 means every row). A CSV file is read in `encoding`
    or the one detected from its first bytes."""
    con = duckdb.connect()
    try:
        try:
            source = _shown_source(con, _file_source(con, path, encoding), matcher)
            classes = classifier.classify_source(con=con, source=source, name=str(path))
            limit = f" LIMIT {int(sample)}" if sample > 0 else ""
            rows = con.sql(f"SELECT * FROM {source}{limit}").to_arrow_table()
        except duckdb.Error as exc:
            raise _read_error(path, exc) from None
    finally:
        con.close()
    keys = [str(i) for i in range(1, rows.num_rows + 1)]
    findings = cell_findings(
        table=rows,
        name=str(path),
        row_keys=keys,
        classes=classes,
        matcher=matcher,
        classifier=classifier,
    )
    return classes, findings
