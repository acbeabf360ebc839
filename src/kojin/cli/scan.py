"""``kojin scan``: find personal information in files and database tables (R-PM-1).

Prints findings (type, location, score, masked value — never the raw value), the classification
of table columns and a summary. ``--format jsonl`` writes one JSON document per line instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from kojin.cli.output import cli_errors, stderr_console, write_json_line
from kojin.db.uow import Database
from kojin.discovery.columns import ColumnClass
from kojin.discovery.ledger_check import (
    DeclaredLocation,
    UndeclaredFinding,
    location_key,
    undeclared,
)
from kojin.discovery.matcher import DEFAULT_MIN_SCORE
from kojin.discovery.model import Finding
from kojin.discovery.service import (
    DEFAULT_SAMPLE,
    ScanResult,
    ScanSummary,
    build_scanner,
    expand_paths,
    scan,
)
from kojin.errors import InputError
from kojin.registry.bootstrap import is_initialised
from kojin.registry.ledger.service import declared_locations
from kojin.settings import get_settings


class OutputFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"


@contextmanager
def _progress(total: int) -> Iterator[tuple[Callable[[int], None], Callable[[str], None]]]:
    """A byte progress bar for files and a table label for databases, on stderr."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        console=stderr_console,
        transient=True,
    )
    task = bar.add_task("scanning", total=total or None)

    def advance(done: int) -> None:
        bar.advance(task, done)

    def table(name: str) -> None:
        bar.update(task, description=f"table {name}")

    with bar:
        yield advance, table


def _record(result: ScanResult) -> dict[str, object]:
    if isinstance(result, ColumnClass):
        return {"record": "column", **result.as_dict()}
    return {"record": "finding", **result.as_dict()}


def _width(text: str) -> int:
    """Terminal cells of `text` (CJK characters take two)."""
    return len(text) if text.isascii() else cell_len(text)


def _print_findings(console: Console, findings: list[Finding]) -> None:
    """Findings as aligned columns, written in one piece. A rich Table lays out every cell
    (about a millisecond a row): for a scan with tens of thousands of findings that took far
    longer than the scan itself."""
    header = ("type", "location", "score", "value (masked)")
    rows = [
        (
            f.kind if f.personal else f"{f.kind} (not personal)",
            f.location.render(),
            f"{f.score:.2f}",
            f.masked,
        )
        for f in findings
    ]
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


def _print_tables(
    console: Console, findings: list[Finding], columns: list[ColumnClass], summary: ScanSummary
) -> None:
    if findings:
        _print_findings(console, findings)
    if columns:
        table = Table(title="Columns", title_justify="left")
        for name in ("column", "kind", "category", "confidence", "cells", "valid"):
            table.add_column(
                name, justify="right" if name in ("confidence", "cells", "valid") else "left"
            )
        for c in columns:
            valid = next((k.valid for k in c.counts if k.kind == c.kind), 0)
            table.add_row(
                location_key(c),
                c.kind or "-",
                c.category.value if c.category else "-",
                f"{c.confidence:.2f}",
                str(c.cells),
                str(valid),
            )
        console.print(table)
    table = Table(title="Summary", title_justify="left")
    table.add_column("type")
    table.add_column("findings", justify="right")
    table.add_column("files/columns", justify="right")
    for kind, count, places in summary.rows():
        table.add_row(kind, str(count), str(places))
    table.add_row("columns classified", str(len(summary.columns)), "")
    console.print(table)


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
) -> None:
    if not paths and url is None:
        raise InputError("name at least one PATH or a --url", field="paths")
    if tables and url is None:
        raise InputError("--table needs --url", field="table")
    if not 0.0 <= min_score <= 1.0:
        raise InputError("--min-score must be between 0 and 1", field="min_score")
    declared = _ledger_declarations() if against_ledger else None
    scanner = build_scanner(detector_files=detectors, min_score=min_score, ner=ner)
    files = expand_paths(paths)
    total = sum(p.stat().st_size for p in files)
    summary = ScanSummary()
    findings: list[Finding] = []
    columns: list[ColumnClass] = []
    checked: list[ScanResult] = []
    with _progress(total) as (advance, on_table):
        for result in scan(
            scanner=scanner,
            paths=files,
            url=url,
            tables=tables,
            sample=sample,
            on_bytes=advance,
            on_table=on_table,
        ):
            summary.add(result)
            if declared is not None:
                checked.append(result)
            if output_format is OutputFormat.JSONL:
                write_json_line(_record(result), flush=False)
            elif isinstance(result, ColumnClass):
                columns.append(result)
            else:
                findings.append(result)
    gaps = undeclared(checked, declared) if declared is not None else None
    if output_format is OutputFormat.JSONL:
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
        console = Console(highlight=False)
        _print_tables(console, findings, columns, summary)
        if gaps is not None:
            _print_undeclared(console, gaps)


def _ledger_declarations() -> list[DeclaredLocation]:
    """The places the registry's ledger declares personal data (read before scanning, so a
    missing registry fails fast)."""
    settings = get_settings()
    if not is_initialised(settings=settings):
        raise InputError(
            "--against-ledger needs an initialised registry: run `kojin init` "
            "(KOJIN_HOME / KOJIN_DATABASE_URL choose which)",
            field="against_ledger",
        )
    database = Database.from_settings(settings)
    try:
        with database.read() as session:
            pairs = declared_locations(session=session)
    finally:
        database.dispose()
    return [DeclaredLocation(location=location, kinds=kinds) for location, kinds in pairs]


def _print_undeclared(console: Console, gaps: list[UndeclaredFinding]) -> None:
    if not gaps:
        console.print("Undeclared personal data: none — every finding is covered by the ledger.")
        return
    table = Table(title="Undeclared personal data (not in the ledger)", title_justify="left")
    table.add_column("location")
    table.add_column("kind")
    table.add_column("count", justify="right")
    for gap in gaps:
        table.add_row(gap.location, gap.kind, str(gap.count))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)
