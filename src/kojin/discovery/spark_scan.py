"""Scanning tables on Spark: the detectors run in the executors, only counts and masked findings
reach the driver.

A table is a CSV or Parquet file, a folder of part files (``name=value`` partition folders
included) or any location Spark reads (``hdfs://``, ``s3a://``...), read by
:func:`kojin.spark.tables.read_input` with every column as text. It is scanned in three Spark
jobs (:mod:`kojin.discovery.spark_tasks` holds what the executors run):

1. a sample: the first rows of each split, ``validate_sample`` rows in all, tells which kinds each
   column may hold (as DuckDB's reservoir sample does on the embedded engine);
2. counts over every row: per column the cells, and per candidate kind the cells matching it in
   full and those that also pass its validator (counted, not estimated from the sample), plus
   each split's row count; the driver sums them and decides each column's class with the
   classifier's own rule (:meth:`ColumnClassifier.decide`);
3. findings in the rows sampled for them (``sample`` rows in all, spread evenly over the splits:
   the first rows of each; every row for 0), masked in the executors. Rows are numbered from 1
   in the order Spark reads the input (split by split), so for a single file they are the data
   rows' numbers, as on the embedded engine.

A header cell that is itself personal data is shown as ``column N``. Spark's own messages may
quote a record: a failure is reported by :func:`kojin.spark.failures.spark_failures` (the input and
the exception's class).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from kojin.discovery import spark_tasks as tasks
from kojin.discovery.batches import CellFindings
from kojin.discovery.cell_scan import shown_names
from kojin.discovery.columns import ColumnClass, ColumnClassifier, KindCount
from kojin.discovery.defaults import TABLE_SUFFIXES
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import CellLocation, Finding
from kojin.errors import InputError
from kojin.spark.failures import spark_failures
from kojin.spark.tables import (
    SparkFormat,
    SparkInput,
    is_remote,
    local_path,
    read_input,
    spark_input,
)
from kojin.spark.tables import column as column_ref

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_PARTITION_FOLDER = re.compile(r"^[^=/]+=[^/]*$")


@dataclass(frozen=True)
class SparkTable:
    """A table for Spark: `name` as reports show it (the path given), `location` as Spark reads
    it (a local path made absolute)."""

    name: str
    location: str


@dataclass
class SparkInputs:
    """What a scan on Spark reads: text files (scanned in this process) and tables."""

    texts: list[Path] = field(default_factory=list)
    tables: list[SparkTable] = field(default_factory=list)


def _is_table(path: Path) -> bool:
    return path.suffix.lower() in TABLE_SUFFIXES


def _visible(path: Path) -> bool:
    return not path.name.startswith(".")


def _data_files(folder: Path) -> Iterator[Path]:
    """The files Spark reads in a folder (names starting with ``_`` or ``.`` are not data)."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        yield from (Path(root) / n for n in names if not n.startswith(("_", ".")))


def _dataset_folder(folder: Path) -> bool:
    """Whether a folder is one table in part files, as Spark and Hive write them: marked by a
    ``_SUCCESS`` file, by ``name=value`` sub-folders (and no others) or by ``part-`` files only,
    and holding files of one table format only."""
    entries = [e for e in folder.iterdir() if not e.name.startswith((".", "_"))]
    folders = [e for e in entries if e.is_dir()]
    files = [e for e in entries if not e.is_dir()]
    partitioned = bool(folders) and all(_PARTITION_FOLDER.match(f.name) for f in folders)
    if folders and not partitioned:
        return False
    marked = (
        partitioned
        or (folder / "_SUCCESS").is_file()
        or (bool(files) and all(f.name.startswith("part-") for f in files))
    )
    formats = {TABLE_SUFFIXES.get(f.suffix.lower()) for f in _data_files(folder)}
    return marked and len(formats) == 1 and None not in formats


def _add_local(path: Path, found: SparkInputs) -> None:
    if path.is_dir():
        if _dataset_folder(path):
            found.tables.append(SparkTable(str(path), str(path.resolve())))
            return
        for entry in sorted(filter(_visible, path.iterdir())):
            _add_local(entry, found)
    elif _is_table(path):
        found.tables.append(SparkTable(str(path), str(path.resolve())))
    else:
        found.texts.append(path)


def spark_inputs(locations: Sequence[str]) -> SparkInputs:
    """The tables and text files that `locations` name, in order.

    A location of another file system (``hdfs://``, ``s3a://``...) is one table. A local CSV or
    Parquet file is a table, a folder of part files (:func:`_dataset_folder`) too; any other
    folder is searched (names starting with ``.`` skipped) for such tables and text files.
    """
    found = SparkInputs()
    for location in locations:
        if is_remote(location):
            found.tables.append(SparkTable(location.rstrip("/") or location, location))
            continue
        path = local_path(location)
        if not path.exists():
            raise InputError(f"no such file or directory: {path}", field="path")
        if location.startswith("file://") and (path.is_file() or _dataset_folder(path)):
            found.tables.append(SparkTable(location, location))
        else:
            _add_local(path, found)
    return found


def even_shares(total: int, capacities: Sequence[int]) -> list[int]:
    """`total` rows (at most the sum of `capacities`) taken from splits holding `capacities`
    rows each, as evenly as they allow: every split gives the same share or one row more, and a
    split too small for its share gives all it has, the others making up the difference."""
    count = len(capacities)
    left = min(total, sum(capacities))
    level = max(capacities, default=0)
    order = sorted(range(count), key=capacities.__getitem__)
    for done, at in enumerate(order):  # raise the level until the small splits are used up
        open_splits = count - done
        if capacities[at] * open_splits > left:
            level = left // open_splits
            break
        left -= capacities[at]
    shares = [min(c, level) for c in capacities]
    left = min(total, sum(capacities)) - sum(shares)
    above = [at for at in range(count) if capacities[at] > shares[at]]
    for step in range(left):  # the rest, one row each, spread over the splits that have more
        shares[above[step * len(above) // left]] += 1
    return shares


def _as_text(frame: DataFrame, names: list[str]) -> DataFrame:
    """Every column as text under the names shown. A session that infers the types of
    ``name=value`` folders (not one kojin starts) gives them as numbers or dates: Spark casts
    them back to text."""
    from pyspark.sql import types as t

    if names == frame.columns and all(
        isinstance(f.dataType, t.StringType) for f in frame.schema.fields
    ):
        return frame
    return frame.select(
        [
            column_ref(old).cast("string").alias(new)
            for old, new in zip(frame.columns, names, strict=True)
        ]
    )


def _candidates(
    frame: DataFrame,
    names: list[str],
    splits: int,
    detectors: tasks.Detectors,
    classifier: ColumnClassifier,
) -> list[tuple[str, ...]]:
    """The kinds each column may hold, in the classifier's order, from the sample's cells."""
    quotas = even_shares(classifier.validate_sample, [classifier.validate_sample] * splits)
    task = partial(tasks.sample_tallies, detectors=detectors, quotas=quotas)
    tallied = frame.mapInArrow(task, tasks.spark_schema(tasks.TALLY_FIELDS)).toArrow()
    seen: dict[int, set[str]] = {}
    for position, kind in zip(
        tallied.column("position").to_pylist(), tallied.column("kind").to_pylist(), strict=True
    ):
        seen.setdefault(position, set()).add(kind)
    return [
        tuple(r.spec.kind for r in classifier.rules_for(name) if r.spec.kind in seen.get(at, ()))
        for at, name in enumerate(names)
    ]


@dataclass
class _Totals:
    """The counts of every split, summed: rows per split, cells per column, matched and valid
    cells per column and kind."""

    sizes: list[int]
    cells: dict[int, int] = field(default_factory=dict)
    matched: dict[tuple[int, str], int] = field(default_factory=dict)
    valid: dict[tuple[int, str], int] = field(default_factory=dict)


def _totals(
    frame: DataFrame,
    splits: int,
    candidates: list[tuple[str, ...]],
    detectors: tasks.Detectors,
    source: SparkInput,
) -> _Totals:
    task = partial(
        tasks.cell_counts,
        detectors=detectors,
        candidates=candidates,
        empty_is_null=source.format is SparkFormat.CSV,  # as DuckDB reads CSV: empty is NULL
    )
    counted = frame.mapInArrow(task, tasks.spark_schema(tasks.COUNT_FIELDS)).toArrow()
    totals = _Totals(sizes=[0] * splits)
    rows = zip(*(counted.column(name).to_pylist() for name, _ in tasks.COUNT_FIELDS), strict=True)
    for split, position, kind, matched, valid in rows:
        if position == tasks.ROWS:
            totals.sizes[split] = matched
        elif kind is None:
            totals.cells[position] = totals.cells.get(position, 0) + matched
        else:
            place = (position, kind)
            totals.matched[place] = totals.matched.get(place, 0) + matched
            totals.valid[place] = totals.valid.get(place, 0) + valid
    return totals


def _classes(
    name: str,
    columns: list[str],
    candidates: list[tuple[str, ...]],
    totals: _Totals,
    classifier: ColumnClassifier,
) -> list[ColumnClass]:
    classes = []
    for at, column in enumerate(columns):
        counts = [
            KindCount(
                kind,
                totals.matched.get((at, kind), 0),
                totals.valid.get((at, kind), 0),
                totals.matched.get((at, kind), 0),  # every matched cell was validated
            )
            for kind in candidates[at]
        ]
        counts.sort(key=lambda c: -c.valid)
        classes.append(classifier.decide(name, column, totals.cells.get(at, 0), counts))
    return classes


def _findings(
    frame: DataFrame,
    name: str,
    columns: list[str],
    classes: list[ColumnClass],
    *,
    sizes: list[int],
    sample: int,
    detectors: tasks.Detectors,
    matcher: Re2Matcher,
) -> list[Finding]:
    quotas = None if sample == 0 else even_shares(sample, sizes)
    if sum(sizes) == 0 or (quotas is not None and not any(quotas)):
        return []
    task = partial(
        tasks.cell_findings_task,
        detectors=detectors,
        classes=classes,
        quotas=quotas,
        offsets=list(accumulate(sizes, initial=0)),
    )
    found = frame.mapInArrow(task, tasks.spark_schema(tasks.FINDING_FIELDS)).toArrow()
    found = found.sort_by([("position", "ascending"), ("row", "ascending"), ("start", "ascending")])
    specs = {spec.kind: spec for spec in matcher.registry}
    findings = []
    for position, row, start, end, kind, score, masked in zip(
        *(found.column(name).to_pylist() for name, _ in tasks.FINDING_FIELDS), strict=True
    ):
        spec = specs[kind]
        place = CellLocation(name, columns[position], str(row), start, end)
        findings.append(Finding(kind, spec.category, place, score, masked, spec.personal))
    return findings


def scan_spark_table(
    spark: SparkSession,
    table: SparkTable,
    *,
    matcher: Re2Matcher,
    classifier: ColumnClassifier,
    sample: int,
    encoding: str | None = None,
) -> tuple[list[ColumnClass], list[Finding]]:
    """The column classes of one table (every row counted) and the findings in its sampled rows
    (`sample` rows in all, spread over the splits; 0: every row)."""
    source = spark_input(table.location, encoding=encoding)
    detectors = tasks.Detectors.of(matcher, classifier)
    context = spark.sparkContext
    context.setJobDescription(f"kojin scan {table.name}")  # the jobs' name on the cluster
    try:
        with spark_failures(source.label):
            frame = read_input(spark, source)
            columns = shown_names(frame.columns, matcher)
            frame = _as_text(frame, columns)
            splits = frame.rdd.getNumPartitions()
            candidates = _candidates(frame, columns, splits, detectors, classifier)
            totals = _totals(frame, splits, candidates, detectors, source)
            classes = _classes(table.name, columns, candidates, totals, classifier)
            findings = _findings(
                frame,
                table.name,
                columns,
                classes,
                sizes=totals.sizes,
                sample=sample,
                detectors=detectors,
                matcher=matcher,
            )
    finally:
        context.setJobDescription(None)  # type: ignore[arg-type]  # Spark takes null: unset
    return classes, findings


def scan_spark_tables(
    spark: SparkSession,
    tables: Sequence[SparkTable],
    *,
    matcher: Re2Matcher,
    classifier: ColumnClassifier,
    sample: int,
    encoding: str | None = None,
    on_table: Callable[[str], None] | None = None,
) -> Iterator[ColumnClass | CellFindings]:
    """Column classes and cell findings of each table in turn; `on_table` is told the name of
    each table as its scan starts."""
    if sample < 0:
        raise InputError("sample must be 0 (all rows) or a positive row count", field="sample")
    for table in tables:
        if on_table is not None:
            on_table(table.name)
        classes, findings = scan_spark_table(
            spark, table, matcher=matcher, classifier=classifier, sample=sample, encoding=encoding
        )
        yield from classes
        yield CellFindings(findings)
