"""Start-up of the ``kojin`` command: every command run as a process, as a user runs it.

What is measured: the wall time of one whole process (``.venv/bin/kojin ...``: interpreter start,
imports, argument parsing, the command's work on a trivial input, exit), the median of
``--repeat`` runs after one warm-up round, interleaved command by command so that a change in
the machine's load touches all of them alike. Baseline in the same script: ``python -c pass``
with the same interpreter, run the same way; each figure is printed beside the baseline and as
the difference from it.

Two sets of commands:

* every command and command group with ``--help`` (parsing ready, nothing done): what
  ``kojin --help`` and a mistyped option cost;
* real work on trivial input in a ``KOJIN_HOME`` made by ``kojin init`` beforehand:
  ``--version``, ``decide`` on one request, ``policy check`` and ``publish`` of the embedded
  policy, ``settings``, ``ledger due``, ``ledger export``, ``datasets list``, ``audit verify``
  (these open the SQLite registry), ``scan`` of a one-line file, ``anonymize`` of a ten-row CSV.

Targets: ``kojin --help`` within 0.3 s of ``python -c pass``; every command's start-up within
0.6 s of it. The script exits 1 when a target is missed (``--no-check`` only prints).

Run: .venv/bin/python benchmarks/startup.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Whole commands are measured as users run them: with Python's bytecode cache (a shell may turn it
# off with PYTHONDONTWRITEBYTECODE; the children here use it, warmed by a first run).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

HELP_TARGET = 0.3
COMMAND_TARGET = 0.6
ONE_REQUEST = json.dumps(
    {"action": "use", "category": "customer", "purpose": "provide_services"}
).encode()


@dataclass(frozen=True)
class Case:
    label: str
    args: tuple[str, ...]
    stdin: bytes = b""
    target: float = COMMAND_TARGET


def kojin_executable() -> str:
    beside = Path(sys.executable).with_name("kojin")
    found = str(beside) if beside.exists() else shutil.which("kojin")
    if not found:
        raise SystemExit("kojin is not installed next to this Python: run `make install` first")
    return found


def help_cases() -> list[Case]:
    """``--help`` of the root, of every command group and of every command."""
    import typer.main

    from kojin.cli import app

    root = typer.main.get_command(app)
    cases = [Case("kojin --help", ("--help",), target=HELP_TARGET)]

    def walk(command: object, path: tuple[str, ...]) -> None:
        children = getattr(command, "commands", {})
        for name in sorted(children):
            child = children[name]
            if getattr(child, "hidden", False):
                continue
            cases.append(Case(f"kojin {' '.join((*path, name))} --help", (*path, name, "--help")))
            walk(child, (*path, name))

    walk(root, ())
    return cases


def work_cases(folder: Path) -> list[Case]:
    """Real commands on trivial input."""
    text = folder / "note.txt"
    text.write_text("Contact: taro.yamada@example.co.jp, 090-1234-5678\n", encoding="utf-8")
    table = folder / "people.csv"
    rows = ["age,zip,sex,plan"] + [
        f"{20 + i},1{i}3-0001,{'MF'[i % 2]},{('basic', 'premium')[i % 2]}" for i in range(10)
    ]
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = folder / "out"
    out.mkdir()
    return [
        Case("kojin --version", ("--version",), target=HELP_TARGET),
        Case("kojin decide (one request)", ("decide",), stdin=ONE_REQUEST),
        Case("kojin policy check", ("policy", "check")),
        Case("kojin publish --lang ja", ("publish", "--lang", "ja")),
        Case("kojin settings", ("settings",)),
        Case("kojin scan (one line)", ("scan", str(text), "--format", "jsonl")),
        Case(
            "kojin anonymize (10 rows, k=2)",
            (
                "anonymize",
                str(table),
                "--qi-auto",
                "age",
                "--keep",
                "zip",
                "--keep",
                "sex",
                "--keep",
                "plan",
                "--k",
                "2",
                "--output",
                str(out / "anonymized.csv"),
            ),
        ),
        Case("kojin ledger due", ("ledger", "due")),
        Case("kojin ledger export", ("ledger", "export")),
        Case("kojin datasets list", ("datasets", "list")),
        Case("kojin audit verify", ("audit", "verify")),
    ]


def run_once(executable: str, case: Case, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [executable, *case.args],
        input=case.stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{case.label} exited {done.returncode}: {done.stderr.decode(errors='replace')}"
        )
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs per command (median taken)")
    parser.add_argument("--no-check", action="store_true", help="print only; never exit 1")
    options = parser.parse_args()
    executable = kojin_executable()
    folder = Path(tempfile.mkdtemp(prefix="kojin-startup-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KOJIN_")}
        env["KOJIN_HOME"] = str(folder / "home")
        subprocess.run([executable, "init"], env=env, check=True, capture_output=True)
        baseline = Case("python -c pass", ("-c", "pass"))
        cases = [*help_cases(), *work_cases(folder)]
        samples: dict[str, list[float]] = {case.label: [] for case in [baseline, *cases]}
        for case in cases:  # a warm-up round, not counted: the bytecode cache is written
            run_once(executable, case, env)
        for _ in range(options.repeat):  # interleaved: one run of each case per round
            samples[baseline.label].append(run_once(sys.executable, baseline, env))
            for case in cases:
                samples[case.label].append(run_once(executable, case, env))
        python = statistics.median(samples[baseline.label])
        load = os.getloadavg()[0]
        print(f"kojin start-up, median of {options.repeat} runs, load average {load:.1f}")
        print(f"baseline: python -c pass  {python * 1000:7.0f} ms")
        print(f"{'command':<48} {'median':>8} {'- python':>9} {'target':>7}  ok")
        missed = []
        for case in cases:
            median = statistics.median(samples[case.label])
            over = median - python
            ok = over <= case.target
            if not ok:
                missed.append(case.label)
            print(
                f"{case.label:<48} {median * 1000:6.0f}ms {over * 1000:7.0f}ms "
                f"{case.target * 1000:5.0f}ms  {'yes' if ok else 'NO'}"
            )
        slowest = max(cases, key=lambda c: statistics.median(samples[c.label]))
        print(f"slowest: {slowest.label}; targets missed: {len(missed)} of {len(cases)}")
        return 1 if missed and not options.no_check else 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
