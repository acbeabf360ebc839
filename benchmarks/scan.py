"""Discovery throughput: the whole ``kojin scan`` command against a Python ``re`` baseline.

Run as ``.venv/bin/python benchmarks/scan.py [--sparse-mb 40] [--dense-mb 30] [--runs 3]``.

What is measured, for two corpora generated deterministically by ``benchmarks/scan_corpora.py``
and written to files first (not timed):

* **sparse**: business prose, about one finding per 2 KB;
* **dense**: a customer export, about one finding per 150 bytes.

1. ``kojin scan FILE --format jsonl`` as a child process, stdout written to a file (stderr, where
   the progress bar goes, to a pipe): start-up, detector compilation, reading, scanning, masking
   and output all included, with the default worker processes (one per processor). Wall time and
   the CPU time of the child and its workers (user + system); the median of ``--runs`` runs. The
   same with ``--jobs 1`` (everything in one process) beside it, and the table format
   (``kojin scan FILE > out``) run once.
2. The start-up alone: ``kojin scan`` of a one-line file.
3. The baseline, in this process: one combined alternation of the same patterns in Python ``re``
   (``benchmarks/scan_baseline.py``: leftmost-longest candidates, the same validators, boundary
   rule and context words) over the first ``--baseline-mb`` MB of each corpus.

Checks (the script fails when one does not hold): the output with workers and with ``--jobs 1``
is the same byte for byte; the child's findings (type, line, column) are
exactly those of kojin's scan service run in this process; on the baseline slice, kojin's matcher
and the baseline find the same multiset of (kind, value) pairs, value being the text matched,
after validation.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kojin.discovery import service
from kojin.discovery.batches import TextFindings
from scan_baseline import PythonReScanner
from scan_corpora import MB, dense_corpus, sparse_corpus

# Whole commands are measured as users run them: with Python's bytecode cache (a shell may turn it
# off with PYTHONDONTWRITEBYTECODE; the children here use it, warmed by a first run).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float


def _kojin() -> list[str]:
    script = Path(sys.executable).with_name("kojin")
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from kojin.cli import main; main()"]
    )


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_scan(path: Path, out: Path, *args: str) -> Run:
    """One ``kojin scan`` process, stdout to `out`; wall and CPU seconds."""
    cpu, wall = _child_cpu(), time.perf_counter()
    with out.open("wb") as sink:
        done = subprocess.run(
            [*_kojin(), "scan", str(path), *args], stdout=sink, stderr=subprocess.PIPE, check=False
        )
    if done.returncode != 0:
        raise SystemExit(f"kojin scan failed: {done.stderr.decode(errors='replace')}")
    return Run(time.perf_counter() - wall, _child_cpu() - cpu)


def _median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs))


def _child_findings(out: Path) -> Counter[tuple[str, int, int]]:
    found: Counter[tuple[str, int, int]] = Counter()
    with out.open("rb") as lines:
        for line in lines:
            record = json.loads(line)
            if record["record"] == "finding":
                where = record["location"]
                found[(record["type"], where["line"], where["column"])] += 1
    return found


def _service_findings(path: Path) -> Counter[tuple[str, int, int]]:
    scanner = service.build_scanner()
    found: Counter[tuple[str, int, int]] = Counter()
    for result in service.scan(scanner=scanner, paths=[path]):
        assert isinstance(result, TextFindings)
        found.update(zip(result.kinds, result.lines, result.columns, strict=True))
    return found


def _baseline(data: bytes, mb: float) -> tuple[float, float, int]:
    """MB per CPU-second of kojin's matcher and of the baseline on the first `mb` MB, and the
    findings there; asserts that both find the same (kind, value) pairs."""
    cut = data.find(b"\n", int(mb * MB))
    part = data[: cut + 1] if cut >= 0 else data
    size = len(part) / MB
    matcher = service.build_scanner().matcher
    cpu = time.process_time()
    matches = matcher.scan(part)
    kojin_cpu = time.process_time() - cpu
    kojin = Counter((m.kind, part[m.start : m.end].decode("utf-8")) for m in matches)
    python = PythonReScanner(matcher.registry)
    text = part.decode("utf-8")
    cpu = time.process_time()
    values = python.scan(text)
    baseline_cpu = time.process_time() - cpu
    baseline = Counter(values)
    if kojin != baseline:
        only_kojin = list((kojin - baseline).items())[:5]
        only_re = list((baseline - kojin).items())[:5]
        raise SystemExit(f"values differ: kojin only {only_kojin}, re only {only_re}")
    return size / kojin_cpu, size / baseline_cpu, sum(kojin.values())


def _bench(
    label: str, data: bytes, folder: Path, *, runs: int, baseline_mb: float, startup: Run
) -> None:
    path = folder / f"{label}.txt"
    path.write_bytes(data)
    out = folder / f"{label}.jsonl"
    single_out = folder / f"{label}.one-process.jsonl"
    jsonl = _median([_run_scan(path, out, "--format", "jsonl") for _ in range(runs)])
    single = _median(
        [_run_scan(path, single_out, "--format", "jsonl", "--jobs", "1") for _ in range(runs)]
    )
    table = _run_scan(path, folder / f"{label}.table.txt")
    if out.read_bytes() != single_out.read_bytes():
        raise SystemExit(f"[{label}] worker processes and one process wrote different output")
    found = _child_findings(out)
    if found != _service_findings(path):
        raise SystemExit(f"[{label}] the kojin scan process and the scan service disagree")
    matcher_rate, baseline_rate, slice_findings = _baseline(data, baseline_mb)
    size = len(data) / MB
    count = sum(found.values())
    print(f"[{label}] {size:.1f} MB, {count:,} findings (one per {len(data) / count:,.0f} bytes)")
    print("  MB/s                                               wall   per CPU-second")
    rows = (
        ("kojin scan --format jsonl > file (whole command)", jsonl),
        ("  the same with --jobs 1 (one process)", single),
        ("kojin scan > file (table, whole command)", table),
    )
    for name, run in rows:
        print(f"  {name:<49}{size / run.wall:7.1f}  {size / run.cpu:8.1f}")
    print(
        f"  {'kojin scan, start-up subtracted':<49}{size / (jsonl.wall - startup.wall):7.1f}"
        f"  {size / (jsonl.cpu - startup.cpu):8.1f}"
    )
    print(f"  {'kojin matcher alone, in process':<49}{'':7}  {matcher_rate:8.1f}")
    name = f"python re, one alternation ({baseline_mb:g} MB slice)"
    print(f"  {name:<49}{'':7}  {baseline_rate:8.1f}")
    print(
        f"  ratio whole command / python re (CPU): {size / jsonl.cpu / baseline_rate:.1f}x; "
        f"CPU {jsonl.cpu:.2f} s (jsonl), {table.cpu:.2f} s (table); "
        f"same values on the slice ({slice_findings:,} findings)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sparse-mb", type=float, default=40.0, help="size of the sparse corpus")
    parser.add_argument("--dense-mb", type=float, default=30.0, help="size of the dense corpus")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each command")
    parser.add_argument(
        "--baseline-mb", type=float, default=3.0, help="MB of each corpus the re baseline scans"
    )
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tiny = folder / "tiny.txt"
        tiny.write_text("電話 090-1234-5678\n", encoding="utf-8")
        startup = _median(
            [_run_scan(tiny, folder / "tiny.jsonl", "--format", "jsonl") for _ in range(args.runs)]
        )
        print(
            f"[start-up] kojin scan of a one-line file: {startup.wall:.2f} s wall, "
            f"{startup.cpu:.2f} s CPU"
        )
        print("generating corpora ...", flush=True)
        sparse = sparse_corpus(args.sparse_mb)
        _bench(
            "sparse", sparse, folder, runs=args.runs, baseline_mb=args.baseline_mb, startup=startup
        )
        del sparse
        dense = dense_corpus(args.dense_mb)
        _bench(
            "dense", dense, folder, runs=args.runs, baseline_mb=args.baseline_mb, startup=startup
        )


if __name__ == "__main__":
    main()
