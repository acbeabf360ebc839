"""``kojin anonymize`` and ``kojin pseudonymize``: de-identifying tables (APPI Arts. 41, 43)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kojin.cli.datasets import (
    CategoryOption,
    NameOption,
    Recorder,
    RecordOption,
    recorder_for,
)
from kojin.cli.output import cli_errors, stderr_console, write_json_line
from kojin.deid.anonymize import AnonymizationSpec, QuasiIdentifier
from kojin.deid.auto_hierarchy import OutlierCoding
from kojin.deid.column_roles import TokenAlgorithm, load_roles
from kojin.deid.engines import EngineName
from kojin.deid.files import anonymize_file
from kojin.deid.hierarchy import load_hierarchy_csv
from kojin.deid.metrics import Metric
from kojin.deid.privacy_models import (
    KAnonymity,
    LDiversity,
    LVariant,
    PrivacyModel,
    TCloseness,
    TDistance,
)
from kojin.deid.pseudonymize import pseudonymize_file
from kojin.deid.results import AnonymizationResult, PseudonymizationResult
from kojin.deid.rotation import retokenize_file
from kojin.deid.search import SearchMethod
from kojin.deid.table_io import TableSource
from kojin.errors import InputError
from kojin.registry.datasets import DatasetOut


def _pairs(values: list[str], *, option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        column, sep, right = value.partition("=")
        if not sep or not column or not right:
            raise InputError(f"{option} expects COLUMN=VALUE, got {value!r}", field=option)
        if column in pairs:
            raise InputError(f"{option} names column {column!r} twice", field=option)
        pairs[column] = right
    return pairs


def _number(value: str, *, option: str, column: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise InputError(f"{option} {column}: {value!r} is not a number", field=option) from None


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (hidden when stderr is not a terminal)."""
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console,
        transient=True,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


def _build_spec(
    *,
    qi: list[str],
    qi_auto: list[str],
    top_code: list[str],
    bottom_code: list[str],
    sensitive: str | None,
    sensitive_hierarchy: Path | None,
    k: int | None,
    l_value: int | None,
    l_variant: LVariant,
    c: float,
    t: float | None,
    t_distance: TDistance,
    keep: list[str],
    metric: Metric,
    suppression: float,
    sampling_fraction: float,
) -> AnonymizationSpec:
    quasi: list[QuasiIdentifier] = []
    for column, file in _pairs(qi, option="--qi").items():
        quasi.append(QuasiIdentifier(column, load_hierarchy_csv(column=column, path=Path(file))))
    tops = _pairs(top_code, option="--top-code")
    bottoms = _pairs(bottom_code, option="--bottom-code")
    for column in [*tops, *bottoms]:
        if column not in qi_auto:
            raise InputError(
                f"top and bottom coding apply to --qi-auto columns; {column!r} is not one",
                field=column,
            )
    for column in qi_auto:
        coding = None
        if column in tops or column in bottoms:
            coding = OutlierCoding(
                top=_number(tops[column], option="--top-code", column=column)
                if column in tops
                else None,
                bottom=_number(bottoms[column], option="--bottom-code", column=column)
                if column in bottoms
                else None,
            )
        quasi.append(QuasiIdentifier(column, None, coding))
    models: list[PrivacyModel] = []
    if k is not None:
        models.append(KAnonymity(k))
    if l_value is not None:
        models.append(LDiversity(l_value, l_variant, c))
    if t is not None:
        models.append(TCloseness(t, t_distance))
    hierarchy = (
        load_hierarchy_csv(column=sensitive, path=sensitive_hierarchy)
        if sensitive is not None and sensitive_hierarchy is not None
        else None
    )
    return AnonymizationSpec(
        quasi_identifiers=tuple(quasi),
        models=tuple(models),
        sensitive=sensitive,
        sensitive_hierarchy=hierarchy,
        keep=tuple(keep),
        metric=metric,
        suppression=suppression,
        sampling_fraction=sampling_fraction,
    )


def anonymize(
    input_path: Annotated[
        str, typer.Argument(metavar="INPUT", help="CSV, Parquet or a database URL.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output .csv or .parquet.")],
    qi: Annotated[list[str], typer.Option("--qi", help="COLUMN=HIERARCHY.csv (repeat).")] = [],  # noqa: B006
    qi_auto: Annotated[
        list[str], typer.Option("--qi-auto", help="COLUMN: build a number/date hierarchy.")
    ] = [],  # noqa: B006
    sensitive: Annotated[str | None, typer.Option(help="The sensitive column.")] = None,
    sensitive_hierarchy: Annotated[
        Path | None, typer.Option(help="Hierarchy of the sensitive column (hierarchical t).")
    ] = None,
    k: Annotated[int | None, typer.Option("--k", help="k-anonymity.")] = None,
    l_value: Annotated[int | None, typer.Option("--l", help="l-diversity.")] = None,
    l_variant: Annotated[LVariant, typer.Option(help="l-diversity variant.")] = LVariant.DISTINCT,
    c: Annotated[float, typer.Option("--c", help="c of recursive (c,l)-diversity.")] = 1.0,
    t: Annotated[float | None, typer.Option("--t", help="t-closeness threshold.")] = None,
    t_distance: Annotated[TDistance, typer.Option(help="EMD ground distance.")] = TDistance.EQUAL,
    suppression: Annotated[
        float, typer.Option(help="Share of records that may be suppressed.")
    ] = 0.0,
    metric: Annotated[Metric, typer.Option(help="Information-loss metric.")] = Metric.LOSS,
    keep: Annotated[list[str], typer.Option("--keep", help="Column kept as is (repeat).")] = [],  # noqa: B006
    top_code: Annotated[list[str], typer.Option("--top-code", help="COLUMN=VALUE.")] = [],  # noqa: B006
    bottom_code: Annotated[list[str], typer.Option("--bottom-code", help="COLUMN=VALUE.")] = [],  # noqa: B006
    report: Annotated[Path | None, typer.Option(help="Write the JSON report here.")] = None,
    engine: Annotated[
        EngineName | None,
        typer.Option(help="Group-by engine (default: memory up to 1M rows, else duckdb)."),
    ] = None,
    search: Annotated[SearchMethod, typer.Option(help="Lattice search.")] = SearchMethod.OPTIMAL,
    table: Annotated[str | None, typer.Option(help="Table name for a database INPUT.")] = None,
    purpose: Annotated[list[str], typer.Option("--purpose", help="Purpose id (repeat).")] = [],  # noqa: B006
    sampling_fraction: Annotated[
        float, typer.Option(help="Share of the population in the input (journalist risk).")
    ] = 1.0,
    record: RecordOption = False,
    category: CategoryOption = None,
    name: NameOption = None,
) -> None:
    """Create anonymized information (APPI Art. 43): generalize, suppress, report the risk."""
    with cli_errors():
        recorder = recorder_for(record=record, name=name, category=category, purposes=purpose)
        spec = _build_spec(
            qi=qi,
            qi_auto=qi_auto,
            top_code=top_code,
            bottom_code=bottom_code,
            sensitive=sensitive,
            sensitive_hierarchy=sensitive_hierarchy,
            k=k,
            l_value=l_value,
            l_variant=l_variant,
            c=c,
            t=t,
            t_distance=t_distance,
            keep=keep,
            metric=metric,
            suppression=suppression,
            sampling_fraction=sampling_fraction,
        )
        with _progress("searching the lattice") as progress:
            result = anonymize_file(
                source=TableSource(input_path, table),
                output=output,
                spec=spec,
                engine=engine,
                method=search,
                report=report,
                purposes=purpose,
                progress=progress,
            )
        summary = {
            key: result.report()[key]
            for key in ("levels", "suppressed", "smallest_class", "metric", "risk_after", "search")
        }
        if recorder is not None:
            summary["dataset_id"] = _record_or_remove(recorder, result, output).id
        write_json_line(summary)


def pseudonymize(
    input_path: Annotated[
        str, typer.Argument(metavar="INPUT", help="CSV, Parquet or a database URL.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output .csv or .parquet.")],
    roles: Annotated[
        Path | None, typer.Option("--roles", help="YAML file: the role of every column.")
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(help="Key file (created 0600 if absent); overrides the roles file."),
    ] = None,
    deletion_info: Annotated[
        Path | None, typer.Option(help="Folder for the deletion information (kept apart, 0700).")
    ] = None,
    rotate_key: Annotated[bool, typer.Option(help="Start a new key before tokenizing.")] = False,
    keep_mapping: Annotated[bool, typer.Option(help="Also store token→value tables.")] = False,
    algorithm: Annotated[TokenAlgorithm | None, typer.Option(help="Token algorithm.")] = None,
    table: Annotated[str | None, typer.Option(help="Table name for a database INPUT.")] = None,
    purpose: Annotated[list[str], typer.Option("--purpose", help="Purpose id (repeat).")] = [],  # noqa: B006
    retokenize_from: Annotated[
        Path | None,
        typer.Option(
            help="Deletion info of an earlier run: INPUT is its output; re-key its tokens."
        ),
    ] = None,
    record: RecordOption = False,
    category: CategoryOption = None,
    name: NameOption = None,
) -> None:
    """Create pseudonymized information (APPI Art. 41): tokens, deletions, coding down."""
    with cli_errors():
        recorder = recorder_for(record=record, name=name, category=category, purposes=purpose)
        with stderr_console.status("pseudonymizing"):
            result = _run_pseudonymize(
                input_path=input_path,
                roles=roles,
                output=output,
                key_file=key_file,
                deletion_info=deletion_info,
                rotate_key=rotate_key,
                keep_mapping=keep_mapping,
                algorithm=algorithm,
                table=table,
                purpose=purpose,
                retokenize_from=retokenize_from,
            )
        report = result.report()
        keys = ("records", "key_id", "algorithm", "deletion_info", "items")
        summary = {key: report[key] for key in keys}
        if recorder is not None:
            summary["dataset_id"] = _record_or_remove(recorder, result, output).id
        write_json_line(summary)


def _record_or_remove(
    recorder: Recorder, result: AnonymizationResult | PseudonymizationResult, output: Path
) -> DatasetOut:
    """Record the creation; if that fails, remove the output so nothing unrecorded is left."""
    try:
        return recorder(result)
    except BaseException:
        output.unlink(missing_ok=True)
        raise


def _run_pseudonymize(
    *,
    input_path: str,
    roles: Path | None,
    output: Path,
    key_file: Path | None,
    deletion_info: Path | None,
    rotate_key: bool,
    keep_mapping: bool,
    algorithm: TokenAlgorithm | None,
    table: str | None,
    purpose: list[str],
    retokenize_from: Path | None,
) -> PseudonymizationResult:
    if retokenize_from is not None:
        return retokenize_file(
            source=TableSource(input_path, table),
            deletion_info=retokenize_from,
            output=output,
            key_file=key_file,
            algorithm=algorithm,
            purposes=purpose,
        )
    if roles is None:
        raise InputError("--roles is required (or --retokenize-from)", field="roles")
    return pseudonymize_file(
        source=TableSource(input_path, table),
        output=output,
        spec=load_roles(roles),
        key_file=key_file,
        deletion_dir=deletion_info,
        rotate=rotate_key,
        keep_mapping=keep_mapping,
        algorithm=algorithm,
        purposes=purpose,
    )


def register(app: typer.Typer) -> None:
    app.command("anonymize")(anonymize)
    app.command("pseudonymize")(pseudonymize)
