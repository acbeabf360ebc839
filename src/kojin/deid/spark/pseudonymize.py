"""Pseudonymized information (APPI Art. 41) computed by Spark: the same checks, tokens, coding,
deletion information and result as :func:`kojin.deid.service.pseudonymize_file`.

What runs where:

- the executors read the input, look for missing values, undeclared My Numbers and card numbers
  and values that top or bottom coding cannot read, count the categories of ``min_count``
  columns (:mod:`kojin.deid.spark.checks`), compute the tokens and coded values
  (:mod:`kojin.deid.spark.batches`) and write the output (and the kept token tables) as folders
  of part files, map-side, in the input's partitions;
- the driver receives only aggregates: per column and kind of fault the first row id, the
  number of records, the category counts' rare (or frequent) values; it checks the roles, turns
  a row id into the row number of the message, opens the key file (after every check, as the
  embedded path does) and writes the deletion information.

The key reaches the executors as a broadcast variable, destroyed when the job ends: the
functions Spark ships close over the broadcast, never over the key, so the key is in no plan,
log line or setting.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kojin.deid.choices import TokenAlgorithm
from kojin.deid.column_roles import RolesSpec
from kojin.deid.deletion_info import keep_apart, mapping_name, private_folder, write_deletion_info
from kojin.deid.pseudonym_tokens import open_key_ring
from kojin.deid.pseudonymize import (
    check_role_columns,
    item_treatments,
)
from kojin.deid.results import PseudonymizationResult, Treatment
from kojin.deid.service import default_key_file
from kojin.deid.spark import batches
from kojin.deid.spark.batches import Shipped, Step
from kojin.deid.spark.checks import category_sets, check_values
from kojin.errors import ConfigurationError, InputError
from kojin.spark.tables import (
    SparkInput,
    check_target,
    column,
    is_remote,
    local_path,
    output_format,
    partition_columns,
    read_input,
    same_place,
    unreadable,
    write_output,
)

if TYPE_CHECKING:
    from pyspark import Broadcast
    from pyspark.sql import DataFrame, SparkSession


T = TypeVar("T")


def _spark_errors() -> tuple[type[BaseException], ...]:
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JError)


@contextmanager
def _reading(source: SparkInput) -> Iterator[None]:
    """Spark's failures while the input is read and checked, without Spark's message."""
    try:
        yield
    except _spark_errors() as exc:
        raise unreadable(source, exc) from None


@contextmanager
def _writing(source: SparkInput, name: str) -> Iterator[None]:
    """Spark's failures while the release is written, without Spark's message."""
    try:
        yield
    except _spark_errors() as exc:
        raise ConfigurationError(
            f"Spark could not pseudonymize {source.label} into {name} "
            f"({exc.__class__.__name__}): check that the output and the deletion information "
            "folder can be written, and the cluster's logs"
        ) from None


@contextmanager
def broadcast(spark: SparkSession, value: T) -> Iterator[Broadcast[T]]:
    """`value` sent to the executors for the length of a job, then destroyed (also when the job
    fails)."""
    shipped = spark.sparkContext.broadcast(value)
    try:
        yield shipped
    finally:
        shipped.destroy()


def _text_schema(names: Sequence[str]) -> Any:
    from pyspark.sql import types as t

    return t.StructType([t.StructField(name, t.StringType()) for name in names])


def _token_tables(
    *,
    spark: SparkSession,
    frame: DataFrame,
    tokenized: Sequence[str],
    shipped: Broadcast[Shipped],
    folder: Path,
    output: Path,
    created: datetime,
) -> dict[str, str]:
    """Write each tokenized column's token table (token, value), distinct values only, as a
    folder of Parquet parts in the deletion information folder; return their names."""
    private_folder(folder)
    written: dict[str, str] = {}
    for name in tokenized:
        target = mapping_name(output=output, created=created, column=name)
        table = (
            frame.select(column(name).alias("value"))
            .distinct()
            .mapInArrow(batches.token_table(shipped), _text_schema(("token", "value")))
        )
        write_output(spark, table, str(folder / target))
        written[name] = target
    return written


def _write_release(
    *,
    spark: SparkSession,
    frame: DataFrame,
    steps: tuple[Step, ...],
    shipped: Broadcast[Shipped],
    target: str,
    delimiter: str,
    partitions: Sequence[str],
) -> None:
    """Write the released columns, computed batch by batch in the input's partitions (deleted
    columns are not even read into the executors' Python); the input's ``name=value`` folders
    stay for the partition columns that are released."""
    names = [step.column for step in steps]
    released = frame.select(*[column(name) for name in names])
    write_output(
        spark,
        released.mapInArrow(batches.release(steps, shipped), _text_schema(names)),
        target,
        delimiter=delimiter,
        partition_by=[name for name in partitions if name in names],
    )


def _place(*, source: SparkInput, target: str, key_file: Path, deletion_folder: Path) -> None:
    """The key file and the deletion information apart from the output; the output not the
    input. As the embedded path checks, before any work."""
    if not is_remote(target):
        keep_apart(key_file.parent, local_path(target), what="key file")
        keep_apart(deletion_folder, local_path(target), what="deletion information")
    if same_place(source.location, target):
        raise InputError("the output must not overwrite the input")


def pseudonymize_on_spark(
    *,
    spark: SparkSession,
    source: SparkInput,
    output: str | Path,
    roles: RolesSpec,
    key_file: Path | None = None,
    deletion_dir: Path | None = None,
    rotate: bool = False,
    keep_mapping: bool = False,
    algorithm: TokenAlgorithm | None = None,
    purposes: Sequence[str] = (),
    now: datetime | None = None,
) -> PseudonymizationResult:
    """Pseudonymize `source` into the folder `output` (CSV or Parquet parts) on Spark.

    As :func:`kojin.deid.service.pseudonymize_file`: the key file defaults to the roles file's
    ``key_file``, then the keys folder; the deletion information folder to ``deletion-info``
    beside the key file, where ``keep_mapping`` also puts the token tables (folders of Parquet
    parts). The input is refused before a key is created or rotated.
    """
    target = str(output)
    output_format(target)
    named = Path(target.rstrip("/"))
    key_path = key_file or roles.key_file or default_key_file()
    folder = deletion_dir or key_path.parent / "deletion-info"
    _place(source=source, target=target, key_file=key_path, deletion_folder=folder)
    with _reading(source):
        frame = read_input(spark, source)
        check_role_columns(columns=frame.columns, roles=roles)
        items = item_treatments(columns=frame.columns, roles=roles)
        check_target(spark, target)
        records = check_values(frame=frame, roles=roles, items=items)
        categories = category_sets(frame=frame, roles=roles, items=items)
        partitions = partition_columns(frame)
    key = open_key_ring(path=key_path, algorithm=algorithm or roles.algorithm, rotate=rotate).active
    created = now or datetime.now(UTC)
    released = [item for item in items if item.published]
    with _writing(source, named.name), broadcast(spark, Shipped(key, categories)) as shipped:
        written = (
            _token_tables(
                spark=spark,
                frame=frame,
                tokenized=[i.column for i in items if i.treatment is Treatment.TOKENIZED],
                shipped=shipped,
                folder=folder,
                output=named,
                created=created,
            )
            if keep_mapping
            else {}
        )
        info_path = write_deletion_info(
            folder=folder,
            output=named,
            created=created,
            source=source.label,
            key_file=key_path,
            key=key,
            items=items,
            mappings={},
            written_mappings=written,
        )
        _write_release(
            spark=spark,
            frame=frame,
            steps=tuple(Step(i.column, i.treatment, roles.coding.get(i.column)) for i in released),
            shipped=shipped,
            target=target,
            delimiter=source.delimiter,
            partitions=partitions,
        )
    return PseudonymizationResult(
        source=source.label,
        output=named.name,
        created_at=created,
        items=tuple(items),
        records=records,
        key_id=key.key_id,
        algorithm=key.algorithm.value,
        deletion_info=str(info_path),
        purposes=tuple(purposes),
    )


def embedded_only(*, location: str, table: str | None, retokenize_from: Path | None) -> None:
    """Refuse what runs on the embedded engines only: re-keying an earlier output, a database
    table (``--table``, a database URL as the input)."""
    if retokenize_from is not None:
        raise InputError(
            "--retokenize-from runs on the embedded engines (--engine memory or duckdb), not "
            "on Spark",
            field="retokenize_from",
        )
    if table is not None or _is_database_url(location):
        raise InputError(
            "a database table (a database URL as INPUT, --table) is read by the embedded "
            "engines (--engine memory or duckdb), not by Spark",
            field="table" if table is not None else "input",
        )


def _is_database_url(location: str) -> bool:
    """Whether `location` is a URL SQLAlchemy has a dialect for (``postgresql+psycopg://``,
    ``sqlite:///``...), as opposed to a file system Spark reads (``hdfs://``, ``s3a://``...)."""
    if "://" not in location:
        return False
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(location).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        return False
    return True
