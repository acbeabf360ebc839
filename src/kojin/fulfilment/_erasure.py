"""The pieces of an erasure plan (private): field strategies, retention holds, and which rows
must be masked instead of deleted. The rules are stated in :mod:`kojin.fulfilment.plans`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kojin.connectors.base import Row, Scalar
from kojin.datamap.model import Location, MapField, RetentionHold, Strategy
from kojin.errors import ConfigurationError
from kojin.fulfilment._refgraph import FieldAt, Link, RefGraph
from kojin.fulfilment._values import ValueKey, folded_columns, usable, value_key

#: the time zone a stored timestamp's date is read in (Japanese law counts Japanese days)
_TOKYO = ZoneInfo("Asia/Tokyo")


def add_years(since: date, years: int) -> date:
    """The anniversary `years` after `since`; a 29 February falls on 28 February in a common
    year (the last day of the month, as the Civil Code Art. 143(2) counts periods)."""
    try:
        return since.replace(year=since.year + years)
    except ValueError:
        return date(since.year + years, 2, 28)


def parse_date(value: Scalar) -> date | None:
    """The date in a stored value (ISO 8601 date or date-time, ``/`` separators allowed;
    a date-time with an offset is read in Japan's time zone), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("/", "-")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(_TOKYO)
    return moment.date()


def hold_until(row: Row, hold: RetentionHold, today: date) -> date:
    """When the hold on `row` ends: `years` after the date in `since_field`; a missing or
    unreadable date (or a hold without a date field) counts as held from `today`."""
    since = parse_date(row.get(hold.since_field)) if hold.since_field else None
    return add_years(since or today, hold.years)


def field_strategy(loc: Location, field: MapField, graph: RefGraph) -> Strategy:
    """How a field is erased when its row is kept: its own erasure, else set null when it is
    personal and keep it otherwise; keys and fields that link collections are kept by default,
    and a key cannot be erased at all (the row is addressed by it)."""
    address = f"{loc.address}.{field.name}"
    explicit = field.erasure.strategy if field.erasure is not None else None
    if explicit is Strategy.DELETE_ROW:
        raise ConfigurationError(f"{address}: delete_row is a collection's erasure, not a field's")
    if field.primary_key:
        if explicit not in (None, Strategy.KEEP):
            raise ConfigurationError(
                f"{address}: a primary key addresses its row and cannot be erased field by "
                "field: delete the row (the collection's delete_row) or keep the key"
            )
        return Strategy.KEEP
    if explicit is not None:
        return explicit
    if FieldAt(loc.address, field.name) in graph.linked:
        return Strategy.KEEP
    return Strategy.SET_NULL if field.personal else Strategy.KEEP


def erased_values(
    loc: Location, row: Row, graph: RefGraph, token: Callable[[str, str], str]
) -> dict[str, Scalar]:
    """The new values of the row's mapped fields that its erasure changes (unchanged ones and
    columns the row does not have are left out)."""
    values: dict[str, Scalar] = {}
    for field in loc.collection.fields:
        if field.name not in row:
            continue
        current = row[field.name]
        strategy = field_strategy(loc, field, graph)
        new: Scalar
        if strategy is Strategy.KEEP:
            continue
        if strategy is Strategy.SET_NULL:
            new = None
        elif strategy is Strategy.FIXED:
            new = field.erasure.value if field.erasure is not None else None
        elif current is None:
            continue  # HMAC: nothing to tokenise
        else:
            new = token(f"{loc.address}.{field.name}", str(current))
        if value_key(new) != value_key(current):
            values[field.name] = new
    return values


def _keeps_link(graph: RefGraph, link: Link) -> bool:
    """Whether a row erased field by field still references its parent through `link`: its
    field is kept, or replaced by an HMAC token (which the parent's may match); set null or a
    fixed value cut the link."""
    loc = graph.by_address[link.child.collection]
    field = loc.collection.field(link.child.field)
    if field is None:  # pragma: no cover - links are made from the map's fields
        return True
    return field_strategy(loc, field, graph) in (Strategy.KEEP, Strategy.HMAC)


def rescue_referenced(
    graph: RefGraph,
    rows: Mapping[str, list[Row]],
    deleting: Mapping[str, set[int]],
    staying: Iterable[tuple[str, int]],
    held: Mapping[str, AbstractSet[int]],
) -> dict[str, set[int]]:
    """The rows planned for deletion that a staying row references, directly or through other
    rescued rows: they are removed from `deleting` (in place) and returned, to be masked. A held
    row keeps all its references; a row erased field by field keeps those its erasure does not
    cut (:func:`_keeps_link`)."""
    index: dict[FieldAt, dict[ValueKey, list[int]]] = {}

    def matches(parent: FieldAt, value: Scalar) -> list[int]:
        fold = parent.field in folded_columns(graph.by_address[parent.collection].collection)
        if parent not in index:
            by_value: dict[ValueKey, list[int]] = {}
            for i, row in enumerate(rows.get(parent.collection, [])):
                if usable(row.get(parent.field)):
                    by_value.setdefault(value_key(row[parent.field], fold=fold), []).append(i)
            index[parent] = by_value
        return index[parent].get(value_key(value, fold=fold), [])

    rescued: dict[str, set[int]] = {}
    work = list(staying)
    while work:
        address, i = work.pop()
        row = rows[address][i]
        for link in graph.links:
            if link.child.collection != address or not usable(row.get(link.child.field)):
                continue
            if i not in held.get(address, ()) and not _keeps_link(graph, link):
                continue
            doomed = deleting.get(link.parent.collection)
            if not doomed:
                continue
            for j in matches(link.parent, row[link.child.field]):
                if j in doomed:
                    doomed.discard(j)
                    rescued.setdefault(link.parent.collection, set()).add(j)
                    work.append((link.parent.collection, j))
    return rescued
