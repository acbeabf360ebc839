"""HTTP decisions: POST /api/v1/decisions on loopback against ``kojin serve --workers 2``.

What a run includes, as a user's deployment would:

- a registry set up by ``kojin init`` (keys, policy record, admin token), then
  ``SUBJECTS`` data subjects and their consents created through the API before the load;
- a request mix of ten bodies per cycle (see :func:`request_mix`): five of ten name a
  ``subject_id`` (the server reads the subject's flags and consents from the registry), three
  of ten are third-party provisions with ``provision`` details of which two are allowed and
  create a provision record each, the others are uses without a subject, an entrustment and a
  storage abroad; the mix holds ``SUBJECTS * 5`` distinct requests;
- every decision recorded, chained in the audit log and answered only after its commit;
- the server's log (``kojin.access``: one JSON line per request) written to a real file in
  the temporary ``KOJIN_HOME``, at log level info; the lines are counted after the run.

Each run measures the load twice on the same server, in this order: every client good (the
baseline), then the same good clients joined by bad ones (``--bad-share``, default 20 % of all
clients) whose every request names a ``subject_id`` the registry does not hold (answered 404
"subject not found"); it prints the good clients' throughput and p99 in the second load as a
ratio of the baseline's. ``--sqlite-synchronous FULL|NORMAL|compare`` sets
``KOJIN_SQLITE_SYNCHRONOUS`` for the SQLite server; ``compare`` runs SQLite once with each and
prints NORMAL's figures as a ratio of FULL's (the script also prints which ``PRAGMA
synchronous`` the engine actually sets under that setting).

Runs once on SQLite (a temporary KOJIN_HOME) and once on PostgreSQL (a temporary database created
on KOJIN_TEST_DATABASE_URL's server, or postgresql+psycopg://postgres@127.0.0.1:5432/test; that
half is skipped with a message when the server is unreachable). The load comes from a separate
process running one asyncio loop (uvloop) with raw keep-alive HTTP/1.1 over asyncio streams, so
the client costs as little CPU as possible on the same machine. Prints decisions per second,
p50/p99 latency against the target, CPU time of server, client and (PostgreSQL) database per
decision, the provision records created and the access-log lines written.

    .venv/bin/python benchmarks/http_decisions.py [--seconds 10] [--connections 16] [--workers 2]
        [--bad-share 0.2] [--sqlite-synchronous FULL|NORMAL|compare] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

TARGET_RPS = 1500.0
TARGET_P99_MS = 25.0
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: data subjects created before the load; every second one has consents
SUBJECTS = 400
PARTNER = "Partner KK"

Body = dict[str, object]


def _use(category: str, purpose: str, subject_id: str | None = None) -> Body:
    body: Body = {"action": "use", "category": category, "purpose": purpose}
    if subject_id is not None:
        body["subject_id"] = subject_id
    return body


def _provide_to_partner(subject_id: str | None) -> Body:
    """A third-party provision with the items for its record; without a subject, the caller
    states the consent itself."""
    body: Body = {
        "action": "provide",
        "category": "customer",
        "purpose": "provide_services",
        "recipient": {"name": PARTNER, "country": "JP", "relation": "third_party"},
        "provision": {"items": ["name", "email", "purchase history"]},
    }
    if subject_id is None:
        body["consent"] = {"given": True}
    else:
        body["subject_id"] = subject_id
    return body


ENTRUST: Body = {
    "action": "provide",
    "category": "customer",
    "purpose": "provide_services",
    "recipient": {"country": "JP", "relation": "entrustee"},
}
STORE_ABROAD: Body = {
    "action": "store_abroad",
    "category": "partner_employee",
    "purpose": "security_measures",
    "recipient": {"country": "US", "relation": "entrustee", "equivalent_measures": True},
}


def request_mix(consenting: list[str], others: list[str]) -> list[Body]:
    """Ten bodies per cycle, one cycle per pair of subjects (ids from the default policy): five
    name a subject, three are third-party provisions with provision details (two allowed, so
    two provision records per cycle), five ask without a subject."""
    bodies: list[Body] = []
    for with_consent, without in zip(consenting, others, strict=True):
        bodies += [
            _use("customer", "provide_services"),
            _use("customer", "satisfaction_surveys", with_consent),
            _use("customer", "satisfaction_surveys", without),
            _provide_to_partner(with_consent),  # allowed by the recorded consent: a record
            _provide_to_partner(None),  # consent stated by the caller: a record
            _provide_to_partner(without),  # no consent on record: refused, no record
            ENTRUST,
            STORE_ABROAD,
            _use("retired_employee", "marketing"),
            _use("customer", "provide_services", with_consent),
        ]
    return bodies


def bad_mix(count: int = 200) -> list[Body]:
    """Requests that cannot succeed: each names a subject id the registry does not hold."""
    return [_use("customer", "satisfaction_surveys", uuid.uuid4().hex) for _ in range(count)]


@dataclass(frozen=True, slots=True)
class LoadResult:
    ok: int
    failed: int
    seconds: float
    latencies_ms: list[float]
    #: CPU seconds used in the measured window by the client process and by the server processes
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    #: CPU seconds used in the window by local PostgreSQL server processes (0 for SQLite)
    database_cpu: float = 0.0
    #: provision records in the registry after the run, and access-log lines in the log file
    provision_records: int = 0
    access_lines: int = 0
    log_bytes: int = 0
    #: bad clients: requests answered 404 as expected, other answers, and their latencies
    bad_answered: int = 0
    bad_unexpected: int = 0
    bad_latencies_ms: list[float] = dataclasses.field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index]


# --- the client (runs in its own process) ------------------------------------------------------


def _request_bytes(port: int, token: str, body: Body) -> bytes:
    payload = orjson.dumps(body)
    head = (
        f"POST /api/v1/decisions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def _connection(
    port: int,
    requests: list[bytes],
    first: int,
    delay: float,
    warm_until: float,
    stop: float,
    expect: bytes = b"200",
) -> tuple[int, int, list[float]]:
    # Connections open one after another during the warm-up, as a client pool grows under load;
    # opened all at once, they would all be accepted by whichever worker woke first.
    await asyncio.sleep(delay)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    ok = failed = 0
    latencies: list[float] = []
    i = first  # connections start at different places of the mix
    clock = time.perf_counter
    try:
        while True:
            sent = clock()
            if sent >= stop:
                break
            writer.write(requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            done = clock()
            if sent < warm_until:
                continue
            if head[9:12] == expect:
                ok += 1
                latencies.append((done - sent) * 1000)
            else:
                failed += 1
    finally:
        writer.close()
    return ok, failed, latencies


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """What the client process sends: the mix over `connections` for `seconds` after a warm-up."""

    port: int
    token: str
    bodies: list[Body]
    connections: int
    warmup: float
    seconds: float
    #: connections of bad clients, and what they send (answered 404)
    bad_connections: int = 0
    bad_bodies: list[Body] = dataclasses.field(default_factory=list)


async def _load(plan: LoadPlan, out: multiprocessing.connection.Connection) -> LoadResult:
    port, connections, warmup, seconds = plan.port, plan.connections, plan.warmup, plan.seconds
    requests = [_request_bytes(port, plan.token, body) for body in plan.bodies]
    spread = len(requests) // connections
    start = time.perf_counter()
    warm_until = start + warmup
    stop = warm_until + seconds
    window: list[float] = []

    async def mark_window() -> None:
        await asyncio.sleep(warmup)
        window.append(time.process_time())
        out.send("measuring")  # the parent samples the server's CPU time now

    bad_requests = [_request_bytes(port, plan.token, body) for body in plan.bad_bodies]
    bad_spread = len(bad_requests) // max(1, plan.bad_connections)
    everyone = connections + plan.bad_connections
    stagger = warmup / 2 / everyone
    marker = asyncio.ensure_future(mark_window())
    good_loads = [
        _connection(port, requests, i * spread, i * stagger, warm_until, stop)
        for i in range(connections)
    ]
    bad_loads = [
        _connection(
            port,
            bad_requests,
            i * bad_spread,
            (connections + i) * stagger,
            warm_until,
            stop,
            expect=b"404",
        )
        for i in range(plan.bad_connections)
    ]
    results = await asyncio.gather(*good_loads, *bad_loads)
    await marker
    good, bad = results[:connections], results[connections:]
    return LoadResult(
        ok=sum(r[0] for r in good),
        failed=sum(r[1] for r in good),
        seconds=seconds,
        latencies_ms=[lat for r in good for lat in r[2]],
        client_cpu=time.process_time() - window[0],
        bad_answered=sum(r[0] for r in bad),
        bad_unexpected=sum(r[1] for r in bad),
        bad_latencies_ms=[lat for r in bad for lat in r[2]],
    )


def _client_process(plan: LoadPlan, out: multiprocessing.connection.Connection) -> None:
    import uvloop

    result = uvloop.run(_load(plan, out))
    out.send(result)
    out.close()


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its descendants (Linux /proc)."""
    total = 0.0
    pending = [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(stat[11]) + int(stat[12])) / tick
        pending.extend(int(child) for child in children)
    return total


def postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process on this machine (Linux /proc): with
    the database on loopback its work is part of each decision's cost (as is any other client's
    work on the same server during the run)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(stat[11]) + int(stat[12])) / tick
    return total


def run_client(plan: LoadPlan, server_pid: int, *, with_postgres: bool = False) -> LoadResult:
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_client_process, args=(plan, sender))
    process.start()
    sender.close()
    assert receiver.recv() == "measuring"
    server_start, database_start = process_tree_cpu(server_pid), postgres_cpu()
    result: LoadResult = receiver.recv()
    server_cpu = process_tree_cpu(server_pid) - server_start
    database_cpu = postgres_cpu() - database_start if with_postgres else 0.0
    process.join()
    return dataclasses.replace(result, server_cpu=server_cpu, database_cpu=database_cpu)


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class Tokens:
    admin: str
    system: str


def prepare_registry(home: Path, url: str) -> Tokens:
    """``kojin init`` for `url` (keys in `home`), plus a ``system`` token for the load."""
    from kojin.auth.roles import Role
    from kojin.auth.service import create_token
    from kojin.db.uow import Database
    from kojin.registry.bootstrap import initialise
    from kojin.settings import Settings

    settings = Settings(home=home, database_url=url)
    admin = initialise(settings=settings, actor="benchmark").admin_token
    database = Database.from_settings(settings)
    try:
        with database.uow() as session:
            _, system = create_token(session=session, role=Role.SYSTEM, name="benchmark")
    finally:
        database.dispose()
    return Tokens(admin=admin, system=system)


def create_subjects(port: int, admin: str) -> tuple[list[str], list[str]]:
    """`SUBJECTS` customers through the API; every second one consents to satisfaction surveys
    and to provision to the partner. Returns (with consents, without)."""
    headers = {"Authorization": f"Bearer {admin}"}
    consenting: list[str] = []
    others: list[str] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
        for n in range(SUBJECTS):
            created = client.post(
                "/api/v1/subjects",
                json={"category": "customer", "email": f"customer{n}@example.com"},
            )
            created.raise_for_status()
            subject_id = created.json()["id"]
            if n % 2:
                others.append(subject_id)
                continue
            consenting.append(subject_id)
            for scope in ({"purpose": "satisfaction_surveys"}, {"recipient": PARTNER}):
                consent = {
                    "subject_id": subject_id,
                    "category": "customer",
                    "notice_version": "2026-04",
                    "method": "checkbox",
                    **scope,
                }
                client.post("/api/v1/consents", json=consent).raise_for_status()
    return consenting, others


def check_mix(port: int, token: str, bodies: list[Body]) -> None:
    """One cycle through the API before the load: every body is answered, and the provisions
    that should create a record do (so the figures include what they claim)."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
        answers = [client.post("/api/v1/decisions", json=body) for body in bodies[:10]]
    for answer in answers:
        answer.raise_for_status()
    records = [len(answer.json()["provision_ids"]) for answer in answers]
    allowed = [answer.json()["decision"]["allowed"] for answer in answers]
    if records != [0, 0, 0, 1, 1, 0, 0, 0, 0, 0] or allowed[1] is not True or allowed[5]:
        raise RuntimeError(f"the request mix no longer behaves as described: {records}, {allowed}")


def count_provision_records(url: str) -> int:
    from sqlalchemy import func, select

    from kojin.db.uow import Database
    from kojin.registry.provisions.models import ProvisionRecord

    database = Database.from_url(url)
    try:
        with database.read() as session:
            return int(
                session.execute(select(func.count()).select_from(ProvisionRecord)).scalar_one()
            )
    finally:
        database.dispose()


@contextlib.contextmanager
def kojin_server(
    env: dict[str, str], port: int, workers: int, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``kojin serve`` with its log (stderr: the access log and messages) appended to `log`."""
    command = [
        sys.executable,
        "-c",
        "import sys; from kojin.cli import main; sys.argv[0] = 'kojin'; main()",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    log_file = log.open("ab")
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
        start_new_session=True,
    )
    try:
        wait_until_healthy(port, process)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log_file.close()


def wait_until_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kojin serve exited with status {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("kojin serve did not answer /healthz in time")


@contextlib.contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A throw-away database on the server of `base_url` (dropped afterwards)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"kojin_bench_{uuid.uuid4().hex[:12]}"
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the run -----------------------------------------------------------------------------------


def access_lines(log: Path) -> int:
    with log.open("rb") as handle:
        return sum(1 for line in handle if b'"event":"access"' in line)


def check_bad(port: int, token: str, bodies: list[Body]) -> None:
    """A bad client's request is answered 404 (an older server included)."""
    headers = {"Authorization": f"Bearer {token}"}
    answer = httpx.post(
        f"http://127.0.0.1:{port}/api/v1/decisions", json=bodies[0], headers=headers
    )
    if answer.status_code != 404:
        raise RuntimeError(f"a bad client's request was answered {answer.status_code}")


def engine_synchronous(home: Path, url: str, setting: str) -> str:
    """The ``PRAGMA synchronous`` kojin's engine sets on SQLite under `setting` (what the
    server's connections run with)."""
    from sqlalchemy import text

    from kojin.db.uow import Database
    from kojin.settings import Settings

    database = Database.from_settings(
        Settings(home=home, database_url=url, sqlite_synchronous=setting)  # type: ignore[arg-type]
    )
    try:
        with database.engine.connect() as conn:
            value = conn.execute(text("PRAGMA synchronous")).scalar_one()
    finally:
        database.dispose()
    return {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(int(value), str(value))


@dataclass(frozen=True, slots=True)
class Measured:
    """The two loads of one run: every client good, then good and bad clients together."""

    baseline: LoadResult
    mixed: LoadResult | None


def measure(
    label: str, url: str, home: Path, args: argparse.Namespace, synchronous: str = "FULL"
) -> Measured:
    tokens = prepare_registry(home, url)
    port = free_port()
    log = home / "server.log"
    env = {
        **os.environ,
        "KOJIN_HOME": str(home),
        "KOJIN_DATABASE_URL": url,
        "KOJIN_LOG_LEVEL": "info",
        "KOJIN_SQLITE_SYNCHRONOUS": synchronous,
    }
    if url.startswith("sqlite"):
        applied = engine_synchronous(home, url, synchronous)
        print(
            f"{label}: KOJIN_SQLITE_SYNCHRONOUS={synchronous}; the engine sets "
            f"PRAGMA synchronous={applied}"
        )
    bad_connections = round(args.connections * args.bad_share / (1 - args.bad_share))
    with kojin_server(env, port, args.workers, log) as server:
        consenting, others = create_subjects(port, tokens.admin)
        bodies = request_mix(consenting, others)
        check_mix(port, tokens.system, bodies)
        bad_bodies = bad_mix()
        check_bad(port, tokens.system, bad_bodies)
        plan = LoadPlan(
            port=port,
            token=tokens.system,
            bodies=bodies,
            connections=args.connections,
            warmup=args.warmup,
            seconds=args.seconds,
        )
        loads = [plan]
        if bad_connections:
            loads.append(
                dataclasses.replace(plan, bad_connections=bad_connections, bad_bodies=bad_bodies)
            )
        results = []
        for load in loads:
            records_before, lines_before = count_provision_records(url), access_lines(log)
            result = run_client(
                load, server_pid=server.pid, with_postgres=url.startswith("postgresql")
            )
            results.append(
                dataclasses.replace(
                    result,
                    provision_records=count_provision_records(url) - records_before,
                    access_lines=access_lines(log) - lines_before,
                    log_bytes=log.stat().st_size,
                )
            )
    report(label, results[0], args)
    mixed = results[1] if len(results) > 1 else None
    if mixed is not None:
        report_mixed(label, results[0], mixed, bad_connections, args)
    return Measured(baseline=results[0], mixed=mixed)


def report_mixed(
    label: str,
    baseline: LoadResult,
    mixed: LoadResult,
    bad_connections: int,
    args: argparse.Namespace,
) -> None:
    """The good clients' figures beside bad ones, as ratios of the all-good baseline."""
    share = bad_connections / (args.connections + bad_connections)
    p99, base_p99 = mixed.percentile(99), baseline.percentile(99)
    bad_p99 = LoadResult(0, 0, 1, mixed.bad_latencies_ms).percentile(99)
    print(
        f"{label} with bad clients: {args.connections} good + {bad_connections} bad connections "
        f"({share:.0%} of clients send unknown subject ids)"
    )
    print(
        f"{label} with bad clients: good {mixed.rps:,.0f} decisions/s "
        f"({mixed.rps / baseline.rps:.2f}x the all-good run), p50 {mixed.percentile(50):.2f} ms, "
        f"p99 {p99:.2f} ms ({p99 / base_p99:.2f}x), {mixed.failed:,} failed; "
        f"bad {mixed.bad_answered / mixed.seconds:,.0f} answers/s (404), p99 {bad_p99:.2f} ms, "
        f"{mixed.bad_unexpected:,} other answers"
    )
    if mixed.ok:
        server_us = mixed.server_cpu / (mixed.ok + mixed.bad_answered) * 1e6
        print(
            f"{label} with bad clients: server CPU per request (good or bad) {server_us:,.0f} us; "
            f"{mixed.provision_records:,} provision records, {mixed.access_lines:,} access lines"
        )


def report(label: str, result: LoadResult, args: argparse.Namespace) -> None:
    p50, p99 = result.percentile(50), result.percentile(99)
    verdict = "met" if result.rps >= TARGET_RPS and p99 < TARGET_P99_MS else "MISSED"
    print(
        f"{label}: {result.rps:,.0f} decisions/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
        f"{result.ok:,} ok, {result.failed:,} failed "
        f"({args.workers} workers, {args.connections} keep-alive connections, {args.seconds:.0f} s)"
    )
    print(
        f"{label}: {result.rps / TARGET_RPS:.2f}x the target of {TARGET_RPS:,.0f}/s; "
        f"p99 {p99 / TARGET_P99_MS:.2f}x the {TARGET_P99_MS:.0f} ms limit; target {verdict}"
    )
    if result.ok:
        server_us = result.server_cpu / result.ok * 1e6
        client_us = result.client_cpu / result.ok * 1e6
        cores = os.cpu_count() or 1
        print(
            f"{label}: mean {statistics.fmean(result.latencies_ms):.2f} ms; CPU per decision: "
            f"server {server_us:,.0f} us, client {client_us:,.0f} us; "
            f"{result.server_cpu / result.seconds:.2f} of {cores} cores busy in the server"
        )
        database_us = result.database_cpu / result.ok * 1e6
        if result.database_cpu:
            print(
                f"{label}: CPU per decision in this machine's PostgreSQL processes "
                f"(other clients' work included): {database_us:,.0f} us"
            )
        print(
            f"{label}: at that cost {cores} otherwise idle cores would serve about "
            f"{cores * 1e6 / (server_us + client_us + database_us):,.0f} decisions/s"
        )
    print(
        f"{label}: included: {SUBJECTS} subjects (5 of 10 requests read one's consents), "
        f"{result.provision_records:,} provision records created during the load "
        f"(warm-up included), {result.access_lines:,} access-log lines written to a file "
        f"({result.log_bytes / 1e6:.1f} MB in all)"
    )
    load = os.getloadavg()[0]
    print(f"{label}: machine load average during the run: {load:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--connections", type=int, default=16, help="good client connections")
    parser.add_argument("--workers", type=int, default=2, help="kojin serve --workers")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="run one backend only")
    parser.add_argument(
        "--bad-share",
        type=float,
        default=0.2,
        help="share of all clients that are bad in the second load (0: no second load)",
    )
    parser.add_argument(
        "--sqlite-synchronous",
        choices=("FULL", "NORMAL", "compare"),
        default="FULL",
        help="KOJIN_SQLITE_SYNCHRONOUS for the SQLite server; compare runs both",
    )
    args = parser.parse_args()
    if not 0 <= args.bad_share < 1:
        parser.error("--bad-share must be at least 0 and below 1")

    if args.only != "postgres":
        modes = (
            ["FULL", "NORMAL"]
            if args.sqlite_synchronous == "compare"
            else [args.sqlite_synchronous]
        )
        runs: dict[str, Measured] = {}
        for mode in modes:
            with tempfile.TemporaryDirectory(prefix="kojin-bench-") as tmp:
                home = Path(tmp) / "home"  # its keys folder, home-keys, is removed with tmp
                url = f"sqlite:///{(home / 'kojin.sqlite3').as_posix()}"
                runs[mode] = measure(f"SQLite ({mode})", url, home, args, synchronous=mode)
        if len(runs) == 2:
            full, normal = runs["FULL"].baseline, runs["NORMAL"].baseline
            print(
                f"SQLite NORMAL vs FULL (all-good load): {normal.rps / full.rps:.2f}x the "
                f"throughput, p99 {normal.percentile(99) / full.percentile(99):.2f}x"
            )

    if args.only != "sqlite":
        base = os.environ.get("KOJIN_TEST_DATABASE_URL") or DEFAULT_PG_URL
        with contextlib.ExitStack() as stack:
            try:
                url = stack.enter_context(postgres_database(base))
            except Exception as exc:  # connection refused, unknown host, bad credentials
                print(f"PostgreSQL: skipped, server unreachable ({type(exc).__name__})")
                return
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="kojin-bench-"))
            home = Path(folder) / "home"
            measure("PostgreSQL", url, home, args)


if __name__ == "__main__":
    main()
