"""Reading and writing tables on a Spark cluster: text columns, partitions, row numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kojin.errors import InputError
from kojin.spark.tables import (
    ROW_ID,
    RowNumbers,
    SparkFormat,
    partition_columns,
    read_input,
    spark_input,
    write_output,
)

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def test_csv_is_read_as_text_with_empty_cells_kept(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("zip;age;note\n0123;7;\n0456;08;x\n", encoding="utf-8")
    source = spark_input(str(path))
    assert (source.format, source.delimiter) == (SparkFormat.CSV, ";")
    rows = [tuple(r) for r in read_input(spark, source).collect()]
    assert rows == [("0123", "7", ""), ("0456", "08", "x")]


def test_shift_jis_csv_is_detected_and_read(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "sjis.csv"
    path.write_bytes("氏名,市区町村\n山田,千代田区\n".encode("cp932"))
    source = spark_input(str(path))
    assert source.encoding == "windows-31j"
    frame = read_input(spark, source)
    assert frame.columns == ["氏名", "市区町村"]
    assert [tuple(r) for r in frame.collect()] == [("山田", "千代田区")]


def test_parquet_values_read_as_arrow_casts_them(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "mixed.parquet"
    table = pa.table({"n": pa.array([1, 20], pa.int64()), "x": pa.array([1.5, 2.0])})
    pq.write_table(table, path)
    rows = [tuple(r) for r in read_input(spark, spark_input(str(path))).collect()]
    assert rows == [("1", "1.5"), ("20", "2")]


def test_a_partitioned_folder_is_read_and_written_with_its_partitions(
    spark: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "by_region"
    for region, ages in (("east", ["30", "31"]), ("west", ["40"])):
        (folder / f"region={region}").mkdir(parents=True)
        pq.write_table(pa.table({"age": ages}), folder / f"region={region}" / "part-0.parquet")
    source = spark_input(str(folder))
    frame = read_input(spark, source)
    assert partition_columns(frame) == ("region",)
    target = tmp_path / "out.parquet"
    write_output(spark, frame, str(target), partition_by=("region",))
    assert sorted(p.name for p in target.iterdir() if p.is_dir()) == [
        "region=east",
        "region=west",
    ]
    assert (target.stat().st_mode & 0o077) == 0
    back = pq.read_table(target).to_pydict()
    assert sorted(zip(back["age"], map(str, back["region"]), strict=True)) == [
        ("30", "east"),
        ("31", "east"),
        ("40", "west"),
    ]


def test_a_csv_output_keeps_the_input_delimiter_and_quotes_what_needs_it(
    spark: Any, tmp_path: Path
) -> None:
    frame = spark.createDataFrame([("a;b", ""), ('say "hi"', "x")], "p string, q string")
    target = tmp_path / "out.csv"
    write_output(spark, frame.coalesce(1), str(target), delimiter=";")
    parts = sorted(target.glob("part-*.csv"))
    text = "".join(p.read_text(encoding="utf-8") for p in parts)
    assert text.splitlines() == ["p;q", '"a;b";""', '"say ""hi""";x']


def test_an_existing_output_that_is_not_spark_output_is_refused(spark: Any, tmp_path: Path) -> None:
    target = tmp_path / "keep.parquet"
    target.mkdir()
    (target / "mine.txt").write_text("mine")
    frame = spark.createDataFrame([("a",)], "p string")
    with pytest.raises(InputError, match="not an earlier Spark output"):
        write_output(spark, frame, str(target))
    assert (target / "mine.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.parquet"]


def test_row_numbers_follow_the_input_across_splits(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("v\n" + "".join(f"{i}\n" for i in range(1, 5001)), encoding="utf-8")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        frame = read_input(spark, spark_input(str(path)))
        rows = RowNumbers(frame)
        ids = rows.frame.where("v in ('1', '2500', '5000')").select("v", ROW_ID).collect()
        assert frame.rdd.getNumPartitions() > 1
        numbers = {r["v"]: rows.number(r[ROW_ID]) for r in ids}
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert numbers == {"1": 1, "2500": 2500, "5000": 5000}


def test_inputs_are_checked_before_spark_starts(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        spark_input(str(tmp_path / "absent.csv"))
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(InputError, match="unsupported input type"):
        spark_input(str(tmp_path / "data.json"))
