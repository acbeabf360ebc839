"""Creating anonymized information (APPI Art. 43; R-AN-1..R-AN-4).

Full-domain generalization of the quasi-identifiers with record suppression up to a limit, chosen
by an optimal lattice search under the requested privacy models. Columns that are neither
quasi-identifiers, the sensitive column nor explicitly kept are deleted (R-AN-1(1)-(3):
identifying descriptions, identification codes and linking codes do not reach the output).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from kojin.deid.auto_hierarchy import OutlierCoding, apply_outlier_coding, auto_hierarchy
from kojin.deid.choices import LVariant, Metric, SearchMethod
from kojin.deid.column_codes import (
    column_strings,
    encode_column,
    encode_sensitive,
    label_strings,
)
from kojin.deid.engines.base import Engine
from kojin.deid.equivalence_classes import combine_keys
from kojin.deid.hierarchy import Hierarchy
from kojin.deid.lattice import LatticeProblem, NodeResult, prepare_problem
from kojin.deid.privacy_models import LDiversity, PrivacyModel
from kojin.deid.reidentification_risk import risk_report
from kojin.deid.results import (
    AnonymizationResult,
    ItemTreatment,
    RiskReport,
    SearchSummary,
    Treatment,
)
from kojin.deid.search import Progress, SearchOutcome, search
from kojin.deid.table_source import unknown_column
from kojin.errors import InputError

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class QuasiIdentifier:
    """A quasi-identifier and its hierarchy (None: kojin builds one from the values)."""

    column: str
    hierarchy: Hierarchy | None = None
    coding: OutlierCoding | None = None


@dataclass(frozen=True)
class AnonymizationSpec:
    quasi_identifiers: tuple[QuasiIdentifier, ...]
    models: tuple[PrivacyModel, ...]
    sensitive: str | None = None
    sensitive_hierarchy: Hierarchy | None = None
    keep: tuple[str, ...] = ()
    metric: Metric = Metric.LOSS
    suppression: float = 0.0
    sampling_fraction: float = 1.0

    @property
    def coded_columns(self) -> tuple[str, ...]:
        """Quasi-identifiers used as read (a hierarchy given, no outlier coding): an input may
        deliver them dictionary-encoded."""
        return tuple(
            qi.column
            for qi in self.quasi_identifiers
            if qi.hierarchy is not None and qi.coding is None
        )


@dataclass(frozen=True)
class Anonymized:
    """The release and what it is; ``source_rows`` gives, for each row of the release, the
    (0-based) input row it comes from (records of failing classes are suppressed)."""

    result: AnonymizationResult
    table: pa.Table
    source_rows: IntArray | None = None


def check_spec(columns: Sequence[str], spec: AnonymizationSpec) -> None:
    """The spec names a quasi-identifier and a model, each column once, and only `columns`."""
    if not spec.quasi_identifiers:
        raise InputError("name at least one quasi-identifier (--qi or --qi-auto)", field="qi")
    if not spec.models:
        raise InputError("name at least one privacy model (--k, --l or --t)")
    seen: set[str] = set()
    for qi in spec.quasi_identifiers:
        if qi.column in seen:
            raise InputError(
                f"column {qi.column!r} is named twice as a quasi-identifier", field=qi.column
            )
        seen.add(qi.column)
    roles = [*(qi.column for qi in spec.quasi_identifiers), *spec.keep]
    if spec.sensitive is not None:
        roles.append(spec.sensitive)
    for column in roles:
        if column not in columns:
            raise unknown_column(column, columns)
    if spec.sensitive in seen or spec.sensitive in spec.keep:
        raise InputError(
            f"column {spec.sensitive!r} cannot be both sensitive and a quasi-identifier or kept",
            field=spec.sensitive,
        )
    for column in spec.keep:
        if column in seen:
            raise InputError(
                f"column {column!r} cannot be both kept and a quasi-identifier", field=column
            )


def _resolve(table: pa.Table, spec: AnonymizationSpec) -> tuple[pa.Table, list[Hierarchy]]:
    """Apply outlier coding and build the missing hierarchies."""
    hierarchies: list[Hierarchy] = []
    for qi in spec.quasi_identifiers:
        if qi.coding is not None:
            values = column_strings(table, qi.column).to_pylist()
            coded = apply_outlier_coding(column=qi.column, values=values, coding=qi.coding)
            position = table.column_names.index(qi.column)
            table = table.set_column(position, qi.column, pa.array(coded, type=pa.string()))
        if qi.hierarchy is not None:
            hierarchies.append(qi.hierarchy)
            continue
        values = column_strings(table, qi.column).to_pylist()  # errors name the row
        hierarchies.append(auto_hierarchy(column=qi.column, values=values, coding=qi.coding))
    return table, hierarchies


def impossible(spec: AnonymizationSpec, problem: LatticeProblem) -> InputError:
    domain = problem.domain
    for model in spec.models:
        if (
            isinstance(model, LDiversity)
            and domain is not None
            and model.variant is not LVariant.RECURSIVE
        ):
            distinct = int((domain.global_freq > 0).sum())
            if distinct < model.l:
                return InputError(
                    f"{model.describe()} is impossible: column {domain.column!r} has only "
                    f"{distinct} distinct values",
                    field=domain.column,
                )
    models = ", ".join(model.describe() for model in spec.models)
    return InputError(
        f"no generalization satisfies {models} with at most {problem.suppression_limit} "
        f"suppressed records of {problem.records}; even the fully generalized table fails "
        "(lower a parameter or allow more suppression)"
    )


def released_as(spec: AnonymizationSpec, columns: Sequence[str]) -> dict[str, str]:
    """The option that releases each of `columns`: ``qi``, ``sensitive`` or ``keep``."""
    quasi = {qi.column for qi in spec.quasi_identifiers}
    return {
        column: "qi" if column in quasi else "sensitive" if column == spec.sensitive else "keep"
        for column in columns
    }


def _suppressed_rows(
    *, gen_codes: Sequence[IntArray], radices: Sequence[int], best: NodeResult
) -> npt.NDArray[np.bool_]:
    failing = best.stats.keys[~best.passing]
    rows = len(gen_codes[0])
    if len(failing) == 0:
        return np.zeros(rows, dtype=np.bool_)
    columns = [np.concatenate([codes, failing[:, i]]) for i, codes in enumerate(gen_codes)]
    combined = combine_keys(columns=columns, radices=radices)
    return np.isin(combined[:rows], combined[rows:])


def _kept_rows(values: pa.Array, drop: npt.NDArray[np.bool_]) -> pa.Array:
    return values.filter(pa.array(~drop)) if drop.any() else values


def anonymize_table(
    *,
    table: pa.Table,
    spec: AnonymizationSpec,
    engine: Engine,
    method: SearchMethod = SearchMethod.OPTIMAL,
    source: str = "",
    output: str = "",
    purposes: Sequence[str] = (),
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Anonymized:
    """Search the lattice, generalize and suppress; the engine is closed afterwards."""
    check_spec(table.column_names, spec)
    try:
        table, hierarchies = _resolve(table, spec)
        codes = [
            encode_column(table=table, column=qi.column, hierarchy=hierarchy)
            for qi, hierarchy in zip(spec.quasi_identifiers, hierarchies, strict=True)
        ]
        sensitive = (
            encode_sensitive(table=table, column=spec.sensitive, hierarchy=spec.sensitive_hierarchy)
            if spec.sensitive is not None
            else None
        )
        problem = prepare_problem(
            engine=engine,
            codes=codes,
            hierarchies=hierarchies,
            sensitive_codes=sensitive.codes if sensitive else None,
            domain=sensitive.domain if sensitive else None,
            models=spec.models,
            metric=spec.metric,
            suppression=spec.suppression,
        )
        before = problem.evaluate(tuple(0 for _ in hierarchies))
        outcome = search(problem, method=method, progress=progress)
    finally:
        engine.close()
    best = outcome.best
    if best is None:
        raise impossible(spec, problem)
    gen_codes = [
        h.parents[level][c] for h, level, c in zip(hierarchies, best.node, codes, strict=True)
    ]
    radices = [len(h.labels[level]) for h, level in zip(hierarchies, best.node, strict=True)]
    drop = _suppressed_rows(gen_codes=gen_codes, radices=radices, best=best)
    keep = ~drop
    by_column = {qi.column: i for i, qi in enumerate(spec.quasi_identifiers)}
    out_columns: dict[str, pa.Array] = {}
    for name in table.column_names:
        if name in by_column:
            i = by_column[name]
            labels = hierarchies[i].labels[best.node[i]]
            out_columns[name] = label_strings(labels, gen_codes[i][keep])
        elif name == spec.sensitive or name in spec.keep:
            out_columns[name] = _kept_rows(column_strings(table, name), drop)
    released = pa.table(out_columns)
    result = anonymization_result(
        spec=spec,
        problem=problem,
        risk_before=risk_report(sizes=before.stats.sizes, sampling_fraction=spec.sampling_fraction),
        outcome=outcome,
        items=released_items(table.column_names, spec, hierarchies, best.node),
        records_out=released.num_rows,
        engine=engine.name.value,
        source=source,
        output=output,
        purposes=purposes,
        now=now,
    )
    source_rows = np.flatnonzero(keep).astype(np.int64, copy=False)
    return Anonymized(result=result, table=released, source_rows=source_rows)


def released_items(
    columns: Sequence[str],
    spec: AnonymizationSpec,
    hierarchies: Sequence[Hierarchy],
    node: Sequence[int],
) -> tuple[ItemTreatment, ...]:
    """What the release holds for each input column, in the input's order."""
    by_column = {qi.column: i for i, qi in enumerate(spec.quasi_identifiers)}
    items: list[ItemTreatment] = []
    for name in columns:
        if name in by_column:
            i = by_column[name]
            hierarchy, level = hierarchies[i], node[i]
            example = ", ".join(hierarchy.labels[level][:3])
            items.append(
                ItemTreatment(name, Treatment.GENERALIZED, level, hierarchy.height, example)
            )
        elif name == spec.sensitive:
            items.append(ItemTreatment(name, Treatment.SENSITIVE))
        elif name in spec.keep:
            items.append(ItemTreatment(name, Treatment.KEPT))
        else:
            items.append(ItemTreatment(name, Treatment.DELETED))
    return tuple(items)


def anonymization_result(
    *,
    spec: AnonymizationSpec,
    problem: LatticeProblem,
    risk_before: RiskReport,
    outcome: SearchOutcome,
    items: tuple[ItemTreatment, ...],
    records_out: int,
    engine: str,
    source: str,
    output: str,
    purposes: Sequence[str],
    now: datetime | None = None,
) -> AnonymizationResult:
    """The result of a search whose best node is released: models, loss, risk before and after."""
    best = outcome.best
    assert best is not None
    return AnonymizationResult(
        source=source,
        output=output,
        created_at=now or datetime.now(UTC),
        items=items,
        models=tuple(model.describe() for model in spec.models),
        metric=spec.metric,
        metric_value=best.loss,
        records_in=problem.records,
        records_out=records_out,
        suppressed=best.suppressed,
        suppression_limit=problem.suppression_limit,
        risk_before=risk_before,
        risk_after=risk_report(
            sizes=best.stats.sizes[best.passing], sampling_fraction=spec.sampling_fraction
        ),
        search=SearchSummary(
            method=outcome.method.value,
            engine=engine,
            nodes=outcome.nodes,
            checked=outcome.checked,
            seconds=outcome.seconds,
        ),
        purposes=tuple(purposes),
    )
