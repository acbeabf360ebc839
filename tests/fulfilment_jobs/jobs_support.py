"""Helpers for the job tests: a request to hang jobs on, company stores with real effects, and
handlers that erase a person from them idempotently.

A company store is a SQLite file of its own (not kojin's registry) with a ``customers`` table;
a trigger logs every row an UPDATE touches into ``writes_log``, so a test counts the effects
that really happened. The erase handler's UPDATE is guarded (``AND erased = 0``), so running a
task again writes nothing twice. A gate file lets a test hold a handler right after its effect:
the handler takes a shared lock on it, which waits while the test holds the exclusive one.
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.errors import InputError
from kojin.fulfilment.job_schemas import JobKind, JobOut, TaskSpec
from kojin.fulfilment.jobs import create_job, get_job
from kojin.fulfilment.runner import JobContext, TaskContext, TaskHandler, TaskResult
from kojin.requests.models import DataRequest

#: the person the jobs erase, and how many rows each store holds about them
PERSON = "taro.yamada@example.jp"
OTHER = "hanako.sato@example.jp"
STORES = ("crm", "shop", "billing")
PERSON_ROWS = {"crm": 2, "shop": 3, "billing": 1}

T = TypeVar("T")


def new_request(database: Database, cipher: FieldCipher) -> str:
    """A data request row to hang jobs on (the job tables refer to it)."""
    request_id = uuid.uuid4().hex
    with database.uow() as session:
        session.add(
            DataRequest(
                id=request_id,
                reference_bidx=uuid.uuid4().hex,
                kind="erasure",
                state="in_progress",
                lang="ja",
                submission_key_hash=uuid.uuid4().hex,
                submitted_at=utcnow(),
                key_id=cipher.current_key_id,
            )
        )
    return request_id


def store_path(folder: Path, store: str) -> Path:
    return folder / f"{store}.sqlite3"


def build_stores(folder: Path) -> None:
    """Three company stores, each with the person's rows among another person's rows."""
    folder.mkdir(parents=True, exist_ok=True)
    for store in STORES:
        with closing(sqlite3.connect(store_path(folder, store))) as conn, conn:
            conn.executescript(
                """
                CREATE TABLE customers (
                    id INTEGER PRIMARY KEY, email TEXT, erased INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE writes_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id INTEGER NOT NULL);
                CREATE TRIGGER log_writes AFTER UPDATE ON customers
                BEGIN INSERT INTO writes_log (customer_id) VALUES (NEW.id); END;
                """
            )
            rows = [(PERSON,)] * PERSON_ROWS[store] + [(OTHER,)] * 2
            conn.executemany("INSERT INTO customers (email) VALUES (?)", rows)


def writes(folder: Path, store: str) -> list[int]:
    """The customer ids of every row write the store's trigger logged, in order."""
    with closing(sqlite3.connect(store_path(folder, store))) as conn:
        return [row[0] for row in conn.execute("SELECT customer_id FROM writes_log ORDER BY id")]


def remaining(folder: Path, store: str, email: str) -> int:
    with closing(sqlite3.connect(store_path(folder, store))) as conn:
        query = "SELECT count(*) FROM customers WHERE email = ?"
        return int(conn.execute(query, (email,)).fetchone()[0])


@contextmanager
def gate_closed(gate: Path) -> Iterator[Callable[[], None]]:
    """Hold the gate shut; the yielded function opens it early (idempotent)."""
    handle = gate.open("a+")
    fcntl.flock(handle, fcntl.LOCK_EX)
    opened = [False]

    def open_gate() -> None:
        if not opened[0]:
            opened[0] = True
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    try:
        yield open_gate
    finally:
        open_gate()


def _pass_gate(gate: Path) -> None:
    with gate.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)  # waits while a test holds the gate shut
        fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Calls:
    """What the handlers saw, for tests that run them in this process: the tasks run (by
    job and name) and how many ran at once per job."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    runs: list[tuple[str, str, int]] = field(default_factory=list)
    active: dict[str, int] = field(default_factory=dict)
    overlaps: list[str] = field(default_factory=list)

    @contextmanager
    def running(self, job: JobContext, task: TaskContext) -> Iterator[None]:
        with self.lock:
            self.runs.append((job.job_id, task.name, task.attempt))
            self.active[job.job_id] = self.active.get(job.job_id, 0) + 1
            if self.active[job.job_id] > 1:
                self.overlaps.append(job.job_id)
        try:
            yield
        finally:
            with self.lock:
                self.active[job.job_id] -= 1


@dataclass
class ErasureHandlers:
    """A locate stage finding the person's rows in every store (and adding one erase task per
    store that has some), and an erase stage clearing them with a guarded UPDATE."""

    folder: Path
    gate: Path | None = None
    gate_store: str | None = None
    approval: bool = False
    delay: float = 0.0
    calls: Calls = field(default_factory=Calls)

    def handlers(self) -> Mapping[str, TaskHandler]:
        return {"locate": self.locate, "erase": self.erase}

    def locate(self, *, job: JobContext, task: TaskContext) -> TaskResult:
        with self.calls.running(job, task):
            state = json.loads(job.payload or b"{}")
            found: dict[str, list[int]] = {}
            for store in STORES:
                with closing(sqlite3.connect(store_path(self.folder, store))) as conn:
                    query = "SELECT id FROM customers WHERE email = ? ORDER BY id"
                    ids = [row[0] for row in conn.execute(query, (state["email"],))]
                if ids:
                    found[store] = ids
            time.sleep(self.delay)
            return TaskResult(
                rows_planned=sum(len(ids) for ids in found.values()),
                payload=json.dumps({**state, "found": found}).encode(),
                new_tasks=[TaskSpec(stage="erase", name=f"{s}.customers") for s in found],
                approval_stage="erase" if self.approval else None,
            )

    def erase(self, *, job: JobContext, task: TaskContext) -> TaskResult:
        with self.calls.running(job, task):
            store = task.name.split(".")[0]
            ids = json.loads(job.payload or b"{}")["found"][store]
            path = store_path(self.folder, store)
            with closing(sqlite3.connect(path, timeout=30)) as conn, conn:
                marks = ",".join("?" * len(ids))
                done = conn.execute(
                    f"UPDATE customers SET email = NULL, erased = 1 "
                    f"WHERE id IN ({marks}) AND erased = 0",
                    ids,
                ).rowcount
            if self.gate is not None and store == self.gate_store:
                _pass_gate(self.gate)
            time.sleep(self.delay)
            return TaskResult(rows_planned=len(ids), rows_written=done)


def erasure_job(
    database: Database, cipher: FieldCipher, request_id: str, *, actor: str = "staff:test"
) -> JobOut:
    """A queued erasure job of one locate task, with the person's e-mail as working data."""
    with database.uow() as session:
        return create_job(
            session=session,
            cipher=cipher,
            request_id=request_id,
            kind=JobKind.ERASURE,
            actor=actor,
            tasks=[TaskSpec(stage="locate", name="all stores")],
            payload=json.dumps({"email": PERSON}).encode(),
        )


def read_job(database: Database, job_id: str) -> JobOut:
    with database.read() as session:
        return get_job(session=session, job_id=job_id)


def chain_of(database: Database, job_id: str) -> list[AuditEntry]:
    """The job's audit entries in chain order."""
    with database.read() as session:
        query = select(AuditEntry).where(AuditEntry.object_id == job_id)
        return list(session.execute(query.order_by(AuditEntry.seq)).scalars())


def actions(entries: list[AuditEntry]) -> list[str]:
    return [entry.action.removeprefix("fulfilment.") for entry in entries]


def wait_for(what: Callable[[], T | None], *, timeout: float = 60.0, every: float = 0.05) -> T:
    """Poll `what` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s")
        time.sleep(every)


class BoomError(InputError):
    """A kojin error a handler raises (its message names a field, as kojin's do)."""


def details_text(entries: list[AuditEntry]) -> str:
    """Everything the chain holds about the job, as one text (to look for personal values)."""
    parts: list[Any] = [(e.actor, e.action, e.details) for e in entries]
    return json.dumps(parts, default=str)
