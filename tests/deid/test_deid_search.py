"""The optimal lattice search finds the exhaustive search's node, and releases satisfy the models.

R-AN-1(4)-(5): generalization and suppression until every model holds; checked independently.
"""

from __future__ import annotations

import math
from collections import Counter

import pyarrow as pa
import pytest
from deid_checker import (
    distinct_l,
    entropy_l,
    max_emd,
    min_class,
    read_hierarchy,
    recursive_ok,
)
from deid_data import ADULT_DIR, ADULT_QIS, adult_hierarchy

from kojin.deid.anonymize import AnonymizationSpec, QuasiIdentifier, anonymize_table
from kojin.deid.choices import LVariant, Metric, TDistance
from kojin.deid.column_codes import encode_column, encode_sensitive
from kojin.deid.engines.memory import MemoryEngine
from kojin.deid.hierarchy import load_hierarchy_csv
from kojin.deid.lattice import LatticeProblem, prepare_problem
from kojin.deid.privacy_models import KAnonymity, LDiversity, PrivacyModel, TCloseness
from kojin.deid.search import exhaustive_search, optimal_search

FIVE = ("age", "education", "marital-status", "race", "sex")


def _problem(
    table: pa.Table,
    qis: tuple[str, ...],
    models: list[PrivacyModel],
    *,
    metric: Metric,
    suppression: float,
    sensitive: str | None = "occupation",
    tree: bool = False,
) -> LatticeProblem:
    hierarchies = [adult_hierarchy(q) for q in qis]
    codes = [
        encode_column(table=table, column=q, hierarchy=h)
        for q, h in zip(qis, hierarchies, strict=True)
    ]
    sens = None
    if sensitive is not None:
        h = adult_hierarchy(sensitive) if tree else None
        sens = encode_sensitive(table=table, column=sensitive, hierarchy=h)
    return prepare_problem(
        engine=MemoryEngine(),
        codes=codes,
        hierarchies=hierarchies,
        sensitive_codes=sens.codes if sens else None,
        domain=sens.domain if sens else None,
        models=models,
        metric=metric,
        suppression=suppression,
    )


CASES = [
    ("k5-loss", [KAnonymity(5)], Metric.LOSS, 0.0),
    ("k10-entropy", [KAnonymity(10)], Metric.ENTROPY, 0.0),
    ("k5-precision-supp", [KAnonymity(5)], Metric.PRECISION, 0.02),
    ("k3-entropy-supp", [KAnonymity(3)], Metric.ENTROPY, 0.05),
    ("distinct-l3", [KAnonymity(2), LDiversity(3)], Metric.LOSS, 0.0),
    ("entropy-l2-supp", [LDiversity(2, LVariant.ENTROPY)], Metric.LOSS, 0.03),
    ("recursive", [LDiversity(2, LVariant.RECURSIVE, 3.0)], Metric.ENTROPY, 0.0),
    ("t-equal", [TCloseness(0.3)], Metric.LOSS, 0.0),
    ("t-equal-supp", [KAnonymity(2), TCloseness(0.25)], Metric.PRECISION, 0.04),
]


@pytest.mark.parametrize(
    ("name", "models", "metric", "suppression"), CASES, ids=[c[0] for c in CASES]
)
def test_optimal_matches_exhaustive_on_adult_subset(
    adult_subset: pa.Table,
    name: str,
    models: list[PrivacyModel],
    metric: Metric,
    suppression: float,
) -> None:
    problem = _problem(adult_subset, FIVE, models, metric=metric, suppression=suppression)
    fast = optimal_search(problem)
    full = exhaustive_search(problem)
    assert full.best is not None
    assert fast.best is not None
    assert fast.best.node == full.best.node
    assert fast.best.loss == pytest.approx(full.best.loss)
    assert fast.checked < full.checked


def test_optimal_matches_exhaustive_adult_eight_qis_k5(adult: pa.Table) -> None:
    """The issue's figure: Adult, 8 quasi-identifiers, k=5, no suppression (4,320 nodes)."""
    problem = _problem(
        adult, ADULT_QIS, [KAnonymity(5)], metric=Metric.LOSS, suppression=0.0, sensitive=None
    )
    fast = optimal_search(problem)
    full = exhaustive_search(problem)
    assert problem.size == 4320
    assert fast.best is not None
    assert full.best is not None
    assert fast.best.node == full.best.node
    assert fast.checked < 400


def test_hierarchical_t_closeness_matches_exhaustive(adult_subset: pa.Table) -> None:
    problem = _problem(
        adult_subset,
        FIVE,
        [TCloseness(0.2, TDistance.HIERARCHICAL)],
        metric=Metric.LOSS,
        suppression=0.0,
        tree=True,
    )
    fast, full = optimal_search(problem), exhaustive_search(problem)
    assert fast.best is not None
    assert full.best is not None
    assert fast.best.node == full.best.node


def _anonymize(table: pa.Table, spec: AnonymizationSpec) -> list[dict[str, str]]:
    released = anonymize_table(table=table, spec=spec, engine=MemoryEngine())
    rows: list[dict[str, str]] = released.table.to_pylist()
    assert len(rows) == released.result.records_out
    assert released.result.records_in - released.result.records_out == released.result.suppressed
    assert released.result.suppressed <= released.result.suppression_limit
    return rows


def _generalized_input(table: pa.Table, levels: dict[str, int]) -> Counter[tuple[str, ...]]:
    trees = {q: read_hierarchy(ADULT_DIR / f"adult_hierarchy_{q}.csv") for q in levels}
    return Counter(tuple(trees[q][row[q]][levels[q]] for q in levels) for row in table.to_pylist())


@pytest.mark.parametrize("suppression", [0.0, 0.05])
def test_release_satisfies_every_model_checked_independently(
    adult_subset: pa.Table, suppression: float
) -> None:
    spec = AnonymizationSpec(
        quasi_identifiers=tuple(QuasiIdentifier(q, adult_hierarchy(q)) for q in FIVE),
        models=(
            KAnonymity(4),
            LDiversity(2),
            LDiversity(2, LVariant.ENTROPY),
            LDiversity(2, LVariant.RECURSIVE, 4.0),
            TCloseness(0.35),
        ),
        sensitive="occupation",
        metric=Metric.ENTROPY,
        suppression=suppression,
    )
    released = anonymize_table(table=adult_subset, spec=spec, engine=MemoryEngine())
    rows = released.table.to_pylist()
    qis = list(FIVE)
    assert min_class(rows, qis) >= 4
    assert distinct_l(rows, qis, "occupation") >= 2
    assert entropy_l(rows, qis, "occupation") >= 2 - 1e-9
    assert recursive_ok(rows, qis, "occupation", 4.0, 2)
    everyone = [r["occupation"] for r in adult_subset.to_pylist()]
    assert max_emd(rows, qis, "occupation", everyone, "equal") <= 0.35 + 1e-9
    # every released row is a generalization of an input row at the reported levels
    levels = released.result.levels
    expected = _generalized_input(adult_subset, levels)
    got = Counter(tuple(row[q] for q in levels) for row in rows)
    assert not got - expected
    assert sum((expected - got).values()) == released.result.suppressed
    # columns that were neither quasi-identifiers nor sensitive are deleted (R-AN-1(1)-(3))
    assert set(released.table.column_names) == {*FIVE, "occupation"}
    assert released.result.risk_after.smallest_class == min_class(rows, qis)


def test_ordered_t_closeness_release(adult_subset: pa.Table) -> None:
    qis = ("education", "marital-status", "race", "sex", "workclass")
    spec = AnonymizationSpec(
        quasi_identifiers=tuple(QuasiIdentifier(q, adult_hierarchy(q)) for q in qis),
        models=(TCloseness(0.15, TDistance.ORDERED),),
        sensitive="age",
    )
    rows = _anonymize(adult_subset, spec)
    everyone = [r["age"] for r in adult_subset.to_pylist()]
    assert max_emd(rows, list(qis), "age", everyone, "ordered") <= 0.15 + 1e-9


def test_hierarchical_t_closeness_release(adult_subset: pa.Table) -> None:
    tree_file = ADULT_DIR / "adult_hierarchy_occupation.csv"
    spec = AnonymizationSpec(
        quasi_identifiers=tuple(QuasiIdentifier(q, adult_hierarchy(q)) for q in FIVE),
        models=(TCloseness(0.1, TDistance.HIERARCHICAL),),
        sensitive="occupation",
        sensitive_hierarchy=load_hierarchy_csv(column="occupation", path=tree_file),
    )
    rows = _anonymize(adult_subset, spec)
    everyone = [r["occupation"] for r in adult_subset.to_pylist()]
    worst = max_emd(
        rows, list(FIVE), "occupation", everyone, "hierarchical", read_hierarchy(tree_file)
    )
    assert worst <= 0.1 + 1e-9


def test_loss_metric_values_follow_the_documented_formula(adult_subset: pa.Table) -> None:
    """Loss of the chosen node recomputed by hand from the hierarchies (docs/deid.md)."""
    spec = AnonymizationSpec(
        quasi_identifiers=tuple(QuasiIdentifier(q, adult_hierarchy(q)) for q in FIVE),
        models=(KAnonymity(3),),
        metric=Metric.LOSS,
    )
    released = anonymize_table(table=adult_subset, spec=spec, engine=MemoryEngine())
    total = 0.0
    for q, level in released.result.levels.items():
        tree = read_hierarchy(ADULT_DIR / f"adult_hierarchy_{q}.csv")
        under = Counter(path[level] for path in tree.values())
        for row in adult_subset.to_pylist():
            total += (under[tree[row[q]][level]] - 1) / (len(tree) - 1)
    assert released.result.metric_value == pytest.approx(
        total / (len(FIVE) * adult_subset.num_rows)
    )


def test_entropy_metric_value_follows_the_documented_formula(adult_subset: pa.Table) -> None:
    spec = AnonymizationSpec(
        quasi_identifiers=tuple(QuasiIdentifier(q, adult_hierarchy(q)) for q in FIVE),
        models=(KAnonymity(3),),
        metric=Metric.ENTROPY,
        suppression=0.03,
    )
    released = anonymize_table(table=adult_subset, spec=spec, engine=MemoryEngine())
    rows = adult_subset.to_pylist()
    kept = Counter(tuple(r[q] for q in FIVE) for r in released.table.to_pylist())
    levels = released.result.levels
    trees = {q: read_hierarchy(ADULT_DIR / f"adult_hierarchy_{q}.csv") for q in FIVE}
    original = {q: Counter(r[q] for r in rows) for q in FIVE}
    general = {q: Counter(trees[q][r[q]][levels[q]] for r in rows) for q in FIVE}
    total = 0.0
    for r in rows:
        key = tuple(trees[q][r[q]][levels[q]] for q in FIVE)
        suppressed = kept[key] == 0  # classes are suppressed whole
        for q in FIVE:
            denominator = len(rows) if suppressed else general[q][trees[q][r[q]][levels[q]]]
            total += -math.log2(original[q][r[q]] / denominator)
    assert released.result.metric_value == pytest.approx(total)
