"""``kojin anonymize --engine spark`` on a real standalone cluster (a master and two workers on the
loopback) releases what the memory and DuckDB engines release: the same table, levels, suppression,
loss, risk and report; and refuses what they refuse, with the same message and row."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from deid_data import ADULT_DIR
from typer.testing import CliRunner

from kojin.cli import app
from kojin.cli.deid import identifier_check
from kojin.deid import service
from kojin.deid.anonymize import AnonymizationSpec
from kojin.deid.choices import EngineName, LVariant, TDistance
from kojin.deid.table_source import TableSource
from kojin.errors import InputError

pytestmark = [pytest.mark.spark, pytest.mark.slow]

SUBSET = ADULT_DIR / "adult_subset.csv"
QIS = ("age", "education", "marital-status", "race", "sex")


def _spec(**overrides: Any) -> AnonymizationSpec:
    options: dict[str, Any] = {
        "hierarchy_files": {q: ADULT_DIR / f"adult_hierarchy_{q}.csv" for q in QIS},
        "k": 5,
    }
    options.update(overrides)
    return service.anonymization_spec(**options)


def _read_release(path: Path) -> pa.Table:
    """A release as text columns: a file (embedded engines) or a folder of parts (Spark), the
    parts in their order."""
    if path.is_dir():
        parts = sorted(p for p in path.rglob("part-*") if not p.name.startswith("."))
        if path.suffix == ".parquet":
            return pq.read_table(path)
        return pa.concat_tables([_read_csv(part) for part in parts])
    if path.suffix == ".parquet":
        return pq.read_table(path)
    return _read_csv(path)


def _read_csv(path: Path) -> pa.Table:
    with path.open(encoding="utf-8") as handle:
        header = next(csv.reader([handle.readline()], delimiter=";"))
    return pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(delimiter=";"),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )


def _run(
    engine: EngineName,
    source: Path | str,
    output: Path,
    spec: AnonymizationSpec,
    *,
    master: str | None = None,
    report: Path | None = None,
) -> dict[str, Any]:
    result = service.anonymize_file(
        source=TableSource(str(source)),
        output=output,
        spec=spec,
        identifier_check=identifier_check(),
        engine=engine,
        report=report,
        spark_master=master,
    )
    return result.report()


def _same_result(spark_report: dict[str, Any], embedded: dict[str, Any]) -> None:
    assert spark_report["search"]["engine"] == "spark"
    for key in ("search", "created_at", "output"):
        spark_report.pop(key)
        embedded.pop(key)
    assert spark_report == embedded


CASES = [
    pytest.param({}, id="k"),
    pytest.param(
        {"k": 3, "sensitive": "occupation", "l_value": 2, "suppression": 0.02}, id="k-l-suppression"
    ),
    pytest.param(
        {
            "k": 3,
            "sensitive": "occupation",
            "l_value": 2,
            "l_variant": LVariant.ENTROPY,
            "t": 0.3,
            "t_distance": TDistance.EQUAL,
            "suppression": 0.03,
            "keep": ["workclass"],
        },
        id="k-entropy-l-t-keep",
    ),
]


@pytest.mark.parametrize("overrides", CASES)
def test_spark_releases_what_the_memory_and_duckdb_engines_release(
    spark_master: str, spark: Any, tmp_path: Path, overrides: dict[str, Any]
) -> None:
    spec = _spec(**overrides)
    on_memory = _run(EngineName.MEMORY, SUBSET, tmp_path / "memory.csv", spec)
    on_duckdb = _run(EngineName.DUCKDB, SUBSET, tmp_path / "duckdb.csv", spec)
    on_spark = _run(EngineName.SPARK, SUBSET, tmp_path / "spark.csv", spec, master=spark_master)
    released = _read_release(tmp_path / "spark.csv")
    assert released.equals(_read_release(tmp_path / "memory.csv"))
    assert released.equals(_read_release(tmp_path / "duckdb.csv"))
    assert on_spark["levels"] == on_memory["levels"] == on_duckdb["levels"]
    _same_result(on_spark, on_memory)


def _adult_rows() -> tuple[list[str], list[list[str]]]:
    with SUBSET.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return rows[0], rows[1:]


def test_a_parquet_input_with_numbers_and_dates_built_hierarchies(
    spark_master: str, spark: Any, tmp_path: Path
) -> None:
    header, rows = _adult_rows()
    ages = [int(row[header.index("age")]) for row in rows]
    table = pa.table(
        {
            "age": pa.array(ages, pa.int64()),
            "visit": pa.array([f"20{10 + a % 12}-0{1 + a % 9}-1{a % 10}" for a in ages]),
            "sex": [row[header.index("sex")] for row in rows],
            "salary-class": [row[header.index("salary-class")] for row in rows],
        }
    )
    source = tmp_path / "people.parquet"
    pq.write_table(table, source, row_group_size=700)
    spec = service.anonymization_spec(
        hierarchy_files={"sex": ADULT_DIR / "adult_hierarchy_sex.csv"},
        auto_columns=["age", "visit"],
        top_codes={"age": 80},
        bottom_codes={"age": 20},
        k=4,
        sensitive="salary-class",
        l_value=2,
        suppression=0.05,
    )
    on_memory = _run(EngineName.MEMORY, source, tmp_path / "memory.parquet", spec)
    on_spark = _run(EngineName.SPARK, source, tmp_path / "spark.parquet", spec, master=spark_master)
    assert _read_release(tmp_path / "spark.parquet").equals(
        _read_release(tmp_path / "memory.parquet")
    )
    _same_result(on_spark, on_memory)


def test_a_folder_of_parts_with_partition_folders(
    spark_master: str, spark: Any, tmp_path: Path
) -> None:
    header, rows = _adult_rows()
    folder = tmp_path / "by_salary"
    position = header.index("salary-class")
    others = [name for name in header if name != "salary-class"]
    for value in ("<=50K", ">50K"):
        part = folder / f"salary-class={value}"
        part.mkdir(parents=True)
        chosen = [row for row in rows if row[position] == value]
        for number, start in enumerate(range(0, len(chosen), 800)):
            with (part / f"part-{number}.csv").open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out, delimiter=";")
                writer.writerow(others)
                writer.writerows(
                    [c for i, c in enumerate(row) if i != position]
                    for row in chosen[start : start + 800]
                )
    spec = _spec(keep=["salary-class"])
    on_memory = _run(EngineName.MEMORY, SUBSET, tmp_path / "memory.csv", spec)
    on_spark = _run(EngineName.SPARK, folder, tmp_path / "spark.csv", spec, master=spark_master)
    written = tmp_path / "spark.csv"
    assert sorted(p.name for p in written.iterdir() if p.is_dir()) == [
        "salary-class=<%3D50K",
        "salary-class=>50K",
    ]
    assert (written.stat().st_mode & 0o077) == 0
    released = []
    for part in sorted(written.glob("salary-class=*/part-*")):
        salary = "<=50K" if "%3D" in part.parent.name else ">50K"
        released += [
            (*row, salary) for row in zip(*_read_csv(part).to_pydict().values(), strict=True)
        ]
    memory = _read_release(tmp_path / "memory.csv").to_pydict()
    columns = [name for name in memory if name != "salary-class"] + ["salary-class"]
    assert sorted(released) == sorted(zip(*(memory[c] for c in columns), strict=True))
    assert on_spark["records_out"] == on_memory["records_out"]
    assert on_spark["levels"] == on_memory["levels"]


def _refusal(
    engine: EngineName, source: Path, output: Path, spec: AnonymizationSpec, master: str | None
) -> str:
    with pytest.raises(InputError) as refused:
        _run(engine, source, output, spec, master=master)
    assert not output.exists()
    return refused.value.message


def _with_cells(tmp_path: Path, cells: dict[int, dict[str, str]], name: str) -> Path:
    """The Adult subset with some cells replaced (data rows, 1-based)."""
    header, rows = _adult_rows()
    for number, values in cells.items():
        for column, value in values.items():
            rows[number - 1][header.index(column)] = value
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("cells", "overrides", "expected"),
    [
        pytest.param(
            {1500: {"education": "Unheard-of"}, 2900: {"education": "Unheard-of"}},
            {},
            "column 'education', row 1500 (and 1 more rows)",
            id="value-not-in-hierarchy",
        ),
        pytest.param(
            {2210: {"workclass": "yamada.taro@example.co.jp"}},
            {"keep": ["workclass"]},
            "'workclass' (--keep: email, row 2210)",
            id="identifier-in-kept-column",
        ),
        pytest.param(
            {777: {"age": "many"}},
            {
                "hierarchy_files": {q: ADULT_DIR / f"adult_hierarchy_{q}.csv" for q in QIS[1:]},
                "auto_columns": ["age"],
            },
            "column 'age', row 777: not a number",
            id="auto-hierarchy-not-a-number",
        ),
    ],
)
def test_spark_refuses_what_the_memory_engine_refuses_with_the_same_message(
    spark_master: str,
    spark: Any,
    tmp_path: Path,
    cells: dict[int, dict[str, str]],
    overrides: dict[str, Any],
    expected: str,
) -> None:
    source = _with_cells(tmp_path, cells, "input.csv")
    spec = _spec(**overrides)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "65536")  # several splits
    try:
        on_spark = _refusal(EngineName.SPARK, source, tmp_path / "s.csv", spec, spark_master)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    on_memory = _refusal(EngineName.MEMORY, source, tmp_path / "m.csv", spec, None)
    assert expected in on_spark
    assert on_spark == on_memory
    for values in cells.values():
        for value in values.values():
            assert value not in on_spark


def test_a_missing_parquet_value_is_named_by_column_and_row(
    spark_master: str, spark: Any, tmp_path: Path
) -> None:
    header, rows = _adult_rows()
    columns_with_gap: dict[str, list[str | None]] = {
        name: [row[i] for row in rows] for i, name in enumerate(header)
    }
    columns_with_gap["race"][1233] = None
    source = tmp_path / "gap.parquet"
    pq.write_table(pa.table(columns_with_gap), source)
    spec = _spec()
    on_spark = _refusal(EngineName.SPARK, source, tmp_path / "s.csv", spec, spark_master)
    assert on_spark == _refusal(EngineName.MEMORY, source, tmp_path / "m.csv", spec, None)
    assert on_spark == "column 'race', row 1234: missing value"


def _cli(args: Sequence[str]) -> Any:
    return CliRunner().invoke(app, ["anonymize", str(SUBSET), *args])


def test_the_command_runs_on_the_cluster_and_prints_what_the_memory_engine_prints(
    spark_master: str, spark: Any, tmp_path: Path
) -> None:
    qis = [arg for q in QIS for arg in ("--qi", f"{q}={ADULT_DIR / f'adult_hierarchy_{q}.csv'}")]
    common = [*qis, "--k", "5", "--sensitive", "occupation", "--l", "2", "--suppression", "0.02"]
    on_spark_engine = ["--engine", "spark", "--spark-master", spark_master]
    outputs = ["-o", str(tmp_path / "s.csv"), "--report", str(tmp_path / "s.json")]
    on_spark = _cli([*common, *on_spark_engine, *outputs])
    on_memory = _cli([*common, "-o", str(tmp_path / "m.csv"), "--report", str(tmp_path / "m.json")])
    assert on_spark.exit_code == 0, on_spark.output
    assert on_memory.exit_code == 0, on_memory.output
    spark_line, memory_line = orjson.loads(on_spark.stdout), orjson.loads(on_memory.stdout)
    assert spark_line.pop("search")["engine"] == "spark"
    memory_line.pop("search")
    assert spark_line == memory_line
    _same_result(
        orjson.loads((tmp_path / "s.json").read_bytes()),
        orjson.loads((tmp_path / "m.json").read_bytes()),
    )
    assert _read_release(tmp_path / "s.csv").equals(_read_release(tmp_path / "m.csv"))


def test_the_command_refuses_a_database_table_and_a_bad_master(
    spark_master: str, spark: Any, tmp_path: Path
) -> None:
    qis = ["--qi", f"sex={ADULT_DIR / 'adult_hierarchy_sex.csv'}", "--k", "2"]
    database = CliRunner().invoke(
        app,
        ["anonymize", "sqlite:///x.db", "--table", "people", *qis, "-o", str(tmp_path / "o.csv"),
         "--engine", "spark", "--spark-master", spark_master],
    )  # fmt: skip
    assert database.exit_code == 2
    assert "a database table runs on the memory or duckdb engine" in database.output
    master = _cli([*qis, "-o", str(tmp_path / "o.csv"), "--engine", "spark", "--spark-master", "x"])
    assert master.exit_code == 2
    assert "--spark-master must be a Spark master URL" in master.output
    existing = tmp_path / "mine.csv"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine")
    taken = _cli([*qis, "-o", str(existing), "--engine", "spark", "--spark-master", spark_master])
    assert taken.exit_code == 2
    assert "is not an earlier Spark output" in taken.output
    assert (existing / "notes.txt").read_text() == "mine"
    shutil.rmtree(existing)
