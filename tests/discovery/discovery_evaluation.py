"""Precision and recall of findings against a labeled corpus, per kind (test support)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from discovery_corpus import LabeledSpan

from kojin.discovery.model import Finding, TextLocation


@dataclass(frozen=True, slots=True)
class KindScore:
    kind: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def _key(kind: str, line: int) -> tuple[str, int]:
    return kind, line


def evaluate(
    *,
    spans: Iterable[LabeledSpan],
    findings: Iterable[Finding],
    exact_kinds: Collection[str] = (),
) -> dict[str, KindScore]:
    """Score findings per kind: a finding is correct when a labeled span of its kind on its line
    has exactly its extent (kinds in `exact_kinds`) or overlaps it (other kinds)."""
    gold: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for span in spans:
        gold[_key(span.kind, span.line)].append((span.column, span.column + span.length))
    matched: set[tuple[str, int, int]] = set()
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    for finding in findings:
        loc = finding.location
        if not isinstance(loc, TextLocation):
            continue
        start, end = loc.column, loc.column + loc.length
        hit = None
        for g_start, g_end in gold.get(_key(finding.kind, loc.line), ()):
            if (finding.kind, loc.line, g_start) in matched:
                continue
            exact = (g_start, g_end) == (start, end)
            if exact or (finding.kind not in exact_kinds and start < g_end and g_start < end):
                hit = g_start
                break
        if hit is None:
            fp[finding.kind] += 1
        else:
            matched.add((finding.kind, loc.line, hit))
            tp[finding.kind] += 1
    total: dict[str, int] = defaultdict(int)
    for (kind, _line), extents in gold.items():
        total[kind] += len(extents)
    kinds = sorted(set(total) | set(fp))
    return {kind: KindScore(kind, tp[kind], fp[kind], total[kind] - tp[kind]) for kind in kinds}


def render_table(scores: dict[str, KindScore]) -> str:
    """A plain-text per-kind table (printed by the accuracy tests)."""
    lines = [f"{'kind':<26}{'tp':>7}{'fp':>6}{'fn':>6}{'precision':>11}{'recall':>8}"]
    for score in scores.values():
        lines.append(
            f"{score.kind:<26}{score.true_positives:>7}{score.false_positives:>6}"
            f"{score.false_negatives:>6}{score.precision:>11.4f}{score.recall:>8.4f}"
        )
    return "\n".join(lines)
