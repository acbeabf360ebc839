"""``kojin scan``: find personal information in files and database tables (R-PM-1).

Prints findings (type, location, score, masked value — never the raw value), the classification
of table columns and a summary. ``--format jsonl`` writes one JSON document per line instead.
The scan itself is :mod:`kojin.discovery.service`, imported inside the command (it loads RE2,
DuckDB and Arrow).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.datamap import comparison_records, datamap_for_scan, scanned_columns
from kojin.cli.output import cli_errors, stderr_console, stderr_is_terminal, write_json_line
from kojin.cli.scan_output import print_map_comparison, print_tables, print_undeclared
from kojin.cli.spark_options import SparkMasterOption, spark_master
from kojin.discovery.defaults import DEFAULT_MIN_SCORE, DEFAULT_SAMPLE
from kojin.errors import InputError

if TYPE_CHECKING:
    from kojin.discovery.service import ColumnClass, Scanner, ScanResult, TableRow


class OutputFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"


class Engine(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


def _ignore(_: object) -> None:
    """Progress where nothing is drawn."""


@contextmanager
def _progress(
    total: int, *, tables: int = 0
) -> Iterator[tuple[Callable[[int], None], Callable[[str], None]]]:
    """On stderr when it is a terminal (elsewhere nothing is drawn, and Rich is not loaded): a
    byte progress bar for files and a table label for databases or, for a scan on Spark of
    `tables` tables, the tables done of that total and the one being scanned."""
    if not stderr_is_terminal():
        yield _ignore, _ignore
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )

    counts = (MofNCompleteColumn(),) if tables else (DownloadColumn(), TransferSpeedColumn())
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *counts,
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    )
    task = bar.add_task("scanning", total=tables or total or None)
    started = 0

    def advance(done: int) -> None:
        if not tables:
            bar.advance(task, done)

    def table(name: str) -> None:
        nonlocal started
        if tables:  # a table starts when the one before it is done
            bar.update(task, completed=started)
            started += 1
        bar.update(task, description=f"table {name}")

    with bar:
        yield advance, table


def scan_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files or directories: text, CSV (.csv/.tsv) and Parquet files; with --engine "
            "spark also folders of part files and hdfs://, s3a://... locations.",
            show_default=False,
        ),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="SQLAlchemy URL of a database whose tables to scan.")
    ] = None,
    table_names: Annotated[
        list[str] | None,
        typer.Option("--table", help="With --url: scan only this table (repeatable)."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table (default) or jsonl.")
    ] = OutputFormat.TABLE,
    sample: Annotated[
        int,
        typer.Option(
            "--sample",
            help="Rows per database table (random) or table file (first rows) to report findings "
            "for; 0 reads every row. File column classification always counts every row.",
        ),
    ] = DEFAULT_SAMPLE,
    detectors: Annotated[
        list[Path] | None,
        typer.Option("--detectors", help="YAML file adding or disabling detectors (repeatable)."),
    ] = None,
    min_score: Annotated[
        float, typer.Option("--min-score", help="Lowest score reported (0-1).")
    ] = DEFAULT_MIN_SCORE,
    ner: Annotated[
        bool,
        typer.Option("--ner", help="Also find Japanese person names with GiNZA (the ner extra)."),
    ] = False,
    against_ledger: Annotated[
        bool,
        typer.Option(
            "--against-ledger",
            help="Also report personal data found where the registry's ledger declares none "
            "of that kind (the ledger's data_locations and pi_kinds columns).",
        ),
    ] = False,
    datamap_file: Annotated[
        Path | None,
        typer.Option(
            "--datamap",
            help="Also report personal data in table columns that this data map (a kojin or "
            "Fides YAML file, or a folder) does not declare, and its personal fields where "
            "nothing was found. With --against-ledger it defaults to KOJIN_DATAMAP_FILE.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            help="Worker processes scanning text files side by side (default: one per "
            "processor, up to 8, on Linux); 1 scans in this process.",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="Encoding of every text and CSV file given: utf-8, cp932 (sjis, Shift_JIS), "
            "euc-jp... Default: detected per file from its first bytes.",
        ),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="Where tables are scanned: duckdb (default, in this process) or spark (the "
            "detectors run in Spark's executors; files and folders only, not --url).",
        ),
    ] = Engine.DUCKDB,
    master: SparkMasterOption = None,
) -> None:
    """Find personal information in files and database tables; values are shown masked."""
    with cli_errors():
        _run(
            paths=paths or [],
            url=url,
            tables=table_names,
            output_format=output_format,
            sample=sample,
            detectors=detectors or [],
            min_score=min_score,
            ner=ner,
            against_ledger=against_ledger,
            datamap_file=datamap_file,
            jobs=jobs,
            encoding=encoding,
            engine=engine,
            master=master,
        )


def _run(
    *,
    paths: list[str],
    url: str | None,
    tables: list[str] | None,
    output_format: OutputFormat,
    sample: int,
    detectors: list[Path],
    min_score: float,
    ner: bool,
    against_ledger: bool = False,
    datamap_file: Path | None = None,
    jobs: int | None = None,
    encoding: str | None = None,
    engine: Engine = Engine.DUCKDB,
    master: str | None = None,
) -> None:
    if not paths and url is None:
        raise InputError("name at least one PATH or a --url", field="paths")
    if tables and url is None:
        raise InputError("--table needs --url", field="table")
    if not 0.0 <= min_score <= 1.0:
        raise InputError("--min-score must be between 0 and 1", field="min_score")
    if engine is Engine.SPARK and url is not None:
        raise InputError(
            "--url cannot be scanned with --engine spark: Spark scans files, folders and "
            "hdfs://, s3a://... locations; scan the database without --engine spark",
            field="url",
        )
    if engine is not Engine.SPARK and master:
        raise InputError("--spark-master needs --engine spark", field="spark_master")
    if encoding is not None:
        from kojin.encodings import codec_name

        try:
            codec_name(encoding)
        except InputError as exc:
            raise InputError(f"--encoding {encoding}: {exc.message}", field="encoding") from None
    datamap = datamap_for_scan(datamap_file, against_ledger=against_ledger)
    declared = _ledger_declarations() if against_ledger else None
    from kojin.discovery import service

    scanner = service.build_scanner(detector_files=detectors, min_score=min_score, ner=ner)
    summary = service.ScanSummary()
    rows: list[TableRow] = []
    columns: list[ColumnClass] = []
    checked: list[service.ScanResult] = []
    jsonl = output_format is OutputFormat.JSONL
    out = sys.stdout.buffer
    scanned = _scanned(
        scanner,
        paths=paths,
        url=url,
        tables=tables,
        sample=sample,
        jobs=jobs,
        encoding=encoding,
        render_json=jsonl,
        spark=engine is Engine.SPARK,
        master=spark_master(master) if engine is Engine.SPARK else None,
    )
    with scanned as (results, table_files):
        for result in results:
            summary.add(result)
            if declared is not None or datamap is not None:
                checked.append(result)
            if isinstance(result, service.ColumnClass):
                if jsonl:
                    write_json_line({"record": "column", **result.as_dict()}, flush=False)
                else:
                    columns.append(result)
            elif jsonl:
                out.write(result.json_lines().encode())
            else:
                rows.extend(result.table_rows())
    gaps = service.undeclared_findings(checked, declared) if declared is not None else None
    compared = None
    if datamap is not None:
        from kojin.datamap.scan_check import compare_with_datamap

        columns_read = scanned_columns(checked, table_files=table_files)
        compared = compare_with_datamap(datamap, columns_read, cwd=os.getcwd())
    if jsonl:
        for record in comparison_records(compared):
            write_json_line(record)
        for gap in gaps or []:
            write_json_line(
                {
                    "record": "undeclared",
                    "location": gap.location,
                    "kind": gap.kind,
                    "count": gap.count,
                }
            )
        write_json_line(
            {
                "record": "summary",
                "findings": dict(summary.findings),
                "columns_classified": len(summary.columns),
            }
        )
    else:
        from rich.console import Console

        console = Console(highlight=False)
        print_tables(console, rows, columns, summary)
        if gaps is not None:
            print_undeclared(console, gaps)
        if compared is not None:
            print_map_comparison(console, compared)


@contextmanager
def _scanned(
    scanner: Scanner,
    *,
    paths: list[str],
    url: str | None,
    tables: list[str] | None,
    sample: int,
    jobs: int | None,
    encoding: str | None,
    render_json: bool,
    spark: bool,
    master: str | None,
) -> Iterator[tuple[Iterator[ScanResult], set[str]]]:
    """The scan's results as they come, and the names of the files it reads (tables are the
    others), with the progress drawn meanwhile. With `spark`, tables are scanned on Spark at
    `master` (None: the default master); else by DuckDB in this process."""
    from kojin.discovery import service

    if spark:
        inputs = service.spark_inputs(paths)
        text_bytes = sum(path.stat().st_size for path in inputs.texts)
        # Workers first: they are forked before the JVM and the progress bar's thread start.
        workers = service.text_workers(
            scanner, files=inputs.texts, jobs=jobs, render_json=render_json
        )
        from kojin.spark.session import spark_session

        with (
            workers or nullcontext(),
            spark_session(master) if inputs.tables else nullcontext() as session,
            _progress(text_bytes, tables=len(inputs.tables)) as (advance, on_table),
        ):
            yield (
                service.scan_on_spark(
                    scanner=scanner,
                    spark=session,
                    inputs=inputs,
                    sample=sample,
                    on_bytes=advance,
                    on_table=on_table,
                    workers=workers,
                    encoding=encoding,
                ),
                {str(path) for path in inputs.texts} | {table.name for table in inputs.tables},
            )
        return
    files = service.expand_paths([Path(path) for path in paths])
    total = sum(path.stat().st_size for path in files)
    # Workers first: they are forked before the progress bar starts its thread.
    workers = service.text_workers(scanner, files=files, jobs=jobs, render_json=render_json)
    with workers or nullcontext(), _progress(total) as (advance, on_table):
        yield (
            service.scan(
                scanner=scanner,
                paths=files,
                url=url,
                tables=tables,
                sample=sample,
                on_bytes=advance,
                on_table=on_table,
                workers=workers,
                encoding=encoding,
            ),
            {str(path) for path in files},
        )


def _ledger_declarations() -> list[tuple[str, frozenset[str]]]:
    """The places the registry's ledger declares personal data, with the kinds declared there
    (read before scanning, so a missing registry fails fast)."""
    from kojin.registry.ledger.service import declared_locations
    from kojin.registry.opening import initialised, open_database
    from kojin.settings import get_settings

    database = open_database(get_settings())
    try:
        if not initialised(database):
            raise InputError(
                "--against-ledger needs an initialised registry: run `kojin init` "
                "(KOJIN_HOME / KOJIN_DATABASE_URL choose which)",
                field="against_ledger",
            )
        with database.read() as session:
            return declared_locations(session=session)
    finally:
        database.dispose()


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)
