"""Property tests: on random small tables the optimal search equals the exhaustive one, and the
vectorized EMD equals the textbook definition (R-AN-1(5))."""

from __future__ import annotations

import numpy as np
import pytest
from deid_checker import emd_equal, emd_hierarchical, emd_ordered
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kojin.deid.choices import LVariant, Metric, TDistance
from kojin.deid.engines.memory import MemoryEngine
from kojin.deid.hierarchy import Hierarchy, hierarchy_from_rows
from kojin.deid.lattice import prepare_problem
from kojin.deid.privacy_models import (
    KAnonymity,
    LDiversity,
    PrivacyModel,
    SensitiveDomain,
    TCloseness,
    emd,
)
from kojin.deid.search import exhaustive_search, optimal_search


def _tree(column: str, leaves: int, fanouts: list[int]) -> Hierarchy:
    rows = []
    for leaf in range(leaves):
        path = [f"{column}{leaf}"]
        group = leaf
        for level, fanout in enumerate(fanouts, start=1):
            group //= fanout
            path.append(f"{column}L{level}G{group}")
        path.append("*")
        rows.append(path)
    return hierarchy_from_rows(column=column, rows=rows, source="test")


MODELS = st.sampled_from(
    [
        (KAnonymity(2),),
        (KAnonymity(3),),
        (KAnonymity(2), LDiversity(2)),
        (LDiversity(2, LVariant.ENTROPY),),
        (LDiversity(2, LVariant.RECURSIVE, 2.0),),
        (KAnonymity(2), TCloseness(0.3)),
        (TCloseness(0.25, TDistance.ORDERED),),
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    rows=st.integers(8, 80),
    models=MODELS,
    metric=st.sampled_from(list(Metric)),
    suppression=st.sampled_from([0.0, 0.05, 0.2]),
)
def test_optimal_equals_exhaustive_on_random_tables(
    seed: int, rows: int, models: tuple[PrivacyModel, ...], metric: Metric, suppression: float
) -> None:
    rng = np.random.default_rng(seed)
    hierarchies = [_tree("a", 6, [2, 3]), _tree("b", 4, [2]), _tree("c", 3, [])]
    codes = [rng.integers(0, len(h.labels[0]), rows).astype(np.int64) for h in hierarchies]
    # skewed codes make some classes rare
    codes[0] = np.minimum(codes[0], rng.integers(0, 6, rows))
    sensitive = rng.integers(0, 4, rows).astype(np.int64)
    counts = np.bincount(sensitive, minlength=4).astype(np.float64)
    domain = SensitiveDomain(
        column="s", labels=("0", "1", "2", "3"), global_freq=counts / counts.sum()
    )
    problem = prepare_problem(
        engine=MemoryEngine(),
        codes=codes,
        hierarchies=hierarchies,
        sensitive_codes=sensitive,
        domain=domain,
        models=models,
        metric=metric,
        suppression=suppression,
    )
    fast, full = optimal_search(problem), exhaustive_search(problem)
    assert (fast.best is None) == (full.best is None)
    if fast.best is not None and full.best is not None:
        assert fast.best.node == full.best.node
        assert fast.best.suppressed == full.best.suppressed


@settings(max_examples=80, deadline=None)
@given(
    histogram=st.lists(st.lists(st.integers(0, 9), min_size=6, max_size=6), min_size=1, max_size=5),
    global_counts=st.lists(st.integers(1, 9), min_size=6, max_size=6),
)
def test_vectorized_emd_equals_the_definition(
    histogram: list[list[int]], global_counts: list[int]
) -> None:
    hist = np.asarray(histogram, dtype=np.int64)
    hist[:, 0] += 1  # no empty class
    g = np.asarray(global_counts, dtype=np.float64)
    tree = _tree("v", 6, [2, 3])
    labels = tree.labels[0]
    domain = SensitiveDomain(
        column="v",
        labels=labels,
        global_freq=g / g.sum(),
        groups=tuple(tree.parents[level] for level in range(1, tree.height + 1)),
    )
    q = {labels[i]: float(domain.global_freq[i]) for i in range(6)}
    paths = {
        labels[i]: [tree.labels[level][tree.parents[level][i]] for level in range(tree.height + 1)]
        for i in range(6)
    }
    for distance in TDistance:
        got = emd(counts=hist, domain=domain, distance=distance)
        for row, value in zip(hist, got, strict=True):
            p = {labels[i]: row[i] / row.sum() for i in range(6)}
            if distance is TDistance.EQUAL:
                want = emd_equal(p, q)
            elif distance is TDistance.ORDERED:
                want = emd_ordered(p, q, list(labels))
            else:
                want = emd_hierarchical(p, q, paths)
            assert value == pytest.approx(want, abs=1e-12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    rows=st.integers(10, 120),
    k=st.integers(1, 6),
    l_value=st.sampled_from([None, 2, 3]),
    t=st.sampled_from([None, 0.3, 0.6]),
    suppression=st.sampled_from([0.0, 0.1]),
)
def test_released_tables_satisfy_the_models(
    seed: int, rows: int, k: int, l_value: int | None, t: float | None, suppression: float
) -> None:
    """End to end on random tables, verified by the independent dict-based checker."""
    import pyarrow as pa
    from deid_checker import distinct_l, max_emd, min_class

    from kojin.deid.anonymize import AnonymizationSpec, QuasiIdentifier, anonymize_table
    from kojin.errors import InputError

    rng = np.random.default_rng(seed)
    hierarchies = {"a": _tree("a", 6, [2, 3]), "b": _tree("b", 4, [2]), "c": _tree("c", 3, [])}
    columns = {
        name: [h.labels[0][i] for i in rng.integers(0, len(h.labels[0]), rows)]
        for name, h in hierarchies.items()
    }
    columns["s"] = [f"s{i}" for i in rng.integers(0, 4, rows)]
    columns["id"] = [f"person-{i}" for i in range(rows)]
    table = pa.table(columns)
    models: list[PrivacyModel] = [KAnonymity(k)]
    if l_value is not None:
        models.append(LDiversity(l_value))
    if t is not None:
        models.append(TCloseness(t))
    spec = AnonymizationSpec(
        quasi_identifiers=tuple(QuasiIdentifier(n, h) for n, h in hierarchies.items()),
        models=tuple(models),
        sensitive="s",
        suppression=suppression,
    )
    top_passes = rows >= k and (l_value is None or len(set(columns["s"])) >= l_value)
    if not top_passes:
        # the fully generalized table is one class that fails: no node can pass
        with pytest.raises(InputError, match=r"no generalization satisfies|impossible"):
            anonymize_table(table=table, spec=spec, engine=MemoryEngine())
        return
    released = anonymize_table(table=table, spec=spec, engine=MemoryEngine())
    out = released.table.to_pylist()
    qis = ["a", "b", "c"]
    assert "id" not in released.table.column_names  # undeclared columns are deleted
    assert len(out) >= rows - int(suppression * rows)
    assert min_class(out, qis) >= k
    if l_value is not None:
        assert distinct_l(out, qis, "s") >= l_value
    if t is not None:
        assert max_emd(out, qis, "s", columns["s"], "equal") <= t + 1e-9
