"""``kojin anonymize``: file in, file out, report; bad input is one clean error, no partial file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from deid_checker import min_class, read_rows
from deid_data import ADULT_DIR, ADULT_QIS
from typer.testing import CliRunner

from kojin.cli import app
from number_guard import guard_completed

runner = CliRunner()


def _qi_args(columns: tuple[str, ...]) -> list[str]:
    args: list[str] = []
    for column in columns:
        args += ["--qi", f"{column}={ADULT_DIR / f'adult_hierarchy_{column}.csv'}"]
    return args


def test_anonymize_command_writes_output_and_report(tmp_path: Path) -> None:
    out, report = tmp_path / "out.csv", tmp_path / "report.json"
    result = runner.invoke(
        app,
        [
            "anonymize",
            str(ADULT_DIR / "adult_subset.csv"),
            *_qi_args(ADULT_QIS),
            "--sensitive",
            "occupation",
            "--k",
            "5",
            "--l",
            "2",
            "--suppression",
            "0.02",
            "--metric",
            "entropy",
            "--output",
            str(out),
            "--report",
            str(report),
            "--purpose",
            "research_feedback",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    data = orjson.loads(report.read_bytes())
    assert set(data["levels"]) == set(ADULT_QIS)
    assert data["smallest_class"] == min_class(rows, list(ADULT_QIS)) >= 5
    assert data["records_out"] == len(rows) == data["records_in"] - data["suppressed"]
    assert data["metric"]["name"] == "entropy"
    assert data["purposes"] == ["research_feedback"]
    assert data["risk_after"]["prosecutor_highest"] <= 0.2
    assert data["risk_before"]["sample_uniques"] > 0
    assert "occupation (as recorded)" in data["published_items"]
    summary = orjson.loads(result.stdout.strip().splitlines()[-1])
    assert summary["suppressed"] == data["suppressed"]


def test_qi_auto_with_top_coding_to_parquet(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    result = runner.invoke(
        app,
        [
            "anonymize",
            str(ADULT_DIR / "adult_subset.csv"),
            "--qi-auto",
            "age",
            *_qi_args(("sex", "race")),
            "--top-code",
            "age=80",
            "--k",
            "10",
            "--engine",
            "memory",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    import pyarrow.parquet as pq

    table = pq.read_table(out)
    ages = set(table.column("age").to_pylist())
    assert not any(a.isdigit() and int(a) >= 80 for a in ages)
    assert table.column_names == ["sex", "age", "race"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--qi", f"age={ADULT_DIR / 'adult_hierarchy_sex.csv'}", "--k", "2"],
            "column 'age', row 1 (and 30161 more rows): the value is not in the column's hierarchy",
        ),
        (
            ["--qi", f"zip={ADULT_DIR / 'adult_hierarchy_sex.csv'}", "--k", "2"],
            "unknown column 'zip': the input has no such column",
        ),
        ([*_qi_args(("sex",)), "--k", "40000"], "no generalization satisfies 40000-anonymity"),
        ([*_qi_args(("sex",)), "--sensitive", "sex", "--l", "2"], "cannot be both sensitive"),
        ([*_qi_args(("sex",)), "--sensitive", "race", "--l", "9"], "only 5 distinct values"),
        ([*_qi_args(("sex",)), "--top-code", "sex=3", "--k", "2"], "apply to --qi-auto columns"),
    ],
)
def test_bad_input_is_named_and_leaves_no_output(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    out, report = tmp_path / "out.csv", tmp_path / "r.json"
    result = runner.invoke(
        app,
        [
            "anonymize",
            str(ADULT_DIR / "adult.csv"),
            *extra,
            "--output",
            str(out),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
    assert "'39'" not in result.stderr  # a value of the data is never printed
    assert "Male" not in result.stderr  # nor the header's neighbours or any other value
    assert list(tmp_path.iterdir()) == []


def test_console_script_exit_code_and_message(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kojin.cli import main; main()",
            "anonymize",
            str(ADULT_DIR / "adult_subset.csv"),
            "--qi",
            f"age={ADULT_DIR / 'adult_hierarchy_sex.csv'}",
            "--k",
            "2",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    guard_completed(proc, command="kojin anonymize")
    assert proc.returncode == 2
    assert "kojin: error: column 'age'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_database_table_input(tmp_path: Path) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'src.sqlite3'}"
    engine = sa.create_engine(url)
    rows = read_rows(ADULT_DIR / "adult_subset.csv")
    with engine.begin() as connection:
        connection.execute(
            sa.text('CREATE TABLE people (sex TEXT, race TEXT, "salary-class" TEXT)')
        )
        connection.execute(
            sa.text("INSERT INTO people VALUES (:sex, :race, :salary)"),
            [{"sex": r["sex"], "race": r["race"], "salary": r["salary-class"]} for r in rows],
        )
    engine.dispose()
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        [
            "anonymize",
            url,
            "--table",
            "people",
            *_qi_args(("sex", "race", "salary-class")),
            "--k",
            "20",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    released = read_rows(out, delimiter=",")
    assert len(released) <= len(rows)
    assert min_class(released, ["sex", "race", "salary-class"]) >= 20


def test_exhaustive_and_optimal_commands_agree_on_parquet_input(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = read_rows(ADULT_DIR / "adult_subset.csv")
    source = tmp_path / "in.parquet"
    pq.write_table(
        pa.table(
            {
                "age": pa.array([int(r["age"]) for r in rows]),  # numbers, read back as text
                "education": [r["education"] for r in rows],
                "sex": [r["sex"] for r in rows],
                "occupation": [r["occupation"] for r in rows],
            }
        ),
        source,
    )
    levels = []
    for search in ("optimal", "exhaustive"):
        report = tmp_path / f"{search}.json"
        result = runner.invoke(
            app,
            [
                "anonymize",
                str(source),
                *_qi_args(("age", "education", "sex")),
                "--sensitive",
                "occupation",
                "--k",
                "4",
                "--t",
                "0.3",
                "--suppression",
                "0.01",
                "--search",
                search,
                "--output",
                str(tmp_path / f"{search}.csv"),
                "--report",
                str(report),
            ],
        )
        assert result.exit_code == 0, result.output
        data = orjson.loads(report.read_bytes())
        assert data["search"]["method"] == search
        levels.append((data["levels"], data["suppressed"], data["metric"]["value"]))
    assert levels[0] == levels[1]
