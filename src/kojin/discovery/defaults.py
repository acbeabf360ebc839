"""Defaults of a scan, importable without the scanning libraries (the CLI's option defaults)."""

from __future__ import annotations

#: Minimum score a match needs to be reported, unless the caller sets another.
DEFAULT_MIN_SCORE = 0.5
#: Rows per database table or table file for which cell findings are reported (0: every row).
DEFAULT_SAMPLE = 1000
#: File suffixes read as tables (through DuckDB) rather than as text, and their format.
TABLE_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet"}
