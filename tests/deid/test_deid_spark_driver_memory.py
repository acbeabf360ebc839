"""The driver never holds the rows: ``kojin anonymize --engine spark`` succeeds on an input of
about a gigabyte with the driver's Java heap capped at 512 MB and its Python process's data at
384 MB, on a ``local-cluster`` master (two workers, executors in processes of their own)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROWS = 4_500_000
JAVA_HEAP_BYTES = 512 * 1024 * 1024
PYTHON_DATA = 384 * 1024 * 1024

#: the driver: a session on the master with the heap capped, then this process's data capped
#: (the JVM, already started, keeps its own limit) and the command run in it
DRIVER = textwrap.dedent(
    """
    import resource, sys
    from kojin.cli import main
    from kojin.spark.session import spark_session

    master, cap = sys.argv[1], int(sys.argv[2])
    conf = {"spark.driver.memory": "512m", "spark.executor.memory": "1g"}
    with spark_session(master, conf=conf):
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
        sys.argv = ["kojin", *sys.argv[3:]]
        try:
            main()
        finally:
            status = open("/proc/self/status").read()
            peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
            print(f"driver-peak-rss {peak}", file=sys.stderr)
    """
)


def _write_input(path: Path) -> None:
    """Customers: age, a postal code area, sex and a long free-text note (deleted)."""
    rng = np.random.default_rng(11)
    notes = np.asarray([f"{'note ' * 48}{i}" for i in range(1000)])
    schema = pa.schema([(name, pa.string()) for name in ("age", "zip", "sex", "note")])
    with pacsv.CSVWriter(path, schema) as writer:
        for start in range(0, ROWS, 500_000):
            size = min(500_000, ROWS - start)
            columns = [
                rng.integers(18, 90, size).astype(str),
                np.char.add("1", rng.integers(0, 1000, size).astype(str)),
                np.where(rng.integers(0, 2, size) == 0, "M", "F"),
                notes[rng.integers(0, 1000, size)],
            ]
            writer.write_batch(
                pa.record_batch([pa.array(c.tolist()) for c in columns], schema=schema)
            )


def test_anonymize_succeeds_with_the_driver_capped_far_below_the_input(tmp_path: Path) -> None:
    source, output, report = tmp_path / "customers.csv", tmp_path / "out.parquet", tmp_path / "r"
    _write_input(source)
    (tmp_path / "sex.csv").write_text("M;*\nF;*\n", encoding="utf-8")
    size = source.stat().st_size
    assert size > 2 * JAVA_HEAP_BYTES
    assert size > 2.5 * PYTHON_DATA
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(Path(p).resolve()) for p in sys.path if p),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            DRIVER,
            "local-cluster[2,1,1024]",
            str(PYTHON_DATA),
            "anonymize",
            str(source),
            "--qi-auto",
            "age",
            "--qi-auto",
            "zip",
            "--qi",
            f"sex={tmp_path / 'sex.csv'}",
            "--k",
            "10",
            "--output",
            str(output),
            "--report",
            str(report),
            "--engine",
            "spark",
            "--spark-master",
            "local-cluster[2,1,1024]",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    peak = int(done.stderr.split("driver-peak-rss ")[1].split()[0])
    assert peak < PYTHON_DATA < size
    data = orjson.loads(report.read_bytes())
    assert data["records_in"] == ROWS
    assert data["search"]["engine"] == "spark"
    classes = f"SELECT count(*) AS n FROM read_parquet('{output}/*.parquet') GROUP BY age, zip, sex"
    relation = duckdb.sql(f"SELECT count(*), min(n) FROM ({classes})")
    assert relation is not None
    counted = relation.fetchall()[0]
    assert counted[0] == data["risk_after"]["classes"]
    assert counted[1] == data["smallest_class"] >= 10
