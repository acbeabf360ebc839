"""Apply one collection's part of a plan to its store.

Deletes first, then changes: one ``delete`` with every key and one ``update`` with every change,
the changes ordered so that rows getting the same new values are next to each other (a
connector writes such a group in one statement). The connectors only write rows that exist
and differ, so applying the same plan again (a task retried after a crash) writes nothing.
"""

from __future__ import annotations

from kojin.connectors.base import Connector, RowChange, Scalar
from kojin.datamap.model import DataMap
from kojin.errors import ConfigurationError
from kojin.fulfilment._values import value_key
from kojin.fulfilment.plans import CollectionPlan, KeyedChange


def _group(changes: list[KeyedChange]) -> list[KeyedChange]:
    """`changes` with those of equal new values together, groups in order of first appearance."""
    groups: dict[tuple[tuple[str, tuple[str, Scalar]], ...], list[KeyedChange]] = {}
    for change in changes:
        signature = tuple(sorted((k, value_key(v)) for k, v in change.values.items()))
        groups.setdefault(signature, []).append(change)
    return [change for group in groups.values() for change in group]


def apply_collection(*, datamap: DataMap, connector: Connector, plan: CollectionPlan) -> int:
    """Write `plan` through `connector`; returns the rows written (deleted or changed)."""
    location = datamap.find(plan.dataset, plan.collection)
    if location is None or location.system.key != plan.system:
        raise ConfigurationError(f"{plan.address} of system {plan.system!r} is not in the data map")
    written = 0
    if plan.deletes:
        written += connector.delete(location, [tuple(key) for key in plan.deletes])
    if plan.changes:
        written += connector.update(
            location,
            [RowChange(key=tuple(c.key), values=dict(c.values)) for c in _group(plan.changes)],
        )
    return written
