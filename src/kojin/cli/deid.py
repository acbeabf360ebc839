"""``kojin anonymize`` and ``kojin pseudonymize``: de-identifying tables (APPI Arts. 41, 43).

Parse the options, call :mod:`kojin.deid.service`, print a one-line JSON summary. The service
loads NumPy, PyArrow and the chosen engine only when a command runs.

kojin.deid and kojin.discovery do not import each other: this interface hands ``anonymize``
discovery's detectors as the :class:`~kojin.deid.identifier_check.IdentifierCheck` that keeps
identifiers out of anonymized information (:func:`identifier_check`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.datasets import CategoryOption, NameOption, RecordOption, recorder_for
from kojin.cli.output import cli_errors, stderr_console, stderr_is_terminal, write_json_line
from kojin.cli.spark_options import SparkMasterOption, spark_master
from kojin.deid import service
from kojin.deid.choices import EngineName, LVariant, Metric, SearchMethod, TDistance, TokenAlgorithm
from kojin.deid.table_source import TableSource
from kojin.errors import InputError

if TYPE_CHECKING:
    from kojin.cli.datasets import Recorder
    from kojin.deid.identifier_check import Detection, IdentifierCheck
    from kojin.deid.results import AnonymizationResult, PseudonymizationResult
    from kojin.discovery.value_findings import ValueFinder


#: the options ``kojin anonymize`` and ``kojin pseudonymize`` share
InputArgument = Annotated[
    str, typer.Argument(metavar="INPUT", help="CSV, Parquet or a database URL.")
]
OutputOption = Annotated[
    str,
    typer.Option(
        "--output",
        "-o",
        help="Output .csv or .parquet (with --engine spark: a folder of parts, at any path "
        "Spark writes).",
    ),
]
TableOption = Annotated[str | None, typer.Option(help="Table name for a database INPUT.")]
PurposeOption = Annotated[list[str], typer.Option("--purpose", help="Purpose id (repeat).")]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Encoding of the CSV files read: utf-8, cp932 (Shift_JIS), euc-jp (default: "
        "detected per file).",
    ),
]


class DiscoveryCheck:
    """kojin.discovery's built-in detectors as the check that keeps identifiers out of
    anonymized information (which kinds are identifying is decided by kojin.deid).

    The detectors are compiled on first use; a copy sent to Spark's executors travels without
    them and compiles its own there.
    """

    def __init__(self) -> None:
        self._finder: ValueFinder | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"_finder": None}

    def __call__(self, *, column: str, values: Sequence[str]) -> Iterator[Detection]:
        from kojin.deid.identifier_check import Detection
        from kojin.discovery.value_findings import ValueFinder

        if self._finder is None:
            self._finder = ValueFinder()
        for found in self._finder(column=column, values=values):
            yield Detection(index=found.position, kind=found.kind, category=found.category)


def identifier_check() -> IdentifierCheck:
    """The check :class:`DiscoveryCheck` gives."""
    return DiscoveryCheck()


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


def _numbers(values: list[str], *, option: str) -> dict[str, float]:
    numbers: dict[str, float] = {}
    for column, value in _pairs(values, option=option).items():
        try:
            numbers[column] = float(value)
        except ValueError:
            raise InputError(
                f"{option} {column}: {value!r} is not a number", field=option
            ) from None
    return numbers


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal (else no bar, and nothing to update)."""
    if not stderr_is_terminal():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


def _recorder(
    *, record: bool, name: str | None, category: str | None, purposes: list[str]
) -> Recorder | None:
    """The recording step when ``--record`` is given, checked before any work; else None."""
    if not record:
        return None
    return recorder_for(record=True, name=name, category=category, purposes=purposes)


def _summarize(
    result: AnonymizationResult | PseudonymizationResult,
    *,
    keys: tuple[str, ...],
    recorder: Recorder | None,
    written: Sequence[Path | str | None],
) -> None:
    """Print the summary line; with a recorder, record the creation first (or remove the files
    `written` so that nothing unrecorded is left) and add the dataset id."""
    report = result.report()
    summary = {key: report[key] for key in keys}
    if recorder is not None:
        try:
            summary["dataset_id"] = recorder(result).id
        except BaseException:
            for path in written:
                if path is not None:
                    _remove_output(path)
            raise
    write_json_line(summary)


def _remove_output(path: Path | str) -> None:
    """Remove an output written on this machine: a file, or a folder of parts (Spark's)."""
    import shutil

    from kojin.spark.tables import is_remote, local_path

    if isinstance(path, str):
        if is_remote(path):
            return
        path = local_path(path)
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def anonymize(
    input_path: InputArgument,
    output: OutputOption,
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
        typer.Option(
            help="Group-by engine (default: memory up to 1M rows, else duckdb); spark runs the "
            "whole job on a Spark cluster."
        ),
    ] = None,
    spark_master_url: SparkMasterOption = None,
    search: Annotated[SearchMethod, typer.Option(help="Lattice search.")] = SearchMethod.OPTIMAL,
    table: TableOption = None,
    purpose: PurposeOption = [],  # noqa: B006
    sampling_fraction: Annotated[
        float, typer.Option(help="Share of the population in the input (journalist risk).")
    ] = 1.0,
    encoding: EncodingOption = None,
    record: RecordOption = False,
    category: CategoryOption = None,
    name: NameOption = None,
) -> None:
    """Create anonymized information (APPI Art. 43): generalize, suppress, report the risk.

    Refused, with nothing written, when a released column holds identifiers (R-AN-1).
    """
    # the search does no large linear algebra: NumPy need not start a pool of BLAS threads
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with cli_errors():
        if spark_master_url and engine is not EngineName.SPARK:
            raise InputError("--spark-master needs --engine spark", field="spark_master")
        recorder = _recorder(record=record, name=name, category=category, purposes=purpose)
        source = TableSource(input_path, table, encoding)
        check = identifier_check()
        spec = service.anonymization_spec(
            hierarchy_files={
                column: Path(file) for column, file in _pairs(qi, option="--qi").items()
            },
            auto_columns=qi_auto,
            top_codes=_numbers(top_code, option="--top-code"),
            bottom_codes=_numbers(bottom_code, option="--bottom-code"),
            k=k,
            l_value=l_value,
            l_variant=l_variant,
            c=c,
            t=t,
            t_distance=t_distance,
            sensitive=sensitive,
            sensitive_hierarchy_file=sensitive_hierarchy,
            keep=keep,
            metric=metric,
            suppression=suppression,
            sampling_fraction=sampling_fraction,
            encoding=encoding,
        )
        with _progress("searching the lattice") as progress:
            result = service.anonymize_file(
                source=source,
                output=output,
                spec=spec,
                identifier_check=check,
                engine=engine,
                method=search,
                report=report,
                purposes=purpose,
                progress=progress,
                spark_master=spark_master(spark_master_url),
            )
        keys = ("levels", "suppressed", "smallest_class", "metric", "risk_after", "search")
        _summarize(result, keys=keys, recorder=recorder, written=(output, report))


def _pseudonymize_on_spark(
    *,
    input_path: str,
    table: str | None,
    retokenize_from: Path | None,
    master: str | None,
    encoding: str | None,
    output: str,
    roles: Path | None,
    key_file: Path | None,
    deletion_info: Path | None,
    rotate_key: bool,
    keep_mapping: bool,
    algorithm: TokenAlgorithm | None,
    purposes: list[str],
) -> PseudonymizationResult:
    """``--engine spark``: the options checked before a session starts, then the Spark job."""
    from kojin.deid.spark.pseudonymize import embedded_only, pseudonymize_on_spark
    from kojin.spark.session import spark_session
    from kojin.spark.tables import spark_input

    embedded_only(location=input_path, table=table, retokenize_from=retokenize_from)
    if roles is None:
        raise InputError("--roles is required (or --retokenize-from)", field="roles")
    source = spark_input(input_path, encoding=encoding)
    spec = service.load_roles(roles)
    with spark_session(spark_master(master)) as spark:
        return pseudonymize_on_spark(
            spark=spark,
            source=source,
            output=str(output),
            roles=spec,
            key_file=key_file,
            deletion_dir=deletion_info,
            rotate=rotate_key,
            keep_mapping=keep_mapping,
            algorithm=algorithm,
            purposes=purposes,
        )


def pseudonymize(
    input_path: InputArgument,
    output: OutputOption,
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
    table: TableOption = None,
    purpose: PurposeOption = [],  # noqa: B006
    retokenize_from: Annotated[
        Path | None,
        typer.Option(
            help="Deletion info of an earlier run: INPUT is its output; re-key its tokens."
        ),
    ] = None,
    encoding: EncodingOption = None,
    engine: Annotated[
        EngineName | None,
        typer.Option(
            help="memory or duckdb: in this process (default); spark: on a Spark cluster, "
            "the output a folder of part files."
        ),
    ] = None,
    spark_master_url: SparkMasterOption = None,
    record: RecordOption = False,
    category: CategoryOption = None,
    name: NameOption = None,
) -> None:
    """Create pseudonymized information (APPI Art. 41): tokens, deletions, coding down."""
    with cli_errors():
        if spark_master_url and engine is not EngineName.SPARK:
            raise InputError("--spark-master needs --engine spark", field="spark_master")
        recorder = _recorder(record=record, name=name, category=category, purposes=purpose)
        on_spark = engine is EngineName.SPARK
        with stderr_console().status("pseudonymizing") if stderr_is_terminal() else nullcontext():
            if on_spark:
                result = _pseudonymize_on_spark(
                    input_path=input_path,
                    table=table,
                    retokenize_from=retokenize_from,
                    master=spark_master_url,
                    encoding=encoding,
                    output=output,
                    roles=roles,
                    key_file=key_file,
                    deletion_info=deletion_info,
                    rotate_key=rotate_key,
                    keep_mapping=keep_mapping,
                    algorithm=algorithm,
                    purposes=purpose,
                )
            elif retokenize_from is not None:
                result = service.rekey_file(
                    source=TableSource(input_path, table, encoding),
                    deletion_info=retokenize_from,
                    output=Path(output),
                    key_file=key_file,
                    algorithm=algorithm,
                    purposes=purpose,
                )
            elif roles is None:
                raise InputError("--roles is required (or --retokenize-from)", field="roles")
            else:
                result = service.pseudonymize_file(
                    source=TableSource(input_path, table, encoding),
                    output=Path(output),
                    roles=service.load_roles(roles),
                    key_file=key_file,
                    deletion_dir=deletion_info,
                    rotate=rotate_key,
                    keep_mapping=keep_mapping,
                    algorithm=algorithm,
                    purposes=purpose,
                )
        keys = ("records", "key_id", "algorithm", "deletion_info", "items")
        _summarize(result, keys=keys, recorder=recorder, written=(output,))


def register(app: typer.Typer) -> None:
    app.command("anonymize")(anonymize)
    app.command("pseudonymize")(pseudonymize)
