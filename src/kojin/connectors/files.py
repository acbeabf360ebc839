"""The files connector: CSV and Parquet files (one file or a glob of them) through DuckDB.

Reads are one DuckDB query over every file of a collection. CSV cells are read as text, exactly
as written (a phone number ``0312345678`` stays text, leading zero and all) and values are
compared as text; Parquet columns keep their types and values are compared in the column's type
(text that does not convert simply matches nothing).

Writes find the files holding the rows concerned (DuckDB's ``filename`` column, one query), then
rewrite each of those files alone: loaded into a DuckDB table, changed with one guarded UPDATE or
DELETE, and written back atomically with the same format, column order and (Parquet) column
types, compression and metadata. A file whose rows already hold the new values, or whose rows
are already gone, is not rewritten. Identifiers are quoted; values are always parameters.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Collection as AbstractSet
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa

from kojin.connectors.base import Row, RowChange, RowKey, Scalar
from kojin.connectors.file_io import (
    TEMP_PREFIX,
    TEMP_SUFFIX,
    CsvDialect,
    copy_with_bom,
    csv_copy_options,
    replace_atomically,
    resolve_files,
    sql_text,
    store_write_lock,
    write_parquet,
)
from kojin.connectors.values import json_scalar, text_form
from kojin.datamap.model import FileFormat, Location
from kojin.errors import ConfigurationError, InputError

_SOURCE = "__kojin_source_file"
#: DuckDB types that text converts to with TRY_CAST/CAST (the rest are compared as text)
_SCALAR = re.compile(
    r"^(BOOLEAN|U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|DATE|TIME"
    r"|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|UUID|VARCHAR)$"
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reader(fmt: FileFormat, *, with_source: bool) -> str:
    """The DuckDB table function reading the files bound as ``$files``."""
    source = f", filename='{_SOURCE}'" if with_source else ""
    if fmt is FileFormat.CSV:
        return f"read_csv($files, header=true, all_varchar=true, union_by_name=true{source})"
    return f"read_parquet($files, union_by_name=true{source})"


def _text_param(values: Sequence[Scalar]) -> list[str | None]:
    return [text_form(v) for v in values]


class FileConnector:
    """A connector to the CSV and Parquet files under `base_dir` (the data map's folder)."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self._db = duckdb.connect()
        self._write_lock = threading.Lock()

    @contextmanager
    def _cursor(self, action: str, location: Location) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB cursor of its own; DuckDB errors become kojin errors naming the location
        (DuckDB's own messages may quote file lines, so they are not kept)."""
        cursor = self._db.cursor()
        try:
            yield cursor
        except duckdb.Error as exc:
            raise ConfigurationError(
                f"{action} {location.address}: DuckDB could not process the files "
                f"({type(exc).__name__})"
            ) from None
        except OSError as exc:
            raise ConfigurationError(
                f"{action} {location.address}: the files cannot be written ({exc.strerror})"
            ) from None
        finally:
            cursor.close()

    def _files(self, location: Location) -> tuple[list[Path], FileFormat]:
        collection = location.collection
        if collection.path is None or collection.format is None:
            raise InputError(
                f"{location.address}: a files collection needs a path and a format",
                field=location.address,
            )
        files = resolve_files(self.base_dir, collection.path, address=location.address)
        return files, collection.format

    @staticmethod
    def _types(
        cursor: duckdb.DuckDBPyConnection, source: str, params: Mapping[str, Any]
    ) -> dict[str, str]:
        rows = cursor.execute(f"DESCRIBE SELECT * FROM {source}", dict(params)).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    @staticmethod
    def _require(location: Location, types: Mapping[str, str], columns: Sequence[str]) -> None:
        missing = [c for c in dict.fromkeys(columns) if c not in types]
        if missing:
            raise InputError(
                f"{location.address}: the file(s) have no column {', '.join(missing)}",
                field=f"{location.address}.{missing[0]}",
            )

    @staticmethod
    def _match(column: str, ctype: str, param: str, *, fold: bool) -> str:
        """SQL true when `column` (of DuckDB type `ctype`) holds one of the texts in list
        parameter `param`: compared as text, lower-cased with `fold`, else in the column's
        type (texts that do not convert match nothing)."""
        ref = _quote(column)
        values = f"(SELECT unnest(${param}))"
        if fold:
            return f"lower(CAST({ref} AS VARCHAR)) IN {values}"
        if ctype == "VARCHAR":
            return f"{ref} IN {values}"
        if _SCALAR.match(ctype):
            return f"{ref} IN (SELECT TRY_CAST(unnest(${param}) AS {ctype}))"
        return f"CAST({ref} AS VARCHAR) IN {values}"

    # -- reading ----------------------------------------------------------------------------

    def fetch(
        self,
        location: Location,
        where: Mapping[str, AbstractSet[Scalar]],
        *,
        casefold: AbstractSet[str] = frozenset(),
    ) -> list[Row]:
        """Rows of every file of the collection whose columns hold any of the values (OR
        across columns), in one query; CSV cells come back as text."""
        files, fmt = self._files(location)
        wanted = {c: [v for v in vs if v is not None] for c, vs in where.items()}
        wanted = {c: vs for c, vs in wanted.items() if vs}
        if not files or not wanted:
            return []
        source = _reader(fmt, with_source=False)
        params: dict[str, Any] = {"files": [str(f) for f in files]}
        with self._cursor("reading", location) as cursor:
            types = self._types(cursor, source, params)
            self._require(location, types, list(wanted))
            terms = []
            for i, (column, values) in enumerate(wanted.items()):
                fold = column in casefold
                texts = _text_param(values)
                params[f"p{i}"] = [t.lower() for t in texts if t is not None] if fold else texts
                terms.append(self._match(column, types[column], f"p{i}", fold=fold))
            result = cursor.execute(f"SELECT * FROM {source} WHERE {' OR '.join(terms)}", params)
            names = [d[0] for d in result.description or ()]
            return [
                {n: json_scalar(v) for n, v in zip(names, raw, strict=True)}
                for raw in result.fetchall()
            ]

    # -- writing ----------------------------------------------------------------------------

    def update(self, location: Location, changes: Sequence[RowChange]) -> int:
        """Apply `changes` file by file; returns the rows written (0 for rows already holding
        the new values: their files are left as they are)."""
        merged: dict[RowKey, dict[str, Scalar]] = {}
        for change in changes:
            merged.setdefault(tuple(change.key), {}).update(change.values)
        merged = {k: v for k, v in merged.items() if v}
        if not merged:
            return 0
        columns = sorted({c for values in merged.values() for c in values})
        return self._rewrite(location, list(merged), columns, merged)

    def delete(self, location: Location, keys: Sequence[RowKey]) -> int:
        """Delete the rows with `keys` from the files holding them; returns the rows deleted."""
        unique = list(dict.fromkeys(tuple(k) for k in keys))
        if not unique:
            return 0
        return self._rewrite(location, unique, [], None)

    def _rewrite(
        self,
        location: Location,
        keys: list[RowKey],
        columns: list[str],
        changes: Mapping[RowKey, Mapping[str, Scalar]] | None,
    ) -> int:
        key = location.collection.primary_key
        if not key:
            raise InputError(
                f"{location.address} has no primary key in the data map: its rows cannot be "
                "changed or deleted one by one",
                field=location.address,
            )
        for row_key in keys:
            if len(row_key) != len(key):
                raise InputError(
                    f"{location.address}: a row key has {len(row_key)} values, the primary key "
                    f"({', '.join(key)}) has {len(key)}",
                    field=location.address,
                )
        files, fmt = self._files(location)
        if not files:
            return 0
        action = "updating" if changes is not None else "deleting from"
        written = 0
        with (
            self._write_lock,
            store_write_lock(self.base_dir),
            self._cursor(action, location) as cursor,
        ):
            # one file: it is read once, by the rewrite itself; several: only those holding
            # the rows are rewritten
            holding = (
                files
                if len(files) == 1
                else self._holding(cursor, location, fmt, files, key, keys, columns)
            )
            for path in holding:
                written += self._rewrite_file(cursor, location, fmt, path, key, keys, changes)
        return written

    def _holding(
        self,
        cursor: duckdb.DuckDBPyConnection,
        location: Location,
        fmt: FileFormat,
        files: list[Path],
        key: tuple[str, ...],
        keys: list[RowKey],
        columns: list[str],
    ) -> list[Path]:
        """The files holding rows with `keys`, in one query over all of them."""
        source = _reader(fmt, with_source=True)
        params: dict[str, Any] = {"files": [str(f) for f in files]}
        types = self._types(cursor, source, params)
        self._require(location, types, [*key, *columns])
        terms = []
        for i, column in enumerate(key):
            params[f"k{i}"] = _text_param([k[i] for k in keys])
            terms.append(self._match(column, types[column], f"k{i}", fold=False))
        found = cursor.execute(
            f"SELECT DISTINCT {_quote(_SOURCE)} FROM {source} WHERE {' AND '.join(terms)}", params
        ).fetchall()
        by_name = {str(f): f for f in files}
        return sorted(by_name[str(r[0])] for r in found if str(r[0]) in by_name)

    def _rewrite_file(
        self,
        cursor: duckdb.DuckDBPyConnection,
        location: Location,
        fmt: FileFormat,
        path: Path,
        key: tuple[str, ...],
        keys: list[RowKey],
        changes: Mapping[RowKey, Mapping[str, Scalar]] | None,
    ) -> int:
        """Change or delete rows of one file in a DuckDB table; rewrite the file if any row
        was written. Returns the rows written."""
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE kojin_rows AS SELECT * FROM "
            + _reader(fmt, with_source=False),
            {"files": [str(path)]},
        )
        types = self._types(cursor, "kojin_rows", {})
        count = 0
        try:
            if changes is None:
                self._stage(cursor, location, types, key, keys, {}, [])
                matches = " AND ".join(
                    f"kojin_rows.{_quote(c)} = kojin_stage.k{i}" for i, c in enumerate(key)
                )
                count += self._count(
                    cursor.execute(f"DELETE FROM kojin_rows USING kojin_stage WHERE {matches}")
                )
            else:
                groups: dict[tuple[str, ...], list[RowKey]] = {}
                for row_key in keys:
                    groups.setdefault(tuple(sorted(changes[row_key])), []).append(row_key)
                for columns, row_keys in groups.items():
                    self._stage(cursor, location, types, key, row_keys, changes, list(columns))
                    count += self._count(cursor.execute(self._update_sql(key, columns)))
            if count:
                self._write(cursor, fmt, path)
        finally:
            cursor.execute("DROP TABLE IF EXISTS kojin_rows")
            cursor.execute("DROP TABLE IF EXISTS kojin_stage")
        return count

    @staticmethod
    def _count(result: duckdb.DuckDBPyConnection) -> int:
        """The count a statement returned (read to the end: DuckDB wants results finished)."""
        rows = result.fetchall()
        return int(rows[0][0]) if rows else 0

    @staticmethod
    def _update_sql(key: tuple[str, ...], columns: Sequence[str]) -> str:
        sets = ", ".join(f"{_quote(c)} = kojin_stage.v{j}" for j, c in enumerate(columns))
        matches = " AND ".join(
            f"kojin_rows.{_quote(c)} = kojin_stage.k{i}" for i, c in enumerate(key)
        )
        differs = " OR ".join(
            f"kojin_rows.{_quote(c)} IS DISTINCT FROM kojin_stage.v{j}"
            for j, c in enumerate(columns)
        )
        return f"UPDATE kojin_rows SET {sets} FROM kojin_stage WHERE {matches} AND ({differs})"

    def _stage(
        self,
        cursor: duckdb.DuckDBPyConnection,
        location: Location,
        types: Mapping[str, str],
        key: tuple[str, ...],
        keys: Sequence[RowKey],
        changes: Mapping[RowKey, Mapping[str, Scalar]],
        columns: list[str],
    ) -> None:
        """``kojin_stage``: the keys (k0, k1, ...) and new values (v0, v1, ...) in the file's
        column types. Keys that do not convert match nothing; values that do not convert are
        an InputError naming the column."""
        self._require(location, types, [*key, *columns])
        data: dict[str, pa.Array] = {}
        for i in range(len(key)):
            data[f"k{i}"] = pa.array(_text_param([k[i] for k in keys]), type=pa.string())
        for j, column in enumerate(columns):
            values = [changes[k][column] for k in keys]
            data[f"v{j}"] = pa.array(_text_param(values), type=pa.string())
        cursor.register("kojin_input", pa.table(data))
        try:
            selects = [self._converted(f"k{i}", types[c]) for i, c in enumerate(key)]
            for j, column in enumerate(columns):
                ctype = types[column]
                if not _SCALAR.match(ctype):
                    raise InputError(
                        f"{location.address}.{column}: kojin does not write into a column of "
                        f"type {ctype}",
                        field=f"{location.address}.{column}",
                    )
                selects.append(self._converted(f"v{j}", ctype))
                bad = self._count(
                    cursor.execute(
                        f"SELECT count(*) FROM kojin_input WHERE v{j} IS NOT NULL AND "
                        f"TRY_CAST(v{j} AS {ctype}) IS NULL"
                    )
                )
                if bad:
                    raise InputError(
                        f"{location.address}.{column}: a new value is not a valid {ctype} "
                        "(the file's column type)",
                        field=f"{location.address}.{column}",
                    )
            cursor.execute(
                "CREATE OR REPLACE TEMP TABLE kojin_stage AS SELECT "
                + ", ".join(selects)
                + " FROM kojin_input"
            )
        finally:
            cursor.unregister("kojin_input")

    @staticmethod
    def _converted(name: str, ctype: str) -> str:
        """`name` in the column type `ctype` (NULL where the text does not convert)."""
        if ctype == "VARCHAR" or not _SCALAR.match(ctype):
            return name
        return f"TRY_CAST({name} AS {ctype}) AS {name}"

    @staticmethod
    def _write(cursor: duckdb.DuckDBPyConnection, fmt: FileFormat, path: Path) -> None:
        if fmt is FileFormat.PARQUET:
            table = cursor.sql("SELECT * FROM kojin_rows").to_arrow_table()

            def parquet(handle: IO[bytes]) -> None:
                write_parquet(handle, table, path)

            replace_atomically(path, parquet)
            return
        sniffed = cursor.execute(
            "SELECT Delimiter, Quote, Escape, NewLineDelimiter FROM sniff_csv($path)",
            {"path": str(path)},
        ).fetchall()
        names = ("Delimiter", "Quote", "Escape", "NewLineDelimiter")
        dialect = CsvDialect.sniffed(
            path, dict(zip(names, sniffed[0] if sniffed else (), strict=False))
        )
        # DuckDB writes the CSV into a private folder (0700) beside the file; its bytes then go
        # into the 0600 temporary file that replaces the original
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=TEMP_PREFIX) as private:
            body = Path(private) / f"rows{TEMP_SUFFIX}"
            cursor.execute(
                f"COPY kojin_rows TO {sql_text(str(body))} ({csv_copy_options(dialect)})"
            )

            def text(handle: IO[bytes]) -> None:
                copy_with_bom(body, handle, bom=dialect.bom)

            replace_atomically(path, text)

    def close(self) -> None:
        self._db.close()
