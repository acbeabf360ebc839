"""Plans of what erasure (Art. 35; R-RT-6) and correction (Art. 34; R-RT-5) change in each
store, for staff to preview and approve before anything is written.

A plan lists, per collection and in the order it must be applied, the row keys to delete and the
per-row changes (with the values before, shown to staff only). Collections come children first:
one holding a reference to another is applied before it, so no row is deleted while a row that
references it is still there.

Erasure, per located row:

- a collection with a retention hold keeps the rows whose hold has not ended: the hold ends on
  the anniversary, `years` calendar years after the date in `since_field` (a 29 February ends on
  28 February), and a row is kept while that date is after `today`; a missing or unreadable date
  counts as held from `today`. Kept rows are summarised (count, the latest end date, the reason
  and citation), for the person to be told which data is kept and until when. Rows past their
  hold are erased like any other.
- a collection whose erasure is ``delete_row`` deletes the row;
- otherwise each mapped field is erased by its own strategy or, without one, set to null when it
  is personal (:attr:`MapField.personal`) and kept when it is not. Primary keys, and fields that
  hold or are the target of a reference, are kept unless their own strategy says otherwise (an
  HMAC token keeps joins working); a primary key cannot be erased at all (the row is addressed
  by it). HMAC replaces the value by ``token("dataset.collection.field", value)``; fixed
  replaces it by the field's value. Only values that change are planned.

**Rows referenced by rows that stay are masked, not deleted.** A row that stays (held, or erased
field by field) keeps its references; deleting the row it references would leave the reference
dangling, fail on a foreign key, or let a cascading delete remove the very rows the law says to
keep (a held payment under its order). So a row planned for deletion that a staying row
references, directly or through other such rows, is masked instead: its fields are erased as
if its collection had no ``delete_row`` (personal fields nulled), it stays, and the plan counts
it in :attr:`CollectionPlan.masked`. A held row keeps every reference; a row erased field by
field keeps those whose field is kept or HMAC-tokened, while a reference field it sets to null
(or to a fixed value) no longer points at the parent, which is then deleted.

Correction: each :class:`ItemChange` names a field of the map (``dataset.collection.field``) or
every located field of a discovery kind (``kind:email``) and the new value (None deletes the item:
set null). Keys and fields that link collections cannot be changed (a change there would detach
the person's rows from each other); only rows whose value differs are planned.

Applying a plan twice writes nothing the second time (the connectors' guards). Planning again
after an HMAC erasure would token the tokens: plan once, apply that plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from kojin.connectors.base import Row, Scalar
from kojin.datamap.model import DataMap, LocalText, Location, MapField, Strategy
from kojin.errors import ConfigurationError, InputError
from kojin.fulfilment._erasure import erased_values, hold_until, rescue_referenced
from kojin.fulfilment._refgraph import FieldAt, RefGraph
from kojin.fulfilment.locate import Located


class KeyedChange(BaseModel):
    """New values for the row with `key`; `before` holds the old ones for the staff preview."""

    key: list[Scalar]
    values: dict[str, Scalar]
    before: dict[str, Scalar]


class HeldRows(BaseModel):
    """Rows kept under a retention hold, told to the person: how many, until when, and why."""

    count: int
    until: date
    reason: LocalText
    citation: str | None


class CollectionPlan(BaseModel):
    """What one collection's task writes."""

    system: str
    dataset: str
    collection: str
    #: keys of the rows to delete
    deletes: list[list[Scalar]] = Field(default_factory=list)
    changes: list[KeyedChange] = Field(default_factory=list)
    held: list[HeldRows] = Field(default_factory=list)
    #: rows masked instead of deleted because a row that stays references them
    masked: int = 0

    @property
    def address(self) -> str:
        return f"{self.dataset}.{self.collection}"

    @property
    def rows_planned(self) -> int:
        return len(self.deletes) + len(self.changes)


class PlanKind(StrEnum):
    ERASURE = "erasure"
    CORRECTION = "correction"


class FulfilmentPlan(BaseModel):
    """The collections to write, in application order (children before parents)."""

    kind: PlanKind
    collections: list[CollectionPlan]

    @property
    def rows_planned(self) -> int:
        return sum(c.rows_planned for c in self.collections)


class ItemChange(BaseModel):
    """A correction, addition or deletion of an item (Art. 34)."""

    #: ``dataset.collection.field`` or ``kind:<discovery kind>``
    target: str = Field(max_length=400)
    #: the new value; None deletes the item (set null)
    value: str | None


def _located_rows(graph: RefGraph, located: Located) -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {}
    for found in located.collections:
        if found.address not in graph.by_address:
            raise ConfigurationError(f"{found.address} was located but is not in the data map")
        rows[found.address] = found.rows
    return rows


def _key(loc: Location, row: Row) -> list[Scalar]:
    columns = loc.collection.primary_key
    if not columns:
        raise ConfigurationError(
            f"{loc.address} has no primary key: its rows cannot be written one by one; "
            "mark the key fields primary_key in the data map"
        )
    return [row.get(column) for column in columns]


def _change(loc: Location, row: Row, values: dict[str, Scalar]) -> KeyedChange:
    return KeyedChange(
        key=_key(loc, row), values=values, before={name: row.get(name) for name in values}
    )


def plan_erasure(
    *, datamap: DataMap, located: Located, today: date, token: Callable[[str, str], str]
) -> FulfilmentPlan:
    """The erasure of the located rows (rules in the module's docstring); `token(field_address,
    value)` is the keyed HMAC of a value. Collections with nothing to write or tell are left out.
    """
    graph = RefGraph(datamap)
    rows = _located_rows(graph, located)
    held: dict[str, dict[int, date]] = {}
    deleting: dict[str, set[int]] = {}
    staying: list[tuple[str, int]] = []
    for address, found in rows.items():
        collection = graph.by_address[address].collection
        hold = collection.retention_hold
        for i, row in enumerate(found):
            until = hold_until(row, hold, today) if hold is not None else None
            if until is not None and until > today:
                held.setdefault(address, {})[i] = until
                staying.append((address, i))
            elif collection.erasure is Strategy.DELETE_ROW:
                deleting.setdefault(address, set()).add(i)
            else:
                staying.append((address, i))
    masked = rescue_referenced(
        graph, rows, deleting, staying, {a: set(kept) for a, kept in held.items()}
    )
    plans: list[CollectionPlan] = []
    for loc in graph.erasure_order():
        if loc.address not in rows:
            continue
        found = rows[loc.address]
        kept = held.get(loc.address, {})
        doomed = deleting.get(loc.address, set())
        plan = CollectionPlan(
            system=loc.system.key,
            dataset=loc.dataset.key,
            collection=loc.collection.name,
            deletes=[_key(loc, found[i]) for i in sorted(doomed)],
            masked=len(masked.get(loc.address, ())),
        )
        for i, row in enumerate(found):
            if i in kept or i in doomed:
                continue
            values = erased_values(loc, row, graph, token)
            if values:
                plan.changes.append(_change(loc, row, values))
        hold = loc.collection.retention_hold
        if kept and hold is not None:
            plan.held.append(
                HeldRows(
                    count=len(kept),
                    until=max(kept.values()),
                    reason=hold.reason,
                    citation=hold.citation,
                )
            )
        if plan.rows_planned or plan.held or plan.masked:
            plans.append(plan)
    return FulfilmentPlan(kind=PlanKind.ERASURE, collections=plans)


#: what a target may look like; anything else is refused without being repeated
_TARGET = re.compile(
    r"kind:[A-Za-z0-9_\-.]{1,100}|[A-Za-z0-9_\-]{1,128}(\.[A-Za-z0-9_\-]{1,128}){2}"
)


def _targets(
    target: str, graph: RefGraph, rows: dict[str, list[Row]]
) -> list[tuple[Location, MapField]]:
    """The located fields a target names; InputError naming the target when it names none."""
    if not _TARGET.fullmatch(target):
        raise InputError(
            "a change's target must be dataset.collection.field or kind:<kind>", field="target"
        )
    if target.startswith("kind:"):
        kind = target.removeprefix("kind:")
        fields = [
            (loc, field)
            for loc in graph.locations
            if loc.address in rows
            for field in loc.collection.fields
            if kind in field.kinds
        ]
        if not fields:
            raise InputError(f"{target}: no field of the person's data holds it", field="target")
        return fields
    address, name = target.rsplit(".", 1)
    loc = graph.by_address.get(address)
    field = loc.collection.field(name) if loc is not None else None
    if loc is None or field is None:
        raise InputError(f"{target}: not a field of the data map", field="target")
    return [(loc, field)]


def _differs(current: Scalar, new: str | None) -> bool:
    if new is None or current is None:
        return new is not current
    return (current if isinstance(current, str) else str(current)) != new


def plan_correction(
    *, datamap: DataMap, located: Located, changes: Sequence[ItemChange]
) -> FulfilmentPlan:
    """The changes of the located rows the item changes ask for (rules in the module's
    docstring). InputError naming the target when it names nothing the person has, or a key or
    a field that links collections; messages never carry the values."""
    if not changes:
        raise InputError("no item changes given", field="changes")
    graph = RefGraph(datamap)
    rows = _located_rows(graph, located)
    wanted: dict[str, dict[str, tuple[str | None, str]]] = {}
    for change in changes:
        for loc, field in _targets(change.target, graph, rows):
            at = FieldAt(loc.address, field.name)
            if field.primary_key or at in graph.linked:
                what = "a primary key" if field.primary_key else "a field that links collections"
                raise InputError(
                    f"{change.target}: {at.address} is {what} and cannot be changed",
                    field="target",
                )
            if loc.address not in rows:
                raise InputError(
                    f"{change.target}: the person has no rows in {loc.address}", field="target"
                )
            earlier = wanted.setdefault(loc.address, {}).get(field.name)
            if earlier is not None and earlier[0] != change.value:
                raise InputError(
                    f"{earlier[1]} and {change.target} change {at.address} differently",
                    field="target",
                )
            wanted[loc.address][field.name] = (change.value, change.target)
    plans: list[CollectionPlan] = []
    for loc in graph.erasure_order():
        if loc.address not in wanted:
            continue
        plan = CollectionPlan(
            system=loc.system.key, dataset=loc.dataset.key, collection=loc.collection.name
        )
        for row in rows[loc.address]:
            values: dict[str, Scalar] = {
                name: new
                for name, (new, _) in wanted[loc.address].items()
                if _differs(row.get(name), new)
            }
            if values:
                plan.changes.append(_change(loc, row, values))
        if plan.changes:
            plans.append(plan)
    return FulfilmentPlan(kind=PlanKind.CORRECTION, collections=plans)
