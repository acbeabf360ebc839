"""Tables on Spark: which input a path names, reading it as text, writing a release.

An input is a CSV or Parquet file, or a folder of part files (as Spark and Hive write them,
``name=value`` sub-folders included), at any path Spark can read (``hdfs://``, ``s3a://``, a local
path). Every column is read as text, as the embedded engines read it: a CSV file's empty cells are
empty strings; Parquet values are turned into text by Arrow inside the executors, so that numbers
and dates read exactly as they do on the memory and DuckDB engines.

A release is written by the executors into a folder beside the target and renamed onto it when
every part is written, so a failed job leaves nothing behind; the output keeps the input's
partitions (one part per input split, rows in their order) and its ``name=value`` folders for the
columns it releases. On this machine the written folder and files are made owner-only.

Spark's messages about a bad file quote the offending record: they never reach the user. Errors
name the input, the column and a row instead (see :class:`RowNumbers`).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kojin.encodings import SNIFF_BYTES, codec_name, decode, detect
from kojin.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: the column holding each row's position while a job runs (never written)
ROW_ID = "__kojin_row_id"

_PARTITION_DIR = re.compile(r"^([^=/]+)=([^/]*)$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

#: Java's names for the encodings Python detects or users name
_JAVA_CHARSETS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "cp932": "windows-31j",
    "shift_jis": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "iso2022_jp": "ISO-2022-JP",
    "utf-16": "UTF-16",
    "latin-1": "ISO-8859-1",
    "iso8859-1": "ISO-8859-1",
    "cp1252": "windows-1252",
}


class SparkFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


_SUFFIXES = {
    ".csv": SparkFormat.CSV,
    ".tsv": SparkFormat.CSV,
    ".txt": SparkFormat.CSV,
    ".parquet": SparkFormat.PARQUET,
    ".pq": SparkFormat.PARQUET,
}


#: URI schemes of the file systems Spark reads through Hadoop (a database URL is none of them)
FILE_SYSTEM_SCHEMES = frozenset(
    {
        "file", "hdfs", "webhdfs", "viewfs", "s3", "s3a", "s3n", "gs", "abfs", "abfss",
        "wasb", "wasbs", "adl", "oss", "cos", "cosn", "obs", "dbfs", "alluxio", "har",
    }
)  # fmt: skip


def is_file_system(location: str) -> bool:
    """Whether Spark reads `location` as files: a path, or an URI of a file system it knows."""
    if not _SCHEME.match(location):
        return True
    return location.split("://", 1)[0].lower() in FILE_SYSTEM_SCHEMES


def is_remote(location: str) -> bool:
    """Whether `location` is an URI of a file system other than this machine's."""
    return bool(_SCHEME.match(location)) and not location.startswith("file://")


def local_path(location: str) -> Path:
    """The local path of a plain path or ``file://`` URI."""
    if location.startswith("file://"):
        return Path(urlsplit(location).path)
    return Path(location)


def same_place(first: str, second: str) -> bool:
    """Whether two locations name the same file or folder."""
    if is_remote(first) or is_remote(second):
        return first.rstrip("/") == second.rstrip("/")
    return local_path(first).resolve() == local_path(second).resolve()


def _label(location: str) -> str:
    trimmed = location.rstrip("/")
    return trimmed.rsplit("/", 1)[-1] or trimmed


def _suffix_format(name: str) -> SparkFormat | None:
    return _SUFFIXES.get(os.path.splitext(name)[1].lower())


def _data_files(folder: Path) -> Iterator[Path]:
    """Files of a folder as Spark reads them: names starting with ``_`` or ``.`` are not data."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
        for name in sorted(names):
            if not name.startswith(("_", ".")):
                yield Path(root) / name


def output_format(location: str) -> SparkFormat:
    """The format to write, from the target's suffix."""
    found = _suffix_format(_label(location))
    if found is None:
        raise InputError(
            f"unsupported output type for {_label(location)}: name it .csv or .parquet "
            "(Spark writes a folder of part files under that name)",
            field="output",
        )
    return found


@dataclass(frozen=True)
class SparkInput:
    """A table Spark reads: where, in which format, and for CSV the encoding and delimiter."""

    location: str
    format: SparkFormat
    encoding: str = "UTF-8"
    delimiter: str = ","

    @property
    def label(self) -> str:
        """A name for reports: the file's or folder's name."""
        return _label(self.location)


def _sample_file(location: str) -> Path | None:
    """A local data file of the input (itself, or the first of its folder), else None."""
    if is_remote(location):
        return None
    path = local_path(location)
    if path.is_file():
        return path
    return next(_data_files(path), None)


def _folder_format(location: str) -> SparkFormat:
    path = local_path(location)
    formats = {_suffix_format(file.name) for file in _data_files(path)}
    formats.discard(None)
    if len(formats) == 1:
        return next(iter(f for f in formats if f is not None))
    what = "no .csv or .parquet files" if not formats else "both .csv and .parquet files"
    raise InputError(f"input folder {path.name} holds {what}: name one kind", field="input")


def spark_input(location: str, *, encoding: str | None = None) -> SparkInput:
    """What `location` holds, checked before Spark starts.

    The format comes from the name (``.csv``, ``.tsv``, ``.parquet``...) or, for a local folder
    of part files, from the files in it. A CSV file's encoding is `encoding` or the one its first
    bytes show (UTF-8 for a remote file), its delimiter the one its header line uses.
    """
    if not location.strip():
        raise InputError("name the input: a CSV or Parquet file or folder", field="input")
    found = _suffix_format(_label(location))
    if not is_remote(location):
        path = local_path(location)
        if not path.exists():
            raise InputError(f"input not found: {path}", field="input")
        if found is None and path.is_dir():
            found = _folder_format(location)
    if found is None:
        raise InputError(
            f"unsupported input type for {_label(location)}: use a .csv or .parquet file, or a "
            "folder of them",
            field="input",
        )
    if found is SparkFormat.PARQUET:
        return SparkInput(location=location, format=found)
    sample = _sample_file(location)
    if sample is None and not is_remote(location):
        raise InputError(f"input folder {_label(location)} holds no data files", field="input")
    codec = codec_name(encoding) if encoding is not None else "utf-8"
    delimiter = "\t" if _label(location).lower().endswith(".tsv") else ","
    if sample is not None:
        with sample.open("rb") as handle:
            head = handle.read(max(SNIFF_BYTES, 1 << 16))
        if encoding is None:
            codec = detect(head[: SNIFF_BYTES + 4])
        header = decode(head.split(b"\n", 1)[0], source=sample.name, encoding=codec)
        delimiter = _delimiter(header.lstrip("\ufeff").rstrip("\r"))
    charset = _JAVA_CHARSETS.get(codec.replace("_", "-").lower()) or _JAVA_CHARSETS.get(codec)
    if charset is None:
        charset = codec
    return SparkInput(location=location, format=found, encoding=charset, delimiter=delimiter)


def _delimiter(header: str) -> str:
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def unreadable(source: SparkInput, exc: BaseException) -> InputError:
    """The error for an input Spark could not read, without Spark's message (it may quote a
    record)."""
    kind = "Parquet" if source.format is SparkFormat.PARQUET else "CSV"
    return InputError(
        f"{source.label} could not be read as {kind} by Spark ({exc.__class__.__name__}): check "
        "that every file is well-formed, has the header row and the encoding given",
        field="input",
    )


def _text_batches(batches: Iterator[Any]) -> Iterator[Any]:
    """Every column of each Arrow batch as text, cast as the embedded engines cast it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for batch in batches:
        columns = [
            column
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
            else pc.cast(column, pa.string())
            for column in batch.columns
        ]
        yield pa.RecordBatch.from_arrays(
            [c.cast(pa.string()) for c in columns], names=batch.schema.names
        )


def read_input(spark: SparkSession, source: SparkInput) -> DataFrame:
    """The input as a DataFrame of text columns (lazily: nothing is read yet)."""
    from pyspark.sql import functions as f
    from pyspark.sql import types as t

    reader = spark.read
    if source.format is SparkFormat.PARQUET:
        frame = reader.parquet(source.location)
        if any(not isinstance(field.dataType, t.StringType) for field in frame.schema.fields):
            schema = t.StructType([t.StructField(n, t.StringType()) for n in frame.columns])
            frame = frame.mapInArrow(_text_batches, schema)
        return frame
    frame = (
        reader.option("header", "true")
        .option("sep", source.delimiter)
        .option("quote", '"')
        .option("escape", '"')
        .option("encoding", source.encoding)
        .option("mode", "FAILFAST")
        .option("inferSchema", "false")
        .option("enforceSchema", "false")
        .csv(source.location)
    )
    names = frame.columns
    if names and names[0].startswith("\ufeff"):
        frame = frame.withColumnRenamed(names[0], names[0][1:])
    seen: set[str] = set()
    for position, name in enumerate(frame.columns, start=1):
        if name in seen:
            raise InputError(
                f"{source.label}: column {position} of the header repeats an earlier name; "
                "every column needs its own",
                field="input",
            )
        seen.add(name)
    return frame.select(
        [f.coalesce(f.col(_quoted(name)), f.lit("")).alias(name) for name in frame.columns]
    )


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def column(name: str) -> Any:
    """A column reference that takes any name as it is (dots, spaces, back-quotes)."""
    from pyspark.sql import functions as f

    return f.col(_quoted(name))


def partition_columns(frame: DataFrame) -> tuple[str, ...]:
    """The ``name=value`` folders the input's files sit in (Hive-style partitions), outermost
    first."""
    found: list[str] = []
    for uri in frame.inputFiles()[:1]:
        parts = urlsplit(uri).path.split("/")[:-1]
        names: list[str] = []
        for part in reversed(parts):
            match = _PARTITION_DIR.match(part)
            if match is None:
                break
            names.append(match.group(1))
        found = list(reversed(names))
    return tuple(name for name in found if name in frame.columns)


class RowNumbers:
    """Row numbers (1-based, in the order Spark reads the input) for messages about a row.

    :meth:`tag` adds :data:`ROW_ID` (the split and the position in it); :meth:`number` turns an
    id back into a row number by counting the rows of the splits before it, once.
    """

    def __init__(self, frame: DataFrame) -> None:
        from pyspark.sql import functions as f

        self.frame = frame.withColumn(ROW_ID, f.monotonically_increasing_id())
        self._offsets: dict[int, int] | None = None
        self._source = frame

    def number(self, row_id: int) -> int:
        if self._offsets is None:
            from pyspark.sql import functions as f

            counts = (
                self._source.select(f.spark_partition_id().alias("split"))
                .groupBy("split")
                .count()
                .collect()
            )
            sizes = sorted((int(row["split"]), int(row["count"])) for row in counts)
            offsets: dict[int, int] = {}
            total = 0
            for split, size in sizes:
                offsets[split] = total
                total += size
            self._offsets = offsets
        split, position = row_id >> 33, row_id & ((1 << 33) - 1)
        return self._offsets.get(split, 0) + position + 1


def _hadoop_path(spark: SparkSession, location: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(location)
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    return path, path.getFileSystem(conf)


def _private(folder: Path) -> None:
    folder.chmod(0o700)
    for root, dirs, names in os.walk(folder):
        for name in dirs:
            (Path(root) / name).chmod(0o700)
        for name in names:
            (Path(root) / name).chmod(0o600)


def check_target(spark: SparkSession, target: str) -> None:
    """A target that exists must be an earlier output of Spark (a folder with ``_SUCCESS``), which
    a new one replaces; anything else is refused, before any work."""
    path, system = _hadoop_path(spark, target)
    if not system.exists(path):
        return
    marker = _hadoop_path(spark, target.rstrip("/") + "/_SUCCESS")
    if not system.getFileStatus(path).isDirectory() or not marker[1].exists(marker[0]):
        raise InputError(
            f"the output {_label(target)} exists and is not an earlier Spark output: choose "
            "another name or remove it",
            field="output",
        )


def write_output(
    spark: SparkSession,
    frame: DataFrame,
    target: str,
    *,
    delimiter: str = ",",
    partition_by: Sequence[str] = (),
) -> None:
    """Write `frame` as a folder of CSV or Parquet parts at `target`, all or nothing."""
    kind = output_format(target)
    parent = target.rstrip("/").rsplit("/", 1)
    staging = (
        f"{parent[0]}/.{parent[-1]}.{uuid.uuid4().hex}.part"
        if len(parent) == 2
        else f".{target}.{uuid.uuid4().hex}.part"
    )
    check_target(spark, target)
    writer = frame.write.mode("errorifexists")
    if partition_by:
        writer = writer.partitionBy(*partition_by)
    staged, system = _hadoop_path(spark, staging)
    try:
        if kind is SparkFormat.PARQUET:
            writer.parquet(staging)
        else:
            (
                writer.option("header", "true")
                .option("sep", delimiter)
                .option("quote", '"')
                .option("escape", '"')
                .option("encoding", "UTF-8")
                .option("ignoreLeadingWhiteSpace", "false")
                .option("ignoreTrailingWhiteSpace", "false")
                .csv(staging)
            )
        if not is_remote(target):
            _private(local_path(staging))
        final, _ = _hadoop_path(spark, target)
        if system.exists(final):
            system.delete(final, True)
        if not system.rename(staged, final):
            raise InputError(f"the output {_label(target)} could not be put in place")
    finally:
        if system.exists(staged):
            system.delete(staged, True)
