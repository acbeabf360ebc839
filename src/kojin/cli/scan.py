"""``kojin scan``: find personal information in files and database tables (R-PM-1).

Prints findings (type, location, score, masked value — never the raw value), the classification
of table columns and a summary. ``--format jsonl`` writes one JSON document per line instead.
The scan itself is :mod:`kojin.discovery.service`, imported inside the command (it loads RE2,
DuckDB and Arrow).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.datamap import comparison_records, datamap_for_scan, scanned_columns
from kojin.cli.output import cli_errors, stderr_console, stderr_is_terminal, write_json_line
from kojin.discovery.defaults import DEFAULT_MIN_SCORE, DEFAULT_SAMPLE
from kojin.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from kojin.datamap.scan_check import MapComparison
    from kojin.discovery.service import ColumnClass, ScanSummary, TableRow, UndeclaredFinding


#: a width no table reaches: tables are measured at it, then printed at their own width
_UNLIMITED = 100_000


class OutputFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"


def _ignore(_: object) -> None:
    """Progress where nothing is drawn."""


@contextmanager
def _progress(total: int) -> Iterator[tuple[Callable[[int], None], Callable[[str], None]]]:
    """A byte progress bar for files and a table label for databases, on stderr when it is a
    terminal (elsewhere nothing is drawn, and Rich is not loaded)."""
    if not stderr_is_terminal():
        yield _ignore, _ignore
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    )
    task = bar.add_task("scanning", total=total or None)

    def advance(done: int) -> None:
        bar.advance(task, done)

    def table(name: str) -> None:
        bar.update(task, description=f"table {name}")

    with bar:
        yield advance, table


def _width(text: str) -> int:
    """Terminal cells of `text` (CJK characters take two)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _print_findings(console: Console, rows: list[TableRow]) -> None:
    """Findings as aligned columns, written in one piece and never cut to the terminal's width.
    A rich Table lays out every cell (about a millisecond a row): for a scan with tens of
    thousands of findings that took far longer than the scan itself."""
    header = ("type", "location", "score", "value (masked)")
    kinds = {row[0] for row in rows} | {header[0]}
    wheres = [row[1] for row in rows] + [header[1]]
    kind_width = max(map(_width, kinds))
    if "".join(wheres).isascii():  # the usual case: str.format pads in C
        where_width = max(map(len, wheres))
        template = f"{{:<{kind_width}}}  {{:<{where_width}}}  {{:>5}}  {{}}"
        lines = [template.format(*row) for row in (header, *rows)]
    else:
        where_width = max(map(_width, wheres))
        lines = [
            f"{kind}{' ' * (kind_width - _width(kind))}  "
            f"{where}{' ' * (where_width - _width(where))}  {score:>5}  {masked}"
            for kind, where, score, masked in (header, *rows)
        ]
    lines[1:1] = ["─" * (kind_width + where_width + 11 + len(header[3]))]
    lines.insert(0, "Findings")
    console.file.write("\n".join(lines) + "\n\n")


def _print_table(
    console: Console,
    title: str,
    columns: Sequence[tuple[str, bool]],
    rows: Sequence[tuple[str, ...]],
) -> None:
    """A rich table of `columns` (name, right-aligned) printed at its natural width, even on a
    narrow terminal or a pipe (80 columns): no cell is wrapped, ellipsized or folded, since
    table, column and kind names are typed back by users."""
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for name, right in columns:
        table.add_column(name, justify="right" if right else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    wide = Console(file=console.file, highlight=False, width=_UNLIMITED)
    wide.width = max(console.width, Measurement.get(wide, wide.options, table).maximum)
    wide.print(table)


def _print_tables(
    console: Console, rows: list[TableRow], columns: list[ColumnClass], summary: ScanSummary
) -> None:
    if rows:
        _print_findings(console, rows)
    if columns:
        names = ("column", "kind", "category", "confidence", "cells", "valid")
        right = {"confidence", "cells", "valid"}
        classes = [
            (
                f"{c.table}.{c.column}",
                c.kind or "-",
                c.category.value if c.category else "-",
                f"{c.confidence:.2f}",
                str(c.cells),
                str(next((k.valid for k in c.counts if k.kind == c.kind), 0)),
            )
            for c in columns
        ]
        _print_table(console, "Columns", [(name, name in right) for name in names], classes)
    totals = [(kind, str(count), str(places)) for kind, count, places in summary.rows()]
    totals.append(("columns classified", str(len(summary.columns)), ""))
    totals_columns = [("type", False), ("findings", True), ("files/columns", True)]
    _print_table(console, "Summary", totals_columns, totals)


def scan_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories: text, CSV (.csv/.tsv) and Parquet files."),
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
        )


def _run(
    *,
    paths: list[Path],
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
) -> None:
    if not paths and url is None:
        raise InputError("name at least one PATH or a --url", field="paths")
    if tables and url is None:
        raise InputError("--table needs --url", field="table")
    if not 0.0 <= min_score <= 1.0:
        raise InputError("--min-score must be between 0 and 1", field="min_score")
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
    files = service.expand_paths(paths)
    total = sum(p.stat().st_size for p in files)
    summary = service.ScanSummary()
    rows: list[TableRow] = []
    columns: list[ColumnClass] = []
    checked: list[service.ScanResult] = []
    jsonl = output_format is OutputFormat.JSONL
    out = sys.stdout.buffer
    # Workers first: they are forked before the progress bar starts its thread.
    workers = service.text_workers(scanner, files=files, jobs=jobs, render_json=jsonl)
    with workers or nullcontext(), _progress(total) as (advance, on_table):
        for result in service.scan(
            scanner=scanner,
            paths=files,
            url=url,
            tables=tables,
            sample=sample,
            on_bytes=advance,
            on_table=on_table,
            workers=workers,
            encoding=encoding,
        ):
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

        columns_read = scanned_columns(checked, table_files={str(p) for p in files})
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
        _print_tables(console, rows, columns, summary)
        if gaps is not None:
            _print_undeclared(console, gaps)
        if compared is not None:
            _print_map_comparison(console, compared)


def _print_map_comparison(console: Console, compared: MapComparison) -> None:
    if compared.not_in_map:
        _print_table(
            console,
            "Personal data not in the data map",
            [("location", False), ("kinds", False), ("reason", False)],
            [(g.location, ", ".join(g.kinds), g.reason) for g in compared.not_in_map],
        )
    else:
        console.print("Not in the data map: none — the map declares every personal column found.")
    if compared.nothing_found:
        _print_table(
            console,
            "Data map fields where nothing personal was found (info)",
            [("field", False), ("location", False), ("reason", False)],
            [(q.field, q.location, q.reason) for q in compared.nothing_found],
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


def _print_undeclared(console: Console, gaps: list[UndeclaredFinding]) -> None:
    if not gaps:
        console.print("Undeclared personal data: none — every finding is covered by the ledger.")
        return
    _print_table(
        console,
        "Undeclared personal data (not in the ledger)",
        [("location", False), ("kind", False), ("count", True)],
        [(gap.location, gap.kind, str(gap.count)) for gap in gaps],
    )


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)
