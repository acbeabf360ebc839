"""An independent checker of privacy models over plain Python rows (no kojin.deid code).

Used by the tests to verify released tables; written from the textbook definitions.
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from pathlib import Path


def read_rows(path: Path, delimiter: str = ";") -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def read_hierarchy(path: Path) -> dict[str, list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row[0]: row for row in csv.reader(handle, delimiter=";") if row}


def classes(
    rows: list[dict[str, str]], qis: list[str], sensitive: str | None
) -> dict[tuple[str, ...], list[str]]:
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[q] for q in qis)].append(row[sensitive] if sensitive else "")
    return groups


def min_class(rows: list[dict[str, str]], qis: list[str]) -> int:
    return min(len(v) for v in classes(rows, qis, None).values())


def distinct_l(rows: list[dict[str, str]], qis: list[str], sensitive: str) -> int:
    return min(len(set(v)) for v in classes(rows, qis, sensitive).values())


def entropy_l(rows: list[dict[str, str]], qis: list[str], sensitive: str) -> float:
    worst = math.inf
    for values in classes(rows, qis, sensitive).values():
        n = len(values)
        h = -sum(c / n * math.log(c / n) for c in Counter(values).values())
        worst = min(worst, math.exp(h))
    return worst


def recursive_ok(
    rows: list[dict[str, str]], qis: list[str], sensitive: str, c: float, l_value: int
) -> bool:
    for values in classes(rows, qis, sensitive).values():
        counts = sorted(Counter(values).values(), reverse=True)
        if len(counts) < l_value or not counts[0] < c * sum(counts[l_value - 1 :]):
            return False
    return True


def emd_equal(p: dict[str, float], q: dict[str, float]) -> float:
    keys = set(p) | set(q)
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in keys)


def emd_ordered(p: dict[str, float], q: dict[str, float], order: list[str]) -> float:
    total, running = 0.0, 0.0
    for value in order:
        running += p.get(value, 0.0) - q.get(value, 0.0)
        total += abs(running)
    return total / (len(order) - 1) if len(order) > 1 else 0.0


def emd_hierarchical(p: dict[str, float], q: dict[str, float], tree: dict[str, list[str]]) -> float:
    """Li et al.: sum over inner nodes of height/H * min(positive, negative extra of children)."""
    height = len(next(iter(tree.values()))) - 1
    extra = {value: p.get(value, 0.0) - q.get(value, 0.0) for value in tree}
    nodes: dict[tuple[int, str], float] = {(0, v): e for v, e in extra.items()}
    total = 0.0
    for level in range(1, height + 1):
        children: dict[str, list[float]] = defaultdict(list)
        seen: set[str] = set()
        for _value, path in tree.items():
            child = path[level - 1]
            if child in seen:
                continue
            seen.add(child)
            children[path[level]].append(nodes[(level - 1, child)])
        for parent, extras in children.items():
            positive = sum(e for e in extras if e > 0)
            negative = -sum(e for e in extras if e < 0)
            total += level / height * min(positive, negative)
            nodes[(level, parent)] = sum(extras)
    return total


def distribution(values: list[str]) -> dict[str, float]:
    n = len(values)
    return {value: count / n for value, count in Counter(values).items()}


def max_emd(
    rows: list[dict[str, str]],
    qis: list[str],
    sensitive: str,
    global_values: list[str],
    distance: str,
    tree: dict[str, list[str]] | None = None,
) -> float:
    q = distribution(global_values)
    order = sorted(set(global_values), key=float) if distance == "ordered" else []
    worst = 0.0
    for values in classes(rows, qis, sensitive).values():
        p = distribution(values)
        if distance == "equal":
            d = emd_equal(p, q)
        elif distance == "ordered":
            d = emd_ordered(p, q, order)
        else:
            assert tree is not None
            d = emd_hierarchical(p, q, tree)
        worst = max(worst, d)
    return worst
