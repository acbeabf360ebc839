"""HTTP decisions: POST /api/v1/decisions on loopback against ``kojin serve --workers 2``.

Runs once on SQLite (a temporary KOJIN_HOME) and once on PostgreSQL (a temporary database created
on KOJIN_TEST_DATABASE_URL's server, or postgresql+psycopg://postgres@127.0.0.1:5432/test; that
half is skipped with a message when the server is unreachable). Every decision is recorded and
audited by the server. The load comes from a separate process running one asyncio loop (uvloop)
with raw keep-alive HTTP/1.1 over asyncio streams, so the client costs as little CPU as possible
on the same machine. Prints requests per second and p50/p99 latency, against the target.

    .venv/bin/python benchmarks/http_decisions.py [--seconds 10] [--connections 16] [--workers 2]
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

#: a realistic mix of questions asked by business systems (ids from the default policy)
BODIES: tuple[dict[str, object], ...] = (
    {"action": "use", "category": "customer", "purpose": "provide_services"},
    {"action": "use", "category": "customer", "purpose": "satisfaction_surveys"},
    {
        "action": "provide",
        "category": "customer",
        "purpose": "provide_services",
        "recipient": {"country": "JP", "relation": "entrustee"},
    },
    {
        "action": "store_abroad",
        "category": "partner_employee",
        "purpose": "security_measures",
        "recipient": {"country": "US", "relation": "entrustee", "equivalent_measures": True},
    },
    {"action": "use", "category": "retired_employee", "purpose": "marketing"},
)


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


def _request_bytes(port: int, token: str, body: dict[str, object]) -> bytes:
    payload = orjson.dumps(body)
    head = (
        f"POST /api/v1/decisions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def _connection(
    port: int, requests: list[bytes], delay: float, warm_until: float, stop: float
) -> tuple[int, int, list[float]]:
    # Connections open one after another during the warm-up, as a client pool grows under load;
    # opened all at once, they would all be accepted by whichever worker woke first.
    await asyncio.sleep(delay)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    ok = failed = 0
    latencies: list[float] = []
    i = 0
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
            if head[9:12] == b"200":
                ok += 1
                latencies.append((done - sent) * 1000)
            else:
                failed += 1
    finally:
        writer.close()
    return ok, failed, latencies


async def _load(
    port: int,
    token: str,
    connections: int,
    warmup: float,
    seconds: float,
    out: multiprocessing.connection.Connection,
) -> LoadResult:
    requests = [_request_bytes(port, token, body) for body in BODIES]
    start = time.perf_counter()
    warm_until = start + warmup
    stop = warm_until + seconds
    stagger = warmup / 2 / connections
    window: list[float] = []

    async def mark_window() -> None:
        await asyncio.sleep(warmup)
        window.append(time.process_time())
        out.send("measuring")  # the parent samples the server's CPU time now

    marker = asyncio.ensure_future(mark_window())
    results = await asyncio.gather(
        *(_connection(port, requests, i * stagger, warm_until, stop) for i in range(connections))
    )
    await marker
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    latencies = [lat for r in results for lat in r[2]]
    return LoadResult(
        ok=ok,
        failed=failed,
        seconds=seconds,
        latencies_ms=latencies,
        client_cpu=time.process_time() - window[0],
    )


def _client_process(
    port: int,
    token: str,
    connections: int,
    warmup: float,
    seconds: float,
    out: multiprocessing.connection.Connection,
) -> None:
    import uvloop

    result = uvloop.run(_load(port, token, connections, warmup, seconds, out))
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


def run_client(
    port: int,
    token: str,
    connections: int,
    warmup: float,
    seconds: float,
    server_pid: int,
    *,
    with_postgres: bool = False,
) -> LoadResult:
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_client_process, args=(port, token, connections, warmup, seconds, sender)
    )
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


def prepare_registry(url: str) -> str:
    """Migrate the registry at `url` and return a fresh ``system`` token."""
    from kojin.auth import Role, create_token
    from kojin.db.migrate import upgrade
    from kojin.db.uow import Database

    upgrade(url)
    database = Database.from_url(url)
    try:
        with database.uow() as session:
            _, token = create_token(session=session, role=Role.SYSTEM, name="benchmark")
    finally:
        database.dispose()
    return token


@contextlib.contextmanager
def kojin_server(env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
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
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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


def measure(label: str, url: str, home: Path, args: argparse.Namespace) -> LoadResult:
    token = prepare_registry(url)
    port = free_port()
    env = {
        **os.environ,
        "KOJIN_HOME": str(home),
        "KOJIN_DATABASE_URL": url,
        "KOJIN_LOG_LEVEL": "info",
    }
    with kojin_server(env, port, args.workers) as server:
        result = run_client(
            port,
            token,
            args.connections,
            args.warmup,
            args.seconds,
            server_pid=server.pid,
            with_postgres=url.startswith("postgresql"),
        )
    report(label, result, args)
    return result


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
    load = os.getloadavg()[0]
    print(f"{label}: machine load average during the run: {load:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="kojin serve --workers")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="run one backend only")
    args = parser.parse_args()

    if args.only != "postgres":
        with tempfile.TemporaryDirectory(prefix="kojin-bench-") as tmp:
            home = Path(tmp)
            measure("SQLite", f"sqlite:///{(home / 'kojin.sqlite3').as_posix()}", home, args)

    if args.only != "sqlite":
        base = os.environ.get("KOJIN_TEST_DATABASE_URL") or DEFAULT_PG_URL
        with contextlib.ExitStack() as stack:
            try:
                url = stack.enter_context(postgres_database(base))
            except Exception as exc:  # connection refused, unknown host, bad credentials
                print(f"PostgreSQL: skipped, server unreachable ({type(exc).__name__})")
                return
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kojin-bench-")))
            measure("PostgreSQL", url, home, args)


if __name__ == "__main__":
    main()
