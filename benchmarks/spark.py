"""Anonymization on Spark beside DuckDB: 10,000,000 rows, 6 quasi-identifiers, k=10.

Both are the whole ``kojin anonymize`` command run as a process, as a user runs it, on the same
CSV file in the same run: interpreter start-up, reading the input, encoding, the lattice search,
generalizing, the identifier checks, writing the Parquet output and the JSON report.

* **duckdb** — the embedded engine: the table is read into this machine's memory (Arrow), the
  search's group-bys run in DuckDB.
* **spark** — ``--engine spark --spark-master local[2]``: Spark inside the command (its JVM
  starts with it), two executor threads; the rows stay in the JVM's executors, the Python driver
  receives only the classes of each node.

Printed for each: wall time, and the peak resident memory of the ``kojin`` (Python) process, and
for Spark of its JVM too (driver and executors share it in ``local[2]``), beside the input's size;
then the ratio Spark / DuckDB. The two must release the same levels and the same number of rows.
Generating the input is not counted. Caches are cold for the first run of each engine only as far
as the OS page cache allows (the input was just written).

Run: .venv/bin/python benchmarks/spark.py [--rows 10000000] [--master local[2]]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
import pyarrow.csv as pacsv

from anonymize import synthetic  # the large-table generator of benchmarks/anonymize.py
from kojin.deid.hierarchy import Hierarchy

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def _peak(pid: int) -> int:
    """The peak resident memory (VmHWM) of process `pid` so far, in bytes (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run(command: list[str]) -> tuple[float, int, int, dict[str, object]]:
    """Wall seconds, the command's own peak memory and its children's (the JVM), the summary."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    own = children = 0
    while process.poll() is None:
        own = max(own, _peak(process.pid))
        children = max([children, *(_peak(child) for child in _children(process.pid))])
        time.sleep(0.1)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{err.decode()[-2000:]}")
    return seconds, own, children, orjson.loads(out)


def _hierarchy_file(hierarchy: Hierarchy, folder: Path) -> Path:
    path = folder / f"{hierarchy.column}.csv"
    rows = [
        ";".join(
            hierarchy.labels[level][hierarchy.parents[level][code]]
            for level in range(len(hierarchy.labels))
        )
        for code in range(len(hierarchy.labels[0]))
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--master", default="local[2]")
    options = parser.parse_args()
    kojin = str(Path(sys.executable).with_name("kojin"))
    with tempfile.TemporaryDirectory(prefix="kojin-bench-spark-") as folder:
        base = Path(folder)
        started = time.perf_counter()
        table, quasi = synthetic(options.rows)
        source = base / "people.csv"
        pacsv.write_csv(table, source)
        del table
        size = source.stat().st_size
        args = ["anonymize", str(source), "--k", "10"]
        for qi in quasi:
            if qi.hierarchy is None:
                args += ["--qi-auto", qi.column]
            else:
                args += ["--qi", f"{qi.column}={_hierarchy_file(qi.hierarchy, base)}"]
        print(
            f"== {options.rows:,} rows, {len(quasi)} quasi-identifiers, k=10: a CSV file of "
            f"{size / 1e6:,.0f} MB (generated in {time.perf_counter() - started:.1f} s, "
            "not counted)"
        )
        results = {}
        for engine, extra in (
            ("duckdb", ["--engine", "duckdb"]),
            ("spark", ["--engine", "spark", "--spark-master", options.master]),
        ):
            output = base / f"{engine}.parquet"
            report = base / f"{engine}.json"
            seconds, own, children, summary = run(
                [kojin, *args, *extra, "--output", str(output), "--report", str(report)]
            )
            data = orjson.loads(report.read_bytes())
            results[engine] = (seconds, data)
            search = summary["search"]
            assert isinstance(search, dict)
            jvm = f", its JVM {children / 1e6:,.0f} MB" if children else ""
            print(
                f"{engine:>6}: {seconds:6.1f} s whole command (search {search['seconds']:.1f} s, "
                f"{search['checked']} of {search['nodes']} nodes); peak memory: kojin process "
                f"{own / 1e6:,.0f} MB{jvm}; input {size / 1e6:,.0f} MB "
                f"(kojin process / input = {own / size:.2f})"
            )
        (duck_seconds, duck), (spark_seconds, spark) = results["duckdb"], results["spark"]
        same = duck["levels"] == spark["levels"] and duck["records_out"] == spark["records_out"]
        print(
            f"spark / duckdb wall = {spark_seconds / duck_seconds:.2f}; "
            f"same levels and rows: {same}"
        )
        if not same:
            raise SystemExit("the engines released different tables")


if __name__ == "__main__":
    main()
