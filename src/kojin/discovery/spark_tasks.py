"""What Spark's executors run for a scan: the detectors, built once per Python worker, applied to
the Arrow batches of one split (``DataFrame.mapInArrow``).

Three tasks, each given the batches of one split and returning a few small rows:

- :func:`sample_tallies`: the first rows of the split (its share of the classifier's sample), and
  per column and kind how many of their cells match the kind and pass its validator;
- :func:`cell_counts`: over every row, the cells of each column and those matching each
  candidate kind in full (RE2, vectorised by Arrow) and passing its validator, and the split's
  row count;
- :func:`cell_findings_task`: the findings in the first rows of the split (its share of
  ``--sample``), masked here: only kinds, places, scores and masked values leave the executor.

The functions are handed to Spark with :func:`functools.partial` over picklable arguments, so an
executor imports this module from its own kojin installation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import orjson

from kojin.discovery.detector_catalogue import DetectorRegistry
from kojin.discovery.model import CellLocation, Validator
from kojin.discovery.validators import VALIDATORS

if TYPE_CHECKING:
    import pyarrow as pa

    from kojin.discovery.columns import ColumnClass, ColumnClassifier
    from kojin.discovery.matcher import Re2Matcher

#: What each task returns, as (name, Arrow type name) pairs; Spark's schemas are made from them.
TALLY_FIELDS = (("position", "int32"), ("kind", "string"), ("seen", "int64"), ("ok", "int64"))
COUNT_FIELDS = (
    ("split", "int32"),
    ("position", "int32"),
    ("kind", "string"),
    ("matched", "int64"),
    ("valid", "int64"),
)
FINDING_FIELDS = (
    ("position", "int32"),
    ("row", "int64"),
    ("start", "int32"),
    ("finish", "int32"),
    ("kind", "string"),
    ("score", "float64"),
    ("masked", "string"),
)
_SPARK_TYPES = {"int32": "INT", "int64": "BIGINT", "string": "STRING", "float64": "DOUBLE"}


def spark_schema(fields: Sequence[tuple[str, str]]) -> str:
    """The DDL schema Spark is told a task returns."""
    return ", ".join(f"{name} {_SPARK_TYPES[kind]}" for name, kind in fields)


def _record_batch(rows: list[tuple[Any, ...]], fields: Sequence[tuple[str, str]]) -> pa.RecordBatch:
    import pyarrow as pa

    columns = list(zip(*rows, strict=True)) if rows else [() for _ in fields]
    return pa.RecordBatch.from_arrays(
        [
            pa.array(list(values), type=kind)
            for values, (_, kind) in zip(columns, fields, strict=True)
        ],
        names=[name for name, _ in fields],
    )


#: `position` of the row that carries a split's row count in :func:`cell_counts`' output
ROWS = -1

#: matchers and classifiers built in this process, by :attr:`Detectors.key`
_BUILT: dict[str, tuple[Re2Matcher, ColumnClassifier]] = {}


@dataclass(frozen=True)
class Detectors:
    """The configured detectors as executors receive them: the registry (built-in detectors and
    any ``--detectors`` files) and the thresholds. Executors build the matcher and classifier
    from it once per Python worker (:meth:`build`), not once per task or batch."""

    registry: DetectorRegistry
    min_score: float
    min_confidence: float
    validate_sample: int
    key: str  # a digest of the rest: the cache key in executors

    @classmethod
    def of(cls, matcher: Re2Matcher, classifier: ColumnClassifier) -> Detectors:
        """The detectors of a driver's matcher and classifier."""
        settings = (matcher.min_score, classifier.min_confidence, classifier.validate_sample)
        specs = [spec.model_dump(mode="json") for spec in matcher.registry]
        key = hashlib.sha256(orjson.dumps([specs, *settings])).hexdigest()
        return cls(matcher.registry, *settings, key=key)

    def build(self) -> tuple[Re2Matcher, ColumnClassifier]:
        """The matcher and classifier, compiled on first use in this process."""
        built = _BUILT.get(self.key)
        if built is None:
            from kojin.discovery.columns import ColumnClassifier
            from kojin.discovery.matcher import Re2Matcher

            built = (
                Re2Matcher(self.registry, min_score=self.min_score),
                ColumnClassifier(
                    self.registry,
                    min_confidence=self.min_confidence,
                    validate_sample=self.validate_sample,
                ),
            )
            _BUILT[self.key] = built
        return built


def _split() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    assert context is not None  # called inside a task
    return context.partitionId()


def _first_rows(batches: Iterator[pa.RecordBatch], limit: int | None) -> Iterator[pa.RecordBatch]:
    """The batches holding the first `limit` rows (every row for None); reading stops there."""
    taken = 0
    for batch in batches:
        if limit is not None:
            if taken >= limit:
                return
            batch = batch.slice(0, limit - taken)
        taken += batch.num_rows
        yield batch


def sample_tallies(
    batches: Iterator[pa.RecordBatch], *, detectors: Detectors, quotas: Sequence[int]
) -> Iterator[pa.RecordBatch]:
    """Per column (by position) and kind: cells of the split's first rows (its quota) matching
    the kind in full, and how many of those are valid."""
    import pyarrow as pa

    quota = quotas[_split()]
    if quota == 0:
        return
    rows = list(_first_rows(batches, quota))
    if not rows:
        return
    _, classifier = detectors.build()
    table = pa.Table.from_batches(rows)
    out = [
        (position, kind, seen, ok)
        for position, name in enumerate(table.column_names)
        for kind, (seen, ok) in classifier.sample_tallies(
            name, table.column(position).to_pylist()
        ).items()
    ]
    yield _record_batch(out, TALLY_FIELDS)


def _full_matches(values: pa.Array, regex: str, compiled: Any) -> pa.Array:
    """Whether each value matches `regex` in full: RE2 inside Arrow, or the compiled RE2 of the
    classifier cell by cell where Arrow's RE2 refuses the pattern (a very large union)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.match_substring_regex(values, f"^(?:{regex})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array(
            [None if v is None else compiled.fullmatch(v.encode()) is not None for v in values],
            pa.bool_(),
        )


def _count_true(mask: pa.Array) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(mask).as_py() or 0)


@dataclass
class _Counts:
    """The running counts of one split."""

    rows: int = 0
    cells: dict[int, int] = field(default_factory=dict)
    matched: dict[tuple[int, str], int] = field(default_factory=dict)
    valid: dict[tuple[int, str], int] = field(default_factory=dict)

    def add(self, place: tuple[int, str], matched: int, valid: int) -> None:
        self.matched[place] = self.matched.get(place, 0) + matched
        self.valid[place] = self.valid.get(place, 0) + valid


def cell_counts(
    batches: Iterator[pa.RecordBatch],
    *,
    detectors: Detectors,
    candidates: Sequence[Sequence[str]],
    empty_is_null: bool,
) -> Iterator[pa.RecordBatch]:
    """Over every row of the split: per column, the cells (not null; with `empty_is_null`, not
    empty either), the cells whose value (spaces trimmed, as DuckDB's ``trim``) matches each of
    the column's `candidates` kinds in full and how many of those pass the kind's validator; and
    the split's row count."""
    import pyarrow.compute as pc

    _, classifier = detectors.build()
    names: list[str] | None = None
    rules: list[list[Any]] = []
    counts = _Counts()
    for batch in batches:
        if names is None:
            names = batch.schema.names
            rules = [
                [r for r in classifier.rules_for(name) if r.spec.kind in kinds]
                for name, kinds in zip(names, candidates, strict=True)
            ]
        counts.rows += batch.num_rows
        for position, column in enumerate(batch.columns):
            present = pc.is_valid(column)
            if empty_is_null:
                present = pc.and_(present, pc.not_equal(column, ""))
            counts.cells[position] = counts.cells.get(position, 0) + _count_true(present)
            if not rules[position]:
                continue
            values = pc.if_else(present, pc.utf8_trim(column, " "), None)
            for rule in rules[position]:
                mask = _full_matches(values, rule.regex, rule.full)
                matched = _count_true(mask)
                valid = matched
                if matched and rule.spec.validator is not Validator.NONE:
                    validate = VALIDATORS[rule.spec.validator]
                    found = [v.encode() for v in pc.filter(values, mask).to_pylist()]
                    verdicts = {value: validate(value) for value in dict.fromkeys(found)}
                    valid = sum(map(verdicts.__getitem__, found))
                counts.add((position, rule.spec.kind), matched, valid)
    split = _split()
    out: list[tuple[Any, ...]] = [(split, ROWS, None, counts.rows, 0)]
    out += [(split, position, None, cells, 0) for position, cells in counts.cells.items()]
    out += [
        (split, position, kind, matched, counts.valid[(position, kind)])
        for (position, kind), matched in counts.matched.items()
    ]
    yield _record_batch(out, COUNT_FIELDS)


def cell_findings_task(
    batches: Iterator[pa.RecordBatch],
    *,
    detectors: Detectors,
    classes: Sequence[ColumnClass],
    quotas: Sequence[int] | None,
    offsets: Sequence[int],
) -> Iterator[pa.RecordBatch]:
    """The findings in the split's first rows (its quota; every row when `quotas` is None): every
    valid cell of a classified column, personal data inside the free text of the others. Rows
    are numbered from 1 over the whole input (`offsets`: the rows of the splits before each)."""
    import pyarrow as pa

    from kojin.discovery.cell_scan import cell_findings

    split = _split()
    limit = None if quotas is None else quotas[split]
    if limit == 0:
        return
    matcher, classifier = detectors.build()
    first = offsets[split] + 1
    for batch in _first_rows(batches, limit):
        table = pa.Table.from_batches([batch])
        keys = [str(row) for row in range(first, first + batch.num_rows)]
        first += batch.num_rows
        positions = {name: at for at, name in enumerate(table.column_names)}
        out: list[tuple[Any, ...]] = []
        for found in cell_findings(
            table=table,
            name="",
            row_keys=keys,
            classes=classes,
            matcher=matcher,
            classifier=classifier,
        ):
            place = cast(CellLocation, found.location)
            out.append(
                (
                    positions[place.column],
                    int(place.row_key),
                    place.start,
                    place.end,
                    found.kind,
                    found.score,
                    found.masked,
                )
            )
        if out:
            yield _record_batch(out, FINDING_FIELDS)
