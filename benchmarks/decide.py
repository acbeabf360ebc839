"""Decisions per second: `kojin.law.decide` on a mixed workload of 10,000 requests, one core.

The policy is the embedded default, compiled once. Requests are validated once up front (as the
CLI and the API do); the figure is then the cost of the decision alone, measured as this process's
CPU time. "cold" starts each round from an empty rendered-decision cache; "warm" is the steady
state of a running service. As a same-process baseline, the script times merely validating the
same 10,000 requests with pydantic.

Run: .venv/bin/python benchmarks/decide.py
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kojin.law import DecisionRequest, Facts, decide
from kojin.policy import load_policy, to_facts

N = 10_000
ROUNDS = 15
FREE_TEXT = "a purpose the policy does not declare"


def workload(rng: random.Random, policy_categories: dict[str, list[str]]) -> list[dict[str, Any]]:
    """A mix of every action, form, relation and exception over the policy's categories."""
    actions = ["use"] * 4 + ["provide"] * 3 + ["acquire", "contact", "store_abroad", "reidentify"]
    forms = ["personal"] * 6 + ["pseudonymized", "anonymized", "person_related"]
    relations = ["third_party"] * 3 + ["entrustee", "joint_user", "successor"]
    countries = ["JP"] * 5 + ["US", "US", "DE", "GB", "CN", "SG"]
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
    categories = sorted(policy_categories)
    bodies: list[dict[str, Any]] = []
    for _ in range(N):
        category = rng.choice(categories)
        purposes = policy_categories[category]
        body: dict[str, Any] = {
            "action": rng.choice(actions),
            "category": category,
            "form": rng.choice(forms),
            "purpose": rng.choice([*purposes, FREE_TEXT]) if rng.random() < 0.9 else None,
            "special_care": rng.random() < 0.1,
            "consent": {
                "given": rng.random() < 0.5,
                "foreign_information_provided": rng.random() < 0.5,
            },
            "consent_difficult": rng.random() < 0.2,
            "acquisition_method": rng.choice(["written_direct", "indirect", "public", None]),
        }
        if rng.random() < 0.8:
            body["recipient"] = {
                "name": "Recipient Co",
                "country": rng.choice(countries),
                "relation": rng.choice(relations),
                "equivalent_measures": rng.random() < 0.2,
                "will_identify": rng.random() < 0.5,
            }
        exception = rng.choice(exceptions)
        if exception is not None:
            body["exception"] = exception
        bodies.append(body)
    return bodies


def timed(fn: Callable[[], object]) -> float:
    """CPU seconds of this process (robust against other processes sharing the cores)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    policy = to_facts(load_policy(None))
    bodies = workload(
        random.Random(20261129),
        {cid: sorted(c.purposes) for cid, c in policy.categories.items()},
    )
    requests = [DecisionRequest.model_validate(b) for b in bodies]
    facts = [Facts.from_request(r) for r in requests]
    pairs = list(zip(requests, facts, strict=True))

    def validate_all() -> None:
        for body in bodies:
            DecisionRequest.model_validate(body)

    def decide_all() -> None:
        for request, known in pairs:
            decide(request, policy, known)

    def facts_and_decide_all() -> None:
        for request in requests:
            decide(request, policy, Facts.from_request(request))

    def cold_decide_all() -> None:
        fresh = replace(policy)  # the same policy facts with an empty explainer
        for request, known in pairs:
            decide(request, fresh, known)

    decisions = [decide(r, policy, f) for r, f in pairs]
    allowed = sum(d.allowed for d in decisions)
    distinct = len({id(d) for d in decisions})
    # interleaved rounds, best of each: a busy neighbour slows all figures alike
    rounds: list[tuple[float, float, float, float]] = []
    for _ in range(ROUNDS):
        validate_t = timed(validate_all)
        cold_t = timed(cold_decide_all)
        warm_t = timed(decide_all)
        facts_t = timed(facts_and_decide_all)
        rounds.append((validate_t, cold_t, warm_t, facts_t))
    validate_s, cold_s, decide_s, facts_s = (min(column) for column in zip(*rounds, strict=True))
    print(f"workload: {N:,} mixed requests ({allowed:,} allowed)")
    print(f"timing:   best of {ROUNDS} interleaved rounds, process CPU time")
    print(f"distinct rendered decisions (shared, frozen): {distinct:,}")
    print(f"baseline  validate requests (pydantic):  {N / validate_s:12,.0f} /s")
    print(f"decide    decisions, cold (empty cache): {N / cold_s:12,.0f} /s")
    print(f"decide    decisions, warm:               {N / decide_s:12,.0f} /s")
    print(f"decide    with Facts.from_request:       {N / facts_s:12,.0f} /s")
    print(f"ratio     warm decide vs validation:     {validate_s / decide_s:12.2f} x")
    print(f"ratio     cold decide vs validation:     {validate_s / cold_s:12.2f} x")


if __name__ == "__main__":
    main()
