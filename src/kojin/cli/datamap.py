"""``kojin datamap check|infer``: validate the data map, or draft one from a live database.

``check`` prints one ``FILE:LINE:COLUMN: systems.0.datasets.1.key: message`` line per problem on
stderr and exits 2, like ``kojin policy check``. ``infer`` reads a database's tables, keys and
foreign keys, classifies sampled values and writes a draft map for a person to review; the
URL's password is never printed. The data map, discovery and connector packages load inside
the commands.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from kojin.cli.output import cli_errors, fail
from kojin.errors import DataMapError, InputError, KojinError, PolicyError

if TYPE_CHECKING:
    from kojin.datamap.model import DataMap
    from kojin.datamap.scan_check import MapComparison, ScannedColumn
    from kojin.discovery.service import ScanResult
    from kojin.policy import Policy

datamap_app = typer.Typer(
    name="datamap",
    help="Check the data map of the company's own stores, or draft one from a database.",
    no_args_is_help=True,
)

#: the first lines of a drafted map
DRAFT_HEADER = (
    "# A draft by `kojin datamap infer`: review every collection and field (identity, kinds,\n"
    "# erasure, retention holds) before kojin answers requests with it.\n"
)


def report_issues(error: DataMapError | PolicyError) -> NoReturn:
    """One ``FILE:LINE:COLUMN: field.path: message`` line per issue on stderr; exit 2."""
    for issue in error.issues:
        typer.echo(str(issue), err=True)
    if not error.issues:
        typer.echo(error.message, err=True)
    raise typer.Exit(2)


def _policy(path: Path | None) -> Policy:
    from kojin.policy import load_policy
    from kojin.settings import get_settings

    try:
        return load_policy(path if path is not None else get_settings().policy_file)
    except PolicyError as error:
        report_issues(error)


def counts(datamap: DataMap) -> str:
    """``2 systems, 3 datasets, 7 collections, 41 fields``."""
    locations = datamap.locations()
    numbers = (
        (len(datamap.systems), "system"),
        (sum(len(s.datasets) for s in datamap.systems), "dataset"),
        (len(locations), "collection"),
        (sum(len(loc.collection.fields) for loc in locations), "field"),
    )
    return ", ".join(f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in numbers)


@datamap_app.command("check")
def check(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Data map: a kojin or Fides YAML file, or a folder of them; defaults to "
            "KOJIN_DATAMAP_FILE."
        ),
    ] = None,
    policy_file: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="Policy whose categories the map's categories must be; defaults to "
            "KOJIN_POLICY_FILE, else the embedded default policy.",
            dir_okay=False,
        ),
    ] = None,
    detectors: Annotated[
        list[Path] | None,
        typer.Option(
            "--detectors",
            help="Detector YAML adding kinds the map's fields may name (repeatable), as for "
            "kojin scan.",
        ),
    ] = None,
) -> None:
    """Validate a data map: exit 0 if valid, else exit 2 with one line per problem."""
    from kojin.datamap.load import load_datamap
    from kojin.discovery.detector_catalogue import load_registry
    from kojin.settings import get_settings

    with cli_errors():
        path = file if file is not None else get_settings().datamap_file
        if path is None:
            fail("name the data map FILE, or set KOJIN_DATAMAP_FILE", code=2)
        policy = _policy(policy_file)
        kinds = frozenset(load_registry(extra_files=detectors or []).kinds())
        try:
            datamap = load_datamap(path, policy=policy, kinds=kinds)
        except DataMapError as error:
            report_issues(error)
    typer.echo(f"{path}: ok ({counts(datamap)})")


def _masked(text: str, url: str) -> str:
    """`text` with the URL's password replaced (and the URL itself shown without it)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return text.replace(url, "<the --url>")
    text = text.replace(url, parsed.render_as_string(hide_password=True))
    return text.replace(parsed.password, "***") if parsed.password else text


def _write_private(target: Path, text: str, *, force: bool) -> None:
    """Write `text` to `target` with mode 0600; an existing file only with `force` (replaced
    at once, never half-written)."""
    if not force:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        return
    directory = target.parent if str(target.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@datamap_app.command("infer")
def infer(
    url: Annotated[
        str,
        typer.Option("--url", help="SQLAlchemy URL of the database to draft a map of."),
    ],
    schema: Annotated[
        str | None,
        typer.Option("--schema", help="Database schema (PostgreSQL) or database (MariaDB)."),
    ] = None,
    sample_rows: Annotated[
        int,
        typer.Option(
            "--sample-rows", min=0, help="Rows per table whose values suggest kinds and identities."
        ),
    ] = 200,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write the draft to this file (0600) instead of stdout.", dir_okay=False
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --out file when it exists.")
    ] = False,
) -> None:
    """Draft a data map from a live database: tables, keys, foreign keys and suggested
    identity fields, for a person to review."""
    if out is not None and out.exists() and not force:
        fail(f"--out: {out} exists; add --force to replace it", code=2)
    if out is not None and not (out.parent if str(out.parent) else Path(".")).is_dir():
        fail(f"--out: folder {out.parent} does not exist", code=2)
    from kojin.connectors.infer import infer_datamap
    from kojin.datamap.dump import dump_datamap

    try:
        datamap = infer_datamap(url, sample_rows=sample_rows, schema=schema)
    except KojinError as exc:
        fail(_masked(exc.message, url), code=2 if isinstance(exc, InputError) else 1)
    except Exception as exc:  # a driver's error may quote the URL: name only its class
        fail(f"cannot draft a map from the database ({type(exc).__name__})", code=1)
    text = DRAFT_HEADER + dump_datamap(datamap)
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        _write_private(out, text, force=force)
    except FileExistsError:
        fail(f"--out: {out} exists; add --force to replace it", code=2)
    except OSError as exc:
        fail(f"--out: cannot write {out} ({exc.strerror})", code=2)
    typer.echo(f"wrote {out} ({counts(datamap)}): review it before use", err=True)


# --- kojin scan --datamap: the map to compare with, and the scan's columns --------------------


def datamap_for_scan(path: Path | None, *, against_ledger: bool) -> DataMap | None:
    """The data map to compare with: `path`, else with --against-ledger the settings' map
    (read before scanning, so that a map with problems fails fast, each problem on a line)."""
    from kojin.settings import get_settings

    if path is None and against_ledger:
        path = get_settings().datamap_file
    if path is None:
        return None
    from kojin.datamap.load import load_datamap
    from kojin.errors import DataMapError

    try:
        return load_datamap(path)
    except DataMapError as error:
        report_issues(error)


def scanned_columns(results: list[ScanResult], *, table_files: set[str]) -> list[ScannedColumn]:
    """Each table column the scan read, with the personal-data kinds found in it (by its
    classification and by findings in its cells); `table_files` tells files from tables."""
    from kojin.datamap.scan_check import ScannedColumn
    from kojin.discovery.model import CellLocation
    from kojin.discovery.service import ColumnClass

    kinds: dict[tuple[str, str], set[str]] = {}
    for result in results:
        if isinstance(result, ColumnClass):
            found = kinds.setdefault((result.table, result.column), set())
            if result.kind is not None and result.personal:
                found.add(result.kind)
            continue
        for finding in result:
            if finding.personal and isinstance(finding.location, CellLocation):
                place = (finding.location.table, finding.location.column)
                kinds.setdefault(place, set()).add(finding.kind)
    return [
        ScannedColumn(table, column, frozenset(found), file=table in table_files)
        for (table, column), found in kinds.items()
    ]


def comparison_records(compared: MapComparison | None) -> list[dict[str, object]]:
    """The comparison as ``kojin scan --format jsonl`` records."""
    if compared is None:
        return []
    gaps: list[dict[str, object]] = [
        {
            "record": "not_in_datamap",
            "location": gap.location,
            "kinds": list(gap.kinds),
            "reason": gap.reason,
        }
        for gap in compared.not_in_map
    ]
    return gaps + [
        {
            "record": "datamap_nothing_found",
            "field": quiet.field,
            "location": quiet.location,
            "reason": quiet.reason,
        }
        for quiet in compared.nothing_found
    ]


def register(app: typer.Typer) -> None:
    app.add_typer(datamap_app, name="datamap")
