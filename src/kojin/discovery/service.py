"""The scan service: files (text, CSV, Parquet) and databases, as one stream of results.

Interfaces call this module only. :func:`scan` yields :class:`FindingBatch` values (the findings
of a block of text or of table cells, rendered in bulk) and :class:`ColumnClass` values, never
raw personal data; :class:`ScanSummary` folds the stream into the totals shown at the end of a
scan; :func:`undeclared_findings` compares the results with the places the ledger declares.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from kojin import encodings
from kojin.discovery.batches import CellFindings, FindingBatch, TableRow
from kojin.discovery.columns import ColumnClass, ColumnClassifier
from kojin.discovery.defaults import DEFAULT_MIN_SCORE, DEFAULT_SAMPLE, TABLE_SUFFIXES
from kojin.discovery.detector_catalogue import DetectorRegistry, load_registry
from kojin.discovery.ledger_check import DeclaredLocation, UndeclaredFinding, undeclared
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Finding
from kojin.discovery.parallel import TextWorkers
from kojin.discovery.parallel import text_workers as parallel_text_workers
from kojin.discovery.text_scan import ExtraPass, text_file_batches
from kojin.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from kojin.discovery.spark_scan import SparkInputs

__all__ = [
    "DEFAULT_MIN_SCORE",
    "DEFAULT_SAMPLE",
    "ColumnClass",
    "FindingBatch",
    "ScanResult",
    "ScanSummary",
    "Scanner",
    "TableRow",
    "TextWorkers",
    "UndeclaredFinding",
    "build_scanner",
    "expand_paths",
    "scan",
    "scan_on_spark",
    "spark_inputs",
    "text_workers",
    "undeclared_findings",
]

ScanResult = FindingBatch | ColumnClass


class Scanner:
    """The configured detectors: a matcher for text, a classifier for columns (built on first
    use: a scan of text files alone never loads DuckDB or Arrow), optional NER."""

    def __init__(
        self, *, registry: DetectorRegistry, matcher: Re2Matcher, extra: ExtraPass | None = None
    ) -> None:
        self.registry = registry
        self.matcher = matcher
        self.extra = extra

    @cached_property
    def classifier(self) -> ColumnClassifier:
        return ColumnClassifier(self.registry)


def build_scanner(
    *,
    detector_files: Iterable[Path] = (),
    min_score: float = DEFAULT_MIN_SCORE,
    ner: bool = False,
) -> Scanner:
    """A scanner over the built-in detectors extended by `detector_files`; `ner` adds GiNZA."""
    registry = load_registry(extra_files=detector_files)
    extra: ExtraPass | None = None
    if ner:
        from kojin.discovery.ner import NameRecognizer

        recognizer = NameRecognizer()
        _ = recognizer.nlp  # load now: a missing extra fails before any output
        extra = recognizer
    return Scanner(
        registry=registry, matcher=Re2Matcher(registry, min_score=min_score), extra=extra
    )


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named or found under the directories named (hidden entries skipped), sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            raise InputError(f"no such file or directory: {path}", field="path")
    return files


def _is_table(path: Path) -> bool:
    return path.suffix.lower() in TABLE_SUFFIXES


def text_workers(
    scanner: Scanner, *, files: Sequence[Path], jobs: int | None = None, render_json: bool = False
) -> TextWorkers | None:
    """Worker processes for the text among `files` (see :mod:`kojin.discovery.parallel`), or None
    when the scan is better done in this process. Start them before any other thread (a progress
    bar) and pass them to :func:`scan`; leaving them as a context manager stops them."""
    if jobs is not None and jobs < 1:
        raise InputError("jobs must be 1 (no worker processes) or more", field="jobs")
    text_bytes = sum(path.stat().st_size for path in files if not _is_table(path))
    return parallel_text_workers(
        scanner.matcher,
        text_bytes=text_bytes,
        jobs=jobs,
        extra=scanner.extra,
        render_json=render_json,
    )


def scan(
    *,
    scanner: Scanner,
    paths: Sequence[Path] = (),
    url: str | None = None,
    tables: Sequence[str] | None = None,
    sample: int = DEFAULT_SAMPLE,
    on_bytes: Callable[[int], None] | None = None,
    on_table: Callable[[str], None] | None = None,
    workers: TextWorkers | None = None,
    encoding: str | None = None,
) -> Iterator[ScanResult]:
    """Everything found in `paths` and in the database at `url` (every table, or `tables`),
    file by file, table by table; text files by `workers` when given (:func:`text_workers`).

    Text and CSV files are read in `encoding` (``utf-8``, ``cp932``/``sjis``, ``euc-jp``...) or,
    when it is None, in the encoding detected from each file's first bytes. A file that is not
    text in its encoding raises :class:`InputError` naming it, the byte offset and the line,
    after the findings before that line.
    """
    if sample < 0:
        raise InputError("sample must be 0 (all rows) or a positive row count", field="sample")
    codec = None if encoding is None else encodings.codec_name(encoding)
    for tables_run, run in groupby(expand_paths(paths), key=_is_table):
        if tables_run:
            from kojin.discovery.tabular import scan_table_file

            for path in run:
                classes, findings = scan_table_file(
                    path,
                    matcher=scanner.matcher,
                    classifier=scanner.classifier,
                    sample=sample,
                    encoding=codec,
                )
                yield from classes
                yield CellFindings(list(findings))
                if on_bytes is not None:
                    on_bytes(path.stat().st_size)
        elif workers is not None:
            yield from workers.batches(run, on_bytes=on_bytes, encoding=codec)
        else:
            for path in run:
                yield from text_file_batches(
                    path,
                    matcher=scanner.matcher,
                    extra=scanner.extra,
                    on_bytes=on_bytes,
                    encoding=codec,
                )
    if url is not None:
        from kojin.discovery.database import scan_database

        for result in scan_database(
            url=url,
            matcher=scanner.matcher,
            classifier=scanner.classifier,
            sample=sample,
            tables=tables,
            on_table=on_table,
        ):
            yield from result.classes
            yield CellFindings(result.findings)


def spark_inputs(locations: Sequence[str]) -> SparkInputs:
    """What a scan on Spark reads at `locations`: the tables (CSV and Parquet files, folders of
    part files, ``hdfs://``, ``s3a://``... locations) and the text files, which are scanned in
    this process (see :func:`kojin.discovery.spark_scan.spark_inputs`)."""
    from kojin.discovery.spark_scan import spark_inputs as split

    return split(locations)


def scan_on_spark(
    *,
    scanner: Scanner,
    spark: SparkSession | None,
    inputs: SparkInputs,
    sample: int = DEFAULT_SAMPLE,
    on_bytes: Callable[[int], None] | None = None,
    on_table: Callable[[str], None] | None = None,
    workers: TextWorkers | None = None,
    encoding: str | None = None,
) -> Iterator[ScanResult]:
    """Everything found in `inputs` (:func:`spark_inputs`): the text files as :func:`scan` finds
    it, in this process (with `workers` when given), then each table on Spark, its detectors
    running in the executors (:mod:`kojin.discovery.spark_scan`): the same column classes and
    findings, masked before they leave an executor. `on_table` is told each table's name as its
    scan starts. `spark` may be None when `inputs` holds no table."""
    yield from scan(
        scanner=scanner,
        paths=inputs.texts,
        sample=sample,
        on_bytes=on_bytes,
        workers=workers,
        encoding=encoding,
    )
    if not inputs.tables:
        return
    if spark is None:
        raise ValueError("scanning tables on Spark needs a Spark session")
    from kojin.discovery.spark_scan import scan_spark_tables

    yield from scan_spark_tables(
        spark,
        inputs.tables,
        matcher=scanner.matcher,
        classifier=scanner.classifier,
        sample=sample,
        encoding=encoding,
        on_table=on_table,
    )


@dataclass
class ScanSummary:
    """Totals of a scan: findings per kind and location count, classified columns."""

    findings: Counter[str] = field(default_factory=Counter)
    locations: dict[str, set[str]] = field(default_factory=dict)
    columns: list[ColumnClass] = field(default_factory=list)

    def add(self, result: ScanResult) -> None:
        if isinstance(result, ColumnClass):
            if result.kind is not None:
                self.columns.append(result)
            return
        self.findings.update(result.kinds)
        for kind, place in result.places():
            self.locations.setdefault(kind, set()).add(place)

    def rows(self) -> list[tuple[str, int, int]]:
        """(kind, findings, distinct files or columns), most frequent first."""
        return [
            (kind, count, len(self.locations.get(kind, ())))
            for kind, count in self.findings.most_common()
        ]


def undeclared_findings(
    results: Iterable[ScanResult], declared: Iterable[tuple[str, frozenset[str]]]
) -> list[UndeclaredFinding]:
    """Personal data in `results` where no declared (location pattern, kinds) pair covers it."""
    items: list[Finding | ColumnClass] = []
    for result in results:
        if isinstance(result, ColumnClass):
            items.append(result)
        else:
            items.extend(result)
    declarations = [DeclaredLocation(location=loc, kinds=kinds) for loc, kinds in declared]
    return undeclared(items, declarations)
