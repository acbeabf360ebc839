"""File-to-file anonymization: read, anonymize, write output and report atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from kojin.deid.anonymize import AnonymizationSpec, anonymize_table
from kojin.deid.engines import EngineName, make_engine
from kojin.deid.results import AnonymizationResult
from kojin.deid.search import Progress, SearchMethod
from kojin.deid.table_io import (
    TableSource,
    file_format,
    output_delimiter,
    read_table,
    write_bytes,
    write_table,
)

#: Largest input the automatic engine choice keeps in memory (numpy); beyond it, DuckDB.
MEMORY_ROWS = 1_000_000


def choose_engine(engine: EngineName | None, *, rows: int) -> EngineName:
    if engine is not None:
        return engine
    return EngineName.MEMORY if rows <= MEMORY_ROWS else EngineName.DUCKDB


def anonymize_file(
    *,
    source: TableSource,
    output: Path,
    spec: AnonymizationSpec,
    engine: EngineName | None = None,
    method: SearchMethod = SearchMethod.OPTIMAL,
    report: Path | None = None,
    purposes: Sequence[str] = (),
    progress: Progress | None = None,
    spark_session: Any = None,
) -> AnonymizationResult:
    """Anonymize a CSV/Parquet file or database table into ``output`` (CSV or Parquet).

    Nothing is written unless the whole run succeeds. Without an engine, tables up to
    :data:`MEMORY_ROWS` rows use the in-memory engine and larger ones DuckDB.
    """
    file_format(output)  # reject an unsupported output type before any work
    delimiter = output_delimiter(source, output, *([report] if report is not None else []))
    table = read_table(source)
    anonymized = anonymize_table(
        table=table,
        spec=spec,
        engine=make_engine(choose_engine(engine, rows=table.num_rows), spark_session=spark_session),
        method=method,
        source=source.label,
        output=output.name,
        purposes=purposes,
        progress=progress,
    )
    report_bytes = orjson.dumps(anonymized.result.report(), option=orjson.OPT_INDENT_2)
    write_table(anonymized.table, output, delimiter=delimiter)
    if report is not None:
        write_bytes(report_bytes, report)
    return anonymized.result
