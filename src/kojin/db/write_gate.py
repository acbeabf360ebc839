"""Taking turns to write across worker processes.

SQLite lets one writer in at a time; a writer that finds the database locked polls with growing
sleeps (1, 2, 5, 10 ms …) until the lock is free. With several ``kojin serve``
workers writing decisions continuously, those sleeps dominate: the workers spend their time
waiting instead of writing. The decision recorder of each worker
(:mod:`kojin.registry.decisions.recorder`) therefore queues on an exclusive ``flock`` of a file
next to the database before it starts its transaction: the kernel wakes the next worker the
moment the previous one has committed.

PostgreSQL queues writers on its row lock on the chain head without polling, but a worker that
waits there has already fixed its group of decisions. Waiting at the gate instead, *before* it
takes its group, lets the decisions that arrive meanwhile join the same transaction: fewer,
larger transactions for the same load. The gate is an optimisation between the workers of one
server; the chain's consistency never depends on it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url

LOCK_SUFFIX = ".write-gate"


class FileWriteGate:
    """An exclusive advisory lock on `path`, held around each write transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._open_lock = threading.Lock()

    def _descriptor(self) -> int:
        with self._open_lock:
            if self._fd is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            return self._fd

    @contextmanager
    def __call__(self) -> Iterator[None]:
        fd = self._descriptor()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._open_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def write_gate_for(url: str | URL, *, home: Path) -> FileWriteGate:
    """The gate the workers of one ``kojin serve`` share: next to a SQLite file, else in the
    home folder (every worker of a server has the same KOJIN_HOME)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        database = Path(parsed.database)
        return FileWriteGate(database.with_name(database.name + LOCK_SUFFIX))
    return FileWriteGate(home / f"decisions{LOCK_SUFFIX}")
