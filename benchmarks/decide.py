"""Decisions per second, in the two settings a user meets. Each figure says what it includes.

(a) The whole command: ``kojin decide < requests.jsonl > decisions.jsonl`` on 100,000 JSON lines
    as a fresh process (interpreter, imports, the embedded policy loaded and compiled, every line
    parsed, validated, decided, rendered and written to a file), minus the same command on one
    line: decisions/s with start-up subtracted. The one-line run is the cold figure: a new process
    with nothing cached. Wall time and the child's CPU time (user + system), best of R
    interleaved runs.
(b) In process, as a service calls ``kojin.law.decide``: requests already validated, ``Facts``
    built per request, over a mix of more than 1,000 distinct category/purpose/recipient
    combinations. "cold" gives every round a fresh explainer (a newly compiled policy: each
    distinct decision is rendered once in the round); "warm" keeps one (a running service).
    Baseline in the same process: validating the same requests with pydantic
    (``DecisionRequest.model_validate``). This process's CPU time and wall time, best of R
    interleaved rounds; the cyclic garbage collector runs as in a service.

Run: .venv/bin/python benchmarks/decide.py [--lines 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from kojin.law import DecisionRequest, Facts, PolicyFacts, decide
from kojin.policy import load_policy, to_facts

# Whole commands are measured as users run them: with Python's bytecode cache (a shell may turn it
# off with PYTHONDONTWRITEBYTECODE; the children here use it, warmed by a first run).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

IN_PROCESS_REQUESTS = 10_000
FREE_TEXT = "a purpose the policy does not declare"
#: Japan most often, then 38 other countries: with the categories, purposes and relations more
#: than 1,000 distinct combinations
COUNTRIES = ["JP"] * 8 + [
    "US", "DE", "GB", "CN", "SG", "FR", "IT", "ES", "NL", "BE", "SE", "NO", "FI", "DK", "PL", "CZ",
    "AT", "CH", "IE", "PT", "GR", "KR", "TW", "HK", "TH", "VN", "PH", "MY", "ID", "IN", "AU", "NZ",
    "CA", "MX", "BR", "AR", "CL", "ZA",
]  # fmt: skip


def workload(rng: random.Random, n: int, purposes: dict[str, list[str]]) -> list[dict[str, Any]]:
    """A mix of every action, form, relation and exception over the policy's categories."""
    actions = ["use"] * 4 + ["provide"] * 3 + ["acquire", "contact", "store_abroad", "reidentify"]
    forms = ["personal"] * 6 + ["pseudonymized", "anonymized", "person_related"]
    relations = ["third_party"] * 3 + ["entrustee", "joint_user", "successor"]
    exceptions = [None] * 12 + [
        "law",
        "life_body_property",
        "public_health_children",
        "government_cooperation",
        "academic_publication",
        "academic_joint_research",
        "academic_institution_research",
        "mna_19",
    ]
    categories = sorted(purposes)
    bodies: list[dict[str, Any]] = []
    for _ in range(n):
        category = rng.choice(categories)
        body: dict[str, Any] = {
            "action": rng.choice(actions),
            "category": category,
            "form": rng.choice(forms),
            "purpose": rng.choice([*purposes[category], FREE_TEXT]) if rng.random() < 0.9 else None,
            "special_care": rng.random() < 0.1,
            "consent": {
                "given": rng.random() < 0.5,
                "foreign_information_provided": rng.random() < 0.5,
            },
            "consent_difficult": rng.random() < 0.2,
            "acquisition_method": rng.choice(["written_direct", "indirect", "public", None]),
        }
        # provision and storage must name where the data goes; other actions sometimes do
        if body["action"] in ("provide", "store_abroad") or rng.random() < 0.8:
            body["recipient"] = {
                "name": "Recipient Co",
                "country": rng.choice(COUNTRIES),
                "relation": rng.choice(relations),
                "equivalent_measures": rng.random() < 0.2,
                "will_identify": rng.random() < 0.5,
                "group_company": rng.random() < 0.1,
            }
        exception = rng.choice(exceptions)
        if exception is not None:
            body["exception"] = exception
        if exception == "mna_19" and rng.random() < 0.8:
            body["mna_19_item"] = rng.choice(["1", "2", "3", "4", "6", "13", "15", "16", "17"])
        bodies.append(body)
    return bodies


def combinations(bodies: list[dict[str, Any]]) -> int:
    """Distinct (category, purpose, recipient country and relation) combinations."""
    return len(
        {(b["category"], b["purpose"], str(sorted(b.get("recipient", {}).items()))) for b in bodies}
    )


# --- (a) the whole command --------------------------------------------------------------------


def kojin_command() -> list[str]:
    script = Path(sys.executable).with_name("kojin")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kojin.cli"]


def run_command(command: list[str], stdin: Path, stdout: Path) -> tuple[float, float]:
    """Wall seconds and the child's CPU seconds (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with stdin.open("rb") as source, stdout.open("wb") as sink:
        subprocess.run([*command, "decide"], stdin=source, stdout=sink, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def whole_command(bodies: list[dict[str, Any]], rounds: int) -> None:
    command = kojin_command()
    env_policy = os.environ.get("KOJIN_POLICY_FILE")
    with tempfile.TemporaryDirectory() as folder:
        lines, one, out = (
            Path(folder, "requests.jsonl"),
            Path(folder, "one.json"),
            Path(folder, "out"),
        )
        lines.write_bytes(b"".join(orjson.dumps(b) + b"\n" for b in bodies))
        one.write_bytes(orjson.dumps(bodies[0]) + b"\n")
        many_runs: list[tuple[float, float]] = []
        one_runs: list[tuple[float, float]] = []
        for round_number in range(rounds):
            many_runs.append(run_command(command, lines, out))
            if round_number == 0:
                written = out.read_bytes().count(b"\n")
                assert written == len(bodies), f"{written} decisions for {len(bodies)} requests"
            one_runs.append(run_command(command, one, out))
    many_wall, many_cpu = (min(column) for column in zip(*many_runs, strict=True))
    one_wall, one_cpu = (min(column) for column in zip(*one_runs, strict=True))
    n = len(bodies)
    print(f"(a) whole command: {' '.join(command)} decide < JSON lines > file")
    print(f"    policy: {env_policy or 'the embedded default'}; best of {rounds} interleaved runs")
    print(f"    {n:,} lines:   wall {many_wall:6.2f} s   CPU {many_cpu:6.2f} s")
    print(f"    one line (cold start-up):  wall {one_wall:6.2f} s   CPU {one_cpu:6.2f} s")
    print(
        f"    decisions/s, start-up subtracted: wall {n / (many_wall - one_wall):10,.0f} /s"
        f"   CPU {n / (many_cpu - one_cpu):10,.0f} /s"
    )


# --- (b) in process ---------------------------------------------------------------------------


@contextmanager
def measured(into: list[tuple[float, float]]) -> Iterator[None]:
    """Appends (CPU seconds of this process, wall seconds)."""
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    into.append((time.process_time() - cpu, time.perf_counter() - wall))


def in_process(policy: PolicyFacts, bodies: list[dict[str, Any]], rounds: int) -> None:
    requests = [DecisionRequest.model_validate(b) for b in bodies]
    warm_policy = replace(policy)
    rendered = replace(policy)
    for request in requests:
        decide(request, rendered, Facts.from_request(request))

    def validate_all() -> None:
        for body in bodies:
            DecisionRequest.model_validate(body)

    def decide_all(under: PolicyFacts) -> None:
        for request in requests:
            decide(request, under, Facts.from_request(request))

    figures: dict[str, list[tuple[float, float]]] = {"validate": [], "cold": [], "warm": []}
    steps: list[tuple[str, Callable[[], None]]] = [
        ("validate", validate_all),
        ("cold", lambda: decide_all(replace(policy))),  # a fresh explainer every round
        ("warm", lambda: decide_all(warm_policy)),
    ]
    for _ in range(rounds):
        for name, step in steps:
            with measured(figures[name]):
                step()
    best = {name: tuple(min(c) for c in zip(*runs, strict=True)) for name, runs in figures.items()}
    n = len(requests)
    base_cpu = best["validate"][0]
    print(
        f"(b) in process: {n:,} requests, {combinations(bodies):,} distinct category/purpose/"
        f"recipient combinations, {len(rendered.explainer):,} distinct decisions"
    )
    print(f"    best of {rounds} interleaved rounds; CPU time of this process (wall in brackets)")
    labels = {
        "validate": "baseline  validate with pydantic         ",
        "cold": "decide    Facts per request, cold explainer",
        "warm": "decide    Facts per request, warm explainer",
    }
    for name, label in labels.items():
        cpu, wall = best[name]
        ratio = "" if name == "validate" else f"   {base_cpu / cpu:5.2f} x baseline"
        print(f"    {label} {n / cpu:10,.0f} /s  ({n / wall:10,.0f} /s){ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=100_000, help="JSON lines for (a)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved runs per figure")
    args = parser.parse_args()
    policy = to_facts(load_policy(None))
    purposes = {cid: sorted(c.purposes) for cid, c in policy.categories.items()}
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    sample = workload(random.Random(20261201), IN_PROCESS_REQUESTS, purposes)
    assert combinations(sample) > 1_000, combinations(sample)
    in_process(policy, sample, rounds=3 * args.rounds)
    whole_command(workload(random.Random(20261202), args.lines, purposes), args.rounds)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
