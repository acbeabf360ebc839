"""Fulfilment of data-subject requests on a company of 1,000,000 data subjects.

The company (``benchmarks/fulfilment_data.py``): 8 related tables in one store, about 19.4 rows
per subject (customers, addresses, orders, order items, payments, tickets, ticket messages,
newsletter subscriptions), with the indexes a company running them has; built in PostgreSQL
(a new schema on ``--postgres``, default ``KOJIN_TEST_DATABASE_URL``, dropped at the end unless
``--keep``) and in SQLite (a file in a temporary folder). Loading is timed and printed but is not
part of any figure. The data map is built from kojin's model.

What one request includes, per store, for a different random person each time (never one a
previous run touched, so nothing about that person is cached anywhere in kojin):

* **access**: ``open_connectors`` (a new engine and, at the first query, a new connection: a new
  PostgreSQL backend), ``locate`` from the person's e-mail, ``access_collections``, a
  ``DisclosureRecord`` (registry parts empty) and ``build_package`` (the electronic ZIP:
  JSON, CSVs, HTML report), closing the connectors;
* **erasure**: ``open_connectors``, ``locate``, ``plan_erasure`` (HMAC tokens, set null, a fixed
  value, the 7-year tax hold) and ``apply_collection`` for every collection planned (each its
  own transaction, committed), closing the connectors.

Not included: loading the policy and the data map (a running service holds them), the registry
(request workflow, audit), importing modules and one warm-up request of each kind on a person
not measured.

Then the same requests **as kojin runs them** (``benchmarks/fulfilment_jobs.py``), for other
people: the job created in a SQLite registry, run by a ``JobRunner`` with kojin's handlers
(the data map read from its YAML file for each task, the store opened per task, the rows found
and the plan encrypted in the registry, every step in the audit chain), the access package
built from the stored result; the erasure through its preview, approval and one apply task per
collection. The same targets apply to these rows.

Beside it, on the same people: **kojin with connectors kept open** across requests (opened
once per store, as a long-running worker could hold them; the person still new every time), to
show what opening a store costs per request. And the **baseline**, in the same process: a
row-by-row approach (as an ORM's lazy loading reads, and as Ethyca Fides erases) through the
same connectors: one query per identity column, then for each row found one query per
collection referencing it (for each order its items, then its payments; for each ticket its
messages), and the same plan applied one UPDATE or DELETE per row, each committed on its own.
(Fides' SQL reads take all of a collection's input values in one ``IN`` query per traversal
step; its erasure is row by row.) The approaches take turns going first; an erasure's rows are
read beforehand and put back after each approach, and the script checks that all found the
same rows and left the same rows behind. Statements are counted with a
``before_cursor_execute`` listener on the connectors' engines (pool pre-pings, BEGIN and
COMMIT not counted); checkouts are connections taken from the pool (each pings the server once
before use, except a new one).

Targets (issue 12), at 1,000,000 subjects: access under 1 s, erasure under 2 s (PASS/FAIL on
the p95); exits 1 when one is missed (``--no-check`` only prints).

    .venv/bin/python benchmarks/fulfilment.py [--subjects 1000000 | --quick] [--repeat 20]
        [--postgres URL] [--only postgres|sqlite] [--keep] [--plain-email-index]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import math
import os
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

from fulfilment_data import (
    SYSTEM,
    TABLES,
    Company,
    PersonRows,
    datamap,
    drop_postgres,
    load_postgres,
    load_sqlite,
    person_rows,
    postgres_size,
    restore,
)
from fulfilment_jobs import JobRun, Registry
from kojin.connectors.base import Connector, Row, RowChange, Scalar
from kojin.connectors.open import open_connectors
from kojin.connectors.sql import SqlConnector
from kojin.datamap.model import DataMap, Direction, Identity, Location
from kojin.fulfilment.access import access_collections
from kojin.fulfilment.apply import apply_collection
from kojin.fulfilment.identities import Identities, identities_from
from kojin.fulfilment.locate import Located, LocatedCollection, locate
from kojin.fulfilment.plans import FulfilmentPlan, plan_erasure
from kojin.policy import load_policy
from kojin.policy.model import Policy
from kojin.requests.disclosure_package import build_package
from kojin.requests.disclosure_record import DisclosedSubject, DisclosureRecord
from kojin.requests.kinds import DisclosureMethod
from kojin.settings import Settings

ACCESS_TARGET = 1.0
ERASURE_TARGET = 2.0
QUICK_SUBJECTS = 20_000
COLD, BASELINE, KEPT = "kojin", "row by row", "kojin, kept connectors"


@dataclass
class Counts:
    """Statements sent through the connectors' engines, and pool checkouts."""

    reads: int = 0
    writes: int = 0
    checkouts: int = 0

    @property
    def statements(self) -> int:
        return self.reads + self.writes


@dataclass
class Run:
    """One request: wall time, its phases, statements and what it found or wrote."""

    seconds: float
    counts: Counts
    phases: dict[str, float]
    rows: int
    keys: dict[str, list[tuple[Scalar, ...]]] = field(default_factory=dict)
    written: int = 0
    zip_bytes: int = 0


@dataclass(frozen=True)
class Context:
    datamap: DataMap
    settings: Settings
    policy: Policy
    today: date
    token: Callable[[str, str], str]


# -- the request, end to end ------------------------------------------------------------------


@contextmanager
def connectors(
    ctx: Context, counts: Counts, kept: dict[str, Connector] | None
) -> Iterator[dict[str, Connector]]:
    """Connectors opened as a request opens them and closed after it (or `kept` ones, opened
    once for all requests), their statements counted."""
    opened = open_connectors(ctx.datamap, ctx.settings) if kept is None else kept

    def statement(_c: Any, _cur: Any, text: str, _p: Any, _ctx: Any, _many: bool) -> None:
        if text.lstrip()[:6].upper() == "SELECT":
            counts.reads += 1
        else:
            counts.writes += 1

    def checkout(*_: Any) -> None:
        counts.checkouts += 1

    engines = [c.engine for c in opened.values() if isinstance(c, SqlConnector)]
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", statement)
        sa.event.listen(engine, "checkout", checkout)
    try:
        yield opened
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", statement)
            sa.event.remove(engine, "checkout", checkout)
        if kept is None:
            for connector in opened.values():
                connector.close()


Locator = Callable[[DataMap, Mapping[str, Connector], Identities], Located]
Applier = Callable[[DataMap, Mapping[str, Connector], FulfilmentPlan], int]


@dataclass
class Approach:
    """How a request locates and writes; `kept`: connectors opened once for every request."""

    locate: Locator
    apply: Applier
    kept: dict[str, Connector] | None = None


def kojin_locate(dm: DataMap, opened: Mapping[str, Connector], ids: Identities) -> Located:
    return locate(datamap=dm, connectors=opened, identities=ids)


def access(ctx: Context, email: str, how: Approach) -> Run:
    """One access request: open, locate, disclosed collections, ZIP package, close."""
    counts, phases = Counts(), {}
    start = time.perf_counter()
    with connectors(ctx, counts, how.kept) as opened:
        phases["open"] = time.perf_counter() - start
        located = how.locate(ctx.datamap, opened, identities_from(email=email))
        phases["locate"] = time.perf_counter() - start - phases["open"]
        stores = access_collections(
            datamap=ctx.datamap, located=located, policy=ctx.policy, lang="ja"
        )
        package = build_package(record(stores), method=DisclosureMethod.ELECTRONIC, lang="ja")
        phases["package"] = time.perf_counter() - start - phases["open"] - phases["locate"]
    seconds = time.perf_counter() - start
    return Run(
        seconds,
        counts,
        phases,
        located.rows,
        keys(ctx.datamap, located),
        zip_bytes=len(package.content),
    )


def record(stores: list[Any]) -> DisclosureRecord:
    now = datetime.now(UTC)
    subject = DisclosedSubject(
        id=uuid.uuid4().hex,
        category="customer",
        category_title="お客様",
        registered_at=now,
        stop_use=False,
        stop_provision=False,
    )
    return DisclosureRecord(
        lang="ja",
        generated_at=now,
        organization="株式会社ベンチマーク",
        subject=subject,
        purposes=[],
        ledger_entries=[],
        consents=[],
        third_party_records_included=False,
        third_party_records=[],
        stores=stores,
        stores_searched=True,
    )


def kojin_apply(dm: DataMap, opened: Mapping[str, Connector], plan: FulfilmentPlan) -> int:
    return sum(
        apply_collection(datamap=dm, connector=opened[part.system], plan=part)
        for part in plan.collections
    )


def erasure(ctx: Context, email: str, how: Approach) -> Run:
    """One erasure: open, locate, plan, apply every collection, close."""
    counts, phases = Counts(), {}
    start = time.perf_counter()
    with connectors(ctx, counts, how.kept) as opened:
        located = how.locate(ctx.datamap, opened, identities_from(email=email))
        phases["locate"] = time.perf_counter() - start
        plan = plan_erasure(datamap=ctx.datamap, located=located, today=ctx.today, token=ctx.token)
        phases["plan"] = time.perf_counter() - start - phases["locate"]
        written = how.apply(ctx.datamap, opened, plan)
        phases["apply"] = time.perf_counter() - start - phases["locate"] - phases["plan"]
    seconds = time.perf_counter() - start
    return Run(seconds, counts, phases, located.rows, keys(ctx.datamap, located), written)


def keys(dm: DataMap, located: Located) -> dict[str, list[tuple[Scalar, ...]]]:
    """The located rows' primary keys by collection, sorted (to compare two approaches)."""
    found = {}
    for part in located.collections:
        loc = dm.find(part.dataset, part.collection)
        assert loc is not None
        key = loc.collection.primary_key
        found[part.collection] = sorted(tuple(row[k] for k in key) for row in part.rows)
    return found


# -- the baseline: row by row -----------------------------------------------------------------


def row_by_row_locate(dm: DataMap, opened: Mapping[str, Connector], ids: Identities) -> Located:
    """Every row about the person, one query per identity column, then one query per row
    found and per collection referencing it (the map's references, followed by value)."""
    locations = dm.locations()
    by_address = {loc.address: loc for loc in locations}
    edges: dict[str, list[tuple[str, Location, str]]] = {loc.address: [] for loc in locations}
    for loc in locations:
        for fld in loc.collection.fields:
            for ref in fld.references:
                parent = by_address[f"{ref.dataset}.{ref.collection}"]
                if ref.direction in (Direction.FROM, Direction.BOTH):
                    edges[parent.address].append((ref.field, loc, fld.name))
                if ref.direction in (Direction.TO, Direction.BOTH):
                    edges[loc.address].append((fld.name, parent, ref.field))
    found: dict[str, dict[tuple[Scalar, ...], Row]] = {loc.address: {} for loc in locations}
    asked: set[tuple[str, str, Scalar]] = set()
    queue: deque[tuple[Location, Row]] = deque()
    queries = 0

    def lookup(loc: Location, column: str, value: Scalar) -> None:
        nonlocal queries
        fld = loc.collection.field(column)
        fold = fld is not None and fld.identity is Identity.EMAIL
        marker = value.lower() if fold and isinstance(value, str) else value
        if value is None or (loc.address, column, marker) in asked:
            return
        asked.add((loc.address, column, marker))
        casefold = {column} if fold else set()
        rows = opened[loc.system.key].fetch(loc, {column: {value}}, casefold=casefold)
        queries += 1
        for row in rows:
            rid = tuple(row[k] for k in loc.collection.primary_key)
            if rid not in found[loc.address]:
                found[loc.address][rid] = row
                queue.append((loc, row))

    for loc in locations:
        for fld in loc.collection.fields:
            if fld.identity is not None:
                for value in ids.of(fld.identity):
                    lookup(loc, fld.name, value)
    while queue:
        loc, row = queue.popleft()
        for source, target, column in edges[loc.address]:
            lookup(target, column, row.get(source))
    return Located(
        collections=[
            LocatedCollection(
                system=loc.system.key,
                dataset=loc.dataset.key,
                collection=loc.collection.name,
                rows=list(found[loc.address].values()),
            )
            for loc in locations
            if found[loc.address]
        ],
        queries=queries,
    )


def row_by_row_apply(dm: DataMap, opened: Mapping[str, Connector], plan: FulfilmentPlan) -> int:
    """The plan written one row at a time, each UPDATE or DELETE in its own transaction."""
    written = 0
    for part in plan.collections:
        loc = dm.find(part.dataset, part.collection)
        assert loc is not None
        connector = opened[part.system]
        for key in part.deletes:
            written += connector.delete(loc, [tuple(key)])
        for change in part.changes:
            written += connector.update(loc, [RowChange(tuple(change.key), dict(change.values))])
    return written


# -- one store --------------------------------------------------------------------------------


@dataclass
class Store:
    label: str
    url: str
    schema: str | None
    load: Callable[[Company], dict[str, int]]
    size: Callable[[], int]
    drop: Callable[[], None] = lambda: None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def report(title: str, runs: dict[str, list[Run]], target: float) -> bool:
    """Print one request kind's figures; True when kojin's p95 meets `target`."""
    ours = runs[COLD]
    rows = statistics.median(r.rows for r in ours)
    print(f"\n{title}, {len(ours)} people, median {rows:.0f} rows each")
    print(f"  {'':<24}{'median':>11}{'p95':>11}{'max':>11}{'statements':>16}{'checkouts':>11}")
    figures = {}
    for name, done in runs.items():
        times = [r.seconds for r in done]
        stmts = statistics.median(r.counts.statements for r in done)
        reads = statistics.median(r.counts.reads for r in done)
        outs = statistics.median(r.counts.checkouts for r in done)
        figures[name] = (statistics.median(times), percentile(times, 0.95), stmts)
        print(
            f"  {name:<24}{ms(figures[name][0]):>11}{ms(figures[name][1]):>11}"
            f"{ms(max(times)):>11}{f'{stmts:.0f} ({reads:.0f} read)':>16}{outs:>11.0f}"
        )
    ratio = [figures[COLD][i] / figures[BASELINE][i] for i in range(3)]
    print(
        f"  {'kojin / row by row':<24}{ratio[0]:>10.2f}x{ratio[1]:>10.2f}x{'':>11}"
        f"{ratio[2]:>15.2f}x"
    )
    phases = {k: statistics.median(r.phases[k] for r in ours) for k in ours[0].phases}
    print("  kojin's phases (median): " + ", ".join(f"{k} {ms(v)}" for k, v in phases.items()))
    if ours[0].zip_bytes:
        print(f"  package: median {statistics.median(r.zip_bytes for r in ours):,.0f} bytes")
    if not ours[0].zip_bytes:
        rows_written = statistics.median(r.written for r in ours)
        print(f"  rows written per erasure: median {rows_written:.0f} (every approach alike)")
    p95 = figures[COLD][1]
    verdict = "PASS" if p95 < target else "FAIL"
    print(f"  target: p95 under {target:.0f} s: {verdict} ({ms(p95)})")
    return p95 < target


def measure_jobs(
    ctx: Context, store: Store, people: list[int], admin: sa.Engine
) -> tuple[list[JobRun], list[JobRun]]:
    """Access requests as jobs for the first half of `people`, erasures for the second (the
    first of each half a warm-up); each erased person is put back afterwards."""
    registry = Registry(ctx.datamap, store.url, SYSTEM)
    half = len(people) // 2
    try:
        accesses = [registry.access(Company.email(c), record) for c in people[:half]][1:]
        erasures: list[JobRun] = []
        for customer in people[half:]:
            email = Company.email(customer)
            with admin.connect() as conn:
                before = person_rows(conn, store.schema, customer, email)
            erasures.append(registry.erasure(email))
            with admin.begin() as conn:
                restore(conn, store.schema, before)
        return accesses, erasures[1:]
    finally:
        registry.close()


def report_jobs(title: str, runs: list[JobRun], target: float) -> bool:
    """Print the figures of requests run as kojin jobs; True when the p95 meets `target`."""
    times = [r.seconds for r in runs]
    p95 = percentile(times, 0.95)
    verdict = "PASS" if p95 < target else "FAIL"
    print(
        f"\n{title}, {len(runs)} people: median {ms(statistics.median(times))}, "
        f"p95 {ms(p95)}, max {ms(max(times))}; target p95 under {target:.0f} s: {verdict}"
    )
    return p95 < target


def rotated(names: list[str], i: int) -> list[str]:
    """The approaches in the order they run for the i-th person (each goes first in turn)."""
    return names[i % len(names) :] + names[: i % len(names)]


def measure(
    ctx: Context,
    store: Store,
    approaches: dict[str, Approach],
    people: list[int],
    admin: sa.Engine,
) -> tuple[dict[str, list[Run]], dict[str, list[Run]]]:
    """Access requests for the first half of `people`, erasures for the second; the first
    person of each half is the warm-up. Checks that every approach found the same rows and
    (erasure) left the same rows behind; the erased person is restored after each approach."""
    names = list(approaches)
    half = len(people) // 2
    accesses: dict[str, list[Run]] = {name: [] for name in names}
    for i, customer in enumerate(people[:half]):
        email = Company.email(customer)
        done = {name: access(ctx, email, approaches[name]) for name in rotated(names, i)}
        if any(run.keys != done[COLD].keys for run in done.values()):
            raise SystemExit(f"access: the approaches found different rows (customer {customer})")
        for name, run in done.items():
            if i > 0:
                accesses[name].append(run)
    erasures: dict[str, list[Run]] = {name: [] for name in names}
    for i, customer in enumerate(people[half:]):
        email = Company.email(customer)
        with admin.connect() as conn:
            before = person_rows(conn, store.schema, customer, email)
        expected = {table: sorted((k,) for k in rows) for table, rows in before.items() if rows}
        after: dict[str, PersonRows] = {}
        done = {}
        for name in rotated(names, i):
            done[name] = erasure(ctx, email, approaches[name])
            with admin.begin() as conn:
                after[name] = person_rows(conn, store.schema, customer, email)
                restore(conn, store.schema, before)
            if done[name].keys != expected:
                raise SystemExit(f"erasure: {name} missed rows of customer {customer}")
        if any(rows != after[COLD] for rows in after.values()):
            raise SystemExit(f"erasure: the approaches left different rows ({customer})")
        for name, run in done.items():
            if i > 0:
                erasures[name].append(run)
    return accesses, erasures


def run_store(store: Store, args: argparse.Namespace, policy: Policy) -> bool:
    today = date.today()
    company = Company(args.subjects, today)
    start = time.perf_counter()
    counts = store.load(company)
    loaded = time.perf_counter() - start
    print(
        f"\n== {store.label}: {args.subjects:,} subjects, {sum(counts.values()):,} rows in "
        f"{len(counts)} tables ({store.size() / 1e9:.2f} GB with indexes); loaded in "
        f"{loaded:.1f} s (not in the figures); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print("   " + ", ".join(f"{name} {counts[name]:,}" for name in TABLES))
    key = secrets.token_bytes(32)

    def token(address: str, value: str) -> str:
        message = f"{address}\x1f{value}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]

    ctx = Context(
        datamap(store.schema),
        Settings(store_urls={SYSTEM: SecretStr(store.url)}),
        policy,
        today,
        token,
    )
    chosen = random.Random(args.seed).sample(range(1, args.subjects + 1), 4 * args.repeat + 4)
    people, job_people = chosen[: 2 * args.repeat + 2], chosen[2 * args.repeat + 2 :]
    kept = open_connectors(ctx.datamap, ctx.settings)
    approaches = {
        COLD: Approach(kojin_locate, kojin_apply),
        BASELINE: Approach(row_by_row_locate, row_by_row_apply),
        KEPT: Approach(kojin_locate, kojin_apply, kept),
    }
    admin = sa.create_engine(store.url)
    try:
        accesses, erasures = measure(ctx, store, approaches, people, admin)
        job_accesses, job_erasures = measure_jobs(ctx, store, job_people, admin)
    finally:
        admin.dispose()
        for connector in kept.values():
            connector.close()
    ok = report("access request (open, locate by e-mail, ZIP package)", accesses, ACCESS_TARGET)
    ok &= report("erasure (open, locate, plan, apply and commit)", erasures, ERASURE_TARGET)
    ok &= report_jobs(
        "access request as a kojin job (registry, audit chain, worker, ZIP package)",
        job_accesses,
        ACCESS_TARGET,
    )
    ok &= report_jobs(
        "erasure as a kojin job (locate and plan, approval, one apply task per collection)",
        job_erasures,
        ERASURE_TARGET,
    )
    print(f"   load average after the runs: {os.getloadavg()[0]:.1f}")
    return ok


def postgres_store(url: str, plain_email: bool) -> Store:
    schema = f"kojin_bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar_one()
    finally:
        engine.dispose()
    return Store(
        label=f"PostgreSQL {str(version).split()[0]} (schema {schema})",
        url=url,
        schema=schema,
        load=lambda c: load_postgres(url, schema, c, plain_email=plain_email),
        size=lambda: postgres_size(url, schema),
        drop=lambda: drop_postgres(url, schema),
    )


def sqlite_store(folder: Path, plain_email: bool) -> Store:
    path = folder / "shop.sqlite3"
    return Store(
        label=f"SQLite {sqlite3.sqlite_version} ({path})",
        url=f"sqlite:///{path}",
        schema=None,
        load=lambda c: load_sqlite(str(path), c, plain_email=plain_email),
        size=lambda: path.stat().st_size,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subjects", type=int, help="data subjects (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SUBJECTS:,} subjects")
    parser.add_argument("--repeat", type=int, default=20, help="people measured per figure")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("KOJIN_TEST_DATABASE_URL"),
        help="PostgreSQL URL (default KOJIN_TEST_DATABASE_URL)",
    )
    parser.add_argument("--only", choices=("postgres", "sqlite"))
    parser.add_argument("--keep", action="store_true", help="keep the schema and the file")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--plain-email-index", action="store_true", help="index email instead of lower(email)"
    )
    parser.add_argument("--no-check", action="store_true", help="exit 0 when a target is missed")
    args = parser.parse_args()
    if args.subjects is None:
        args.subjects = QUICK_SUBJECTS if args.quick else 1_000_000
    if args.repeat < 1 or args.subjects < 2 * args.repeat + 2:
        parser.error("--repeat must be at least 1 and --subjects at least 2 * repeat + 2")
    policy = load_policy(None)
    folder = Path(tempfile.mkdtemp(prefix="kojin-bench-"))
    stores: list[Store] = []
    if args.only != "sqlite":
        if args.postgres:
            stores.append(postgres_store(args.postgres, args.plain_email_index))
        else:
            print("PostgreSQL skipped: no --postgres URL and KOJIN_TEST_DATABASE_URL is unset")
    if args.only != "postgres":
        stores.append(sqlite_store(folder, args.plain_email_index))
    print(
        f"fulfilment benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"{args.repeat} people per figure, e-mail index: "
        f"{'email' if args.plain_email_index else 'lower(email)'}"
    )
    ok = True
    try:
        for store in stores:
            try:
                ok &= run_store(store, args, policy)
            finally:
                if args.keep:
                    print(f"   kept: {store.label}")
                else:
                    store.drop()
    finally:
        for path in folder.iterdir():
            if not args.keep:
                path.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()
    return 0 if ok or args.no_check else 1


if __name__ == "__main__":
    sys.exit(main())
