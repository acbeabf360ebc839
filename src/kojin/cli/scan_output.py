"""How ``kojin scan`` prints its results as tables: findings as aligned columns, then the
column classes, the summary and the comparisons with the ledger and the data map (Rich tables,
each at its natural width)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from kojin.datamap.scan_check import MapComparison
    from kojin.discovery.service import ColumnClass, ScanSummary, TableRow, UndeclaredFinding

#: a width no table reaches: tables are measured at it, then printed at their own width
_UNLIMITED = 100_000


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


def print_tables(
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


def print_map_comparison(console: Console, compared: MapComparison) -> None:
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


def print_undeclared(console: Console, gaps: list[UndeclaredFinding]) -> None:
    if not gaps:
        console.print("Undeclared personal data: none — every finding is covered by the ledger.")
        return
    _print_table(
        console,
        "Undeclared personal data (not in the ledger)",
        [("location", False), ("kind", False), ("count", True)],
        [(gap.location, gap.kind, str(gap.count)) for gap in gaps],
    )
