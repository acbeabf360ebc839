"""De-identification benchmark: the whole ``kojin anonymize`` command, the lattice search, model
checks, 10M rows on DuckDB, keyed tokens.

What each figure includes:

* **command** — ``kojin anonymize`` on Adult (30,162 rows, 8 quasi-identifiers with their ARX
  hierarchy files, k=5, memory engine) run as a process, as a user runs it: interpreter start-up,
  imports, reading the CSV and the hierarchies, encoding, the search, generalizing, writing the
  CSV output and the JSON report. Wall time (median and best of ``--repeat`` runs) and the CPU
  time of the process (user + system), beside ``python -c pass`` run the same way and the search
  time alone that the command reports. Target: at most 0.6 s wall.
* **search** — in process, the optimal search on the prepared problem (memory and DuckDB),
  beside its preparation (encode, aggregate) and the exhaustive search it must agree with.
* **plain-Python baseline at the optimal node** — what checking that one node costs without
  kojin: building each quasi-identifier's lookup table from its hierarchy file, then
  generalizing every row and counting the classes (rows already read, and reading them counted
  apart). kojin's whole command searches 4,320 nodes (checking about 140) in about that time.
* **models** — one node checked for l-diversity and t-closeness, beside a plain-Python check;
  whole searches with those models, beside the exhaustive search.
* **tokens** — keyed tokens per second beside one ``hmac.new`` call per value.

Run: .venv/bin/python benchmarks/anonymize.py [--skip-large] [--only command|search|models|...]
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import hmac
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa

from kojin.deid.anonymize import AnonymizationSpec, QuasiIdentifier, anonymize_table
from kojin.deid.choices import LVariant, Metric, TDistance, TokenAlgorithm
from kojin.deid.column_codes import encode_column, encode_sensitive
from kojin.deid.engines.base import Engine
from kojin.deid.engines.duckdb_engine import DuckDBEngine
from kojin.deid.engines.memory import MemoryEngine
from kojin.deid.hierarchy import Hierarchy, hierarchy_from_rows, load_hierarchy_csv
from kojin.deid.lattice import LatticeProblem, prepare_problem
from kojin.deid.privacy_models import KAnonymity, LDiversity, PrivacyModel, TCloseness
from kojin.deid.pseudonym_tokens import PseudonymKey, tokenize, tokenize_array
from kojin.deid.search import SearchOutcome, exhaustive_search, optimal_search
from kojin.deid.table_io import read_csv

# Whole commands are measured as users run them: with Python's bytecode cache (a shell may turn it
# off with PYTHONDONTWRITEBYTECODE; the children here use it, warmed by a first run).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

#: the Adult data and ARX hierarchies the tests use (copied into the repository)
ADULT = Path(__file__).resolve().parent.parent / "tests" / "deid" / "data" / "adult"
SENSITIVE = "occupation"
#: every column with a hierarchy file except the sensitive one: the 8 quasi-identifiers
QIS = tuple(
    sorted(
        path.stem.removeprefix("adult_hierarchy_")
        for path in ADULT.glob("adult_hierarchy_*.csv")
        if path.stem != f"adult_hierarchy_{SENSITIVE}"
    )
)
COMMAND_TARGET = 0.6


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def hierarchy_file(column: str) -> Path:
    return ADULT / f"adult_hierarchy_{column}.csv"


def kojin_executable() -> str:
    """The console script installed beside this interpreter (what a user of the venv runs)."""
    return str(Path(sys.executable).with_name("kojin"))


def run_process(args: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def command_figures(repeat: int) -> bool:
    """The whole command as a process; returns whether the target was met."""
    print(f"== kojin anonymize, Adult ({len(QIS)} quasi-identifiers, k=5), whole command")
    with tempfile.TemporaryDirectory() as folder:
        out, report = Path(folder) / "released.csv", Path(folder) / "report.json"
        command = [kojin_executable(), "anonymize", str(ADULT / "adult.csv"), "--k", "5"]
        for column in QIS:
            command += ["--qi", f"{column}={hierarchy_file(column)}"]
        command += ["--output", str(out), "--report", str(report)]
        baseline = [sys.executable, "-c", "pass"]
        run_process(command)  # warm the file cache and the bytecode once, not counted
        walls, cpus, python_walls, python_cpus = [], [], [], []
        for _ in range(repeat):  # interleaved, so that the machine's load touches both alike
            wall, cpu = run_process(command)
            walls.append(wall)
            cpus.append(cpu)
            wall, cpu = run_process(baseline)
            python_walls.append(wall)
            python_cpus.append(cpu)
        data = orjson.loads(report.read_bytes())
    search = data["search"]
    median = statistics.median(walls)
    print(
        f"kojin anonymize: {median * 1000:.0f} ms wall median, {min(walls) * 1000:.0f} ms best, "
        f"{statistics.median(cpus) * 1000:.0f} ms CPU median ({repeat} runs); "
        f"python -c pass {statistics.median(python_walls) * 1000:.0f} ms wall, "
        f"{statistics.median(python_cpus) * 1000:.0f} ms CPU"
    )
    print(
        f"  of which the search: {search['seconds'] * 1000:.0f} ms ({search['engine']} engine, "
        f"checked {search['checked']} of {search['nodes']} nodes); levels "
        f"{ {column: entry['level'] for column, entry in data['levels'].items()} }, "
        f"{data['records_out']:,} records out, smallest class {data['smallest_class']}"
    )
    met = median <= COMMAND_TARGET
    print(f"  target {COMMAND_TARGET:.1f} s wall: {'met' if met else 'MISSED'}")
    return met


def adult_problem(
    table: pa.Table,
    models: list[PrivacyModel],
    *,
    engine: Engine,
    tree: bool = False,
) -> LatticeProblem:
    hierarchies = [load_hierarchy_csv(column=q, path=hierarchy_file(q)) for q in QIS]
    codes = [
        encode_column(table=table, column=q, hierarchy=h)
        for q, h in zip(QIS, hierarchies, strict=True)
    ]
    sensitive_tree = (
        load_hierarchy_csv(column=SENSITIVE, path=hierarchy_file(SENSITIVE)) if tree else None
    )
    sensitive = encode_sensitive(table=table, column=SENSITIVE, hierarchy=sensitive_tree)
    return prepare_problem(
        engine=engine,
        codes=codes,
        hierarchies=hierarchies,
        sensitive_codes=sensitive.codes,
        domain=sensitive.domain,
        models=models,
        metric=Metric.LOSS,
        suppression=0.0,
    )


def timed_search(
    table: pa.Table,
    models: list[PrivacyModel],
    *,
    engine: Callable[[], Engine],
    runs: int = 5,
    tree: bool = False,
) -> tuple[float, float, SearchOutcome]:
    """Best-of-``runs`` seconds of preparing (encode, aggregate) and of the optimal search alone."""
    prepare_times, search_times = [], []
    outcome: SearchOutcome | None = None
    for _ in range(runs):
        started = time.perf_counter()
        problem = adult_problem(table, models, engine=engine(), tree=tree)
        prepared = time.perf_counter()
        outcome = optimal_search(problem)
        search_times.append(time.perf_counter() - prepared)
        prepare_times.append(prepared - started)
    assert outcome is not None
    return min(prepare_times), min(search_times), outcome


def _plain_generalize_and_count(
    rows: list[dict[str, str]], node: tuple[int, ...]
) -> tuple[int, int]:
    """Baseline at one node, preparation counted: read each hierarchy file, build the lookup
    table of the node's level, generalize every row and count the classes; (classes, smallest)."""
    lookups: dict[str, dict[str, str]] = {}
    for column, level in zip(QIS, node, strict=True):
        with hierarchy_file(column).open(encoding="utf-8", newline="") as handle:
            lookups[column] = {row[0]: row[level] for row in csv.reader(handle, delimiter=";")}
    classes = Counter(tuple(lookups[q][row[q]] for q in QIS) for row in rows)
    return len(classes), min(classes.values())


def _plain_read() -> list[dict[str, str]]:
    with (ADULT / "adult.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def search_figures(table: pa.Table) -> None:
    print(f"== Adult, {len(QIS)} quasi-identifiers, k=5, no suppression (4,320 nodes), in process")
    results: dict[str, tuple[float, SearchOutcome]] = {}
    for label, factory in (("memory", MemoryEngine), ("duckdb", DuckDBEngine)):
        prepare, seconds, outcome = timed_search(table, [KAnonymity(5)], engine=factory)
        assert outcome.best is not None
        results[label] = (seconds, outcome)
        print(
            f"optimal search ({label}): {seconds * 1000:.1f} ms (+ {prepare * 1000:.0f} ms to "
            f"encode and aggregate), checked {outcome.checked} of {outcome.nodes} nodes, "
            f"node {outcome.best.node}"
        )
    problem = adult_problem(table, [KAnonymity(5)], engine=MemoryEngine())
    started = time.perf_counter()
    full = exhaustive_search(problem)
    exhaustive_seconds = time.perf_counter() - started
    seconds, outcome = results["memory"]
    assert full.best is not None
    assert outcome.best is not None
    print(
        f"exhaustive search (memory): {exhaustive_seconds * 1000:.0f} ms, node {full.best.node}; "
        f"same optimum: {full.best.node == outcome.best.node}; "
        f"optimal is {exhaustive_seconds / seconds:.0f}x faster"
    )
    node = outcome.best.node
    reading, rows = best_of(3, _plain_read)
    assert isinstance(rows, list)
    plain, counted = best_of(3, lambda: _plain_generalize_and_count(rows, node))
    assert isinstance(counted, tuple)
    assert counted[1] >= 5 == outcome.best.stats.sizes.min()
    print(
        f"plain Python at the optimal node {node}: {plain * 1000:.0f} ms to build the lookup "
        f"tables from the hierarchy files, generalize and count {counted[0]} classes "
        f"(+ {reading * 1000:.0f} ms to read the CSV); kojin's optimal search checks "
        f"{outcome.checked} nodes in {seconds * 1000:.0f} ms"
    )


def _plain_check(
    rows: list[dict[str, str]], levels: dict[str, dict[str, str]]
) -> tuple[int, float]:
    """Baseline: distinct-l and equal-distance t of a released table in plain Python."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for row in rows:
        groups[tuple(levels[q][row[q]] for q in QIS)].append(row[SENSITIVE])
    everyone = Counter(row[SENSITIVE] for row in rows)
    n = len(rows)
    worst_l, worst_t = math.inf, 0.0
    for values in groups.values():
        counts = Counter(values)
        worst_l = min(worst_l, len(counts))
        size = len(values)
        t = 0.5 * sum(abs(counts.get(v, 0) / size - c / n) for v, c in everyone.items())
        worst_t = max(worst_t, t)
    return int(worst_l), worst_t


def model_figures(table: pa.Table) -> None:
    print("== Adult: checking a table for a model (group-by on codes + the model's test)")
    base = adult_problem(table, [KAnonymity(5)], engine=MemoryEngine())
    outcome = optimal_search(base)
    assert outcome.best is not None
    node = outcome.best.node
    checks: list[tuple[str, list[PrivacyModel], bool]] = [
        ("distinct 2-diversity", [LDiversity(2)], False),
        ("entropy 2-diversity", [LDiversity(2, LVariant.ENTROPY)], False),
        ("0.2-closeness, equal distance", [TCloseness(0.2)], False),
        ("0.2-closeness, ordered distance", [TCloseness(0.2, TDistance.ORDERED)], False),
        ("0.2-closeness, hierarchical distance", [TCloseness(0.2, TDistance.HIERARCHICAL)], True),
    ]
    trees: dict[str, dict[str, str]] = {}
    for q in QIS:
        hierarchy = load_hierarchy_csv(column=q, path=hierarchy_file(q))
        level = node[QIS.index(q)]
        trees[q] = {
            leaf: hierarchy.labels[level][hierarchy.parents[level][code]]
            for code, leaf in enumerate(hierarchy.labels[0])
        }
    rows = table.select([*QIS, SENSITIVE]).to_pylist()
    baseline, _ = best_of(3, lambda: _plain_check(rows, trees))
    bottom = tuple(0 for _ in QIS)
    for label, models, tree in checks:
        for where, at in (("k=5 optimum", node), ("ungeneralized", bottom)):
            times = []
            for _ in range(5):
                problem = adult_problem(table, models, engine=MemoryEngine(), tree=tree)
                started = time.perf_counter()
                verdict = problem.evaluate(at)
                times.append(time.perf_counter() - started)
            seconds = min(times)
            print(
                f"{label} at the {where} ({len(verdict.stats.sizes):,} classes): "
                f"{seconds * 1000:.1f} ms; plain-Python check {baseline * 1000:.0f} ms; "
                f"ratio {baseline / seconds:.0f}x"
            )
    print("== Adult: searches with l-diversity and t-closeness (k=5 plus the model)")
    for label, models, tree in checks:
        _, fast_seconds, fast = timed_search(
            table, [KAnonymity(5), *models], engine=MemoryEngine, runs=3, tree=tree
        )
        problem = adult_problem(table, [KAnonymity(5), *models], engine=MemoryEngine(), tree=tree)
        started = time.perf_counter()
        full = exhaustive_search(problem)
        full_seconds = time.perf_counter() - started
        same = full.best is not None and fast.best is not None and full.best.node == fast.best.node
        print(
            f"{label}: optimal {fast_seconds * 1000:.0f} ms, exhaustive "
            f"{full_seconds * 1000:.0f} ms, same optimum: {same}"
        )


def _tree(column: str, leaves: list[str], fanouts: list[int]) -> Hierarchy:
    rows = []
    for position, leaf in enumerate(leaves):
        path, group = [leaf], position
        for level, fanout in enumerate(fanouts, start=1):
            group //= fanout
            path.append(f"{column}-{level}-{group}")
        rows.append([*path, "*"])
    return hierarchy_from_rows(column=column, rows=rows, source="synthetic")


def synthetic(rows: int, seed: int = 7) -> tuple[pa.Table, list[QuasiIdentifier]]:
    """Census-like rows: skewed ages, 47 prefectures, 16 education and 14 occupation levels."""
    rng = np.random.default_rng(seed)
    prefectures = [f"P{i:02d}" for i in range(47)]
    education = [f"E{i:02d}" for i in range(16)]
    marital = [f"M{i}" for i in range(7)]
    occupation = [f"O{i:02d}" for i in range(14)]
    sexes = ["F", "M"]
    weights = 1.0 / np.arange(1, 48)
    columns = {
        "age": np.clip(rng.normal(45, 18, rows), 0, 99).astype(np.int64),
        "sex": rng.integers(0, 2, rows),
        "prefecture": rng.choice(47, rows, p=weights / weights.sum()),
        "education": rng.integers(0, 16, rows),
        "marital": rng.integers(0, 7, rows),
        "occupation": rng.integers(0, 14, rows),
    }
    labels = {
        "age": [str(a) for a in range(100)],
        "sex": sexes,
        "prefecture": prefectures,
        "education": education,
        "marital": marital,
        "occupation": occupation,
    }
    table = pa.table(
        {
            name: pa.DictionaryArray.from_arrays(
                pa.array(values.astype(np.int32)), pa.array(labels[name])
            ).cast(pa.string())
            for name, values in columns.items()
        }
    )
    quasi = [
        QuasiIdentifier("age"),  # kojin builds the interval hierarchy
        QuasiIdentifier("sex", _tree("sex", sexes, [])),
        QuasiIdentifier("prefecture", _tree("prefecture", prefectures, [6, 2])),
        QuasiIdentifier("education", _tree("education", education, [4])),
        QuasiIdentifier("marital", _tree("marital", marital, [3])),
        QuasiIdentifier("occupation", _tree("occupation", occupation, [4])),
    ]
    return table, quasi


def large_figure(rows: int) -> None:
    print(f"== {rows:,} synthetic rows, 6 quasi-identifiers, k=10, no suppression, DuckDB")
    started = time.perf_counter()
    table, quasi = synthetic(rows)
    print(f"(generating the table: {time.perf_counter() - started:.1f} s, not counted)")
    spec = AnonymizationSpec(quasi_identifiers=tuple(quasi), models=(KAnonymity(10),))
    started = time.perf_counter()
    released = anonymize_table(table=table, spec=spec, engine=DuckDBEngine())
    seconds = time.perf_counter() - started
    result = released.result
    print(
        f"anonymize (encode, aggregate, search, generalize): {seconds:.1f} s; "
        f"search {result.search.seconds:.1f} s, checked {result.search.checked} of "
        f"{result.search.nodes} nodes; levels {result.levels}; smallest class "
        f"{result.risk_after.smallest_class}"
    )


def token_figures(count: int = 1_000_000) -> None:
    print(f"== keyed tokens over {count:,} distinct values")
    values = pa.array([f"customer-{i:09d}@example.jp" for i in range(count)])
    secret = bytes(range(32))
    python_values = values.to_pylist()

    def naive() -> list[str]:
        return [
            hmac.new(secret, v.encode(), hashlib.sha256).hexdigest()[:32] for v in python_values
        ]

    baseline, _ = best_of(2, naive)
    print(f"baseline hmac.new per value: {count / baseline / 1e6:.2f} M values/s")
    for algorithm in TokenAlgorithm:
        key = PseudonymKey("k1", algorithm, secret, "")
        seconds, _ = best_of(3, functools.partial(tokenize, values, key=key))
        print(
            f"kojin {algorithm.value}: {count / seconds / 1e6:.2f} M values/s "
            f"({baseline / seconds:.1f}x the baseline)"
        )
    rows = 10 * count
    column = pa.array(np.random.default_rng(3).integers(0, count, rows)).cast(pa.string())
    key = PseudonymKey("k1", TokenAlgorithm.BLAKE2B, secret, "")
    seconds, _ = best_of(2, functools.partial(tokenize_array, column, key=key))
    print(
        f"kojin blake2b on a {rows:,}-row column with up to {count:,} distinct values "
        f"(each distinct value hashed once): {rows / seconds / 1e6:.2f} M rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-large", action="store_true", help="skip the 10M-row figure")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=9, help="runs of the whole command")
    parser.add_argument(
        "--only", choices=["command", "search", "models", "tokens", "large"], default=None
    )
    args = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"(load average {load}; {os.cpu_count()} CPUs)")
    met = True
    if args.only in (None, "command"):
        met = command_figures(args.repeat)
    table = read_csv(ADULT / "adult.csv")
    if args.only in (None, "search"):
        search_figures(table)
    if args.only in (None, "models"):
        model_figures(table)
    if args.only in (None, "tokens"):
        token_figures()
    if args.only == "large" or (args.only is None and not args.skip_large):
        large_figure(args.rows)
    if not met:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
