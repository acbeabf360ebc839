"""Signed checkpoints written at intervals by a running server.

Start one :class:`PeriodicCheckpoints` per process when the server starts and stop it when it
stops, e.g. in the API's lifespan::

    checkpoints = PeriodicCheckpoints.from_settings(settings, database)
    checkpoints.start()
    try:
        yield
    finally:
        checkpoints.stop()

Several worker processes may each run one on the same file: every write holds the file's lock
and is skipped when the chain head has not moved since the file's last checkpoint, so each head
is signed once.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from kojin.audit.checkpoints import Checkpoint, default_checkpoints_path, write_checkpoint
from kojin.audit.signing import SigningKey, load_or_create_signing_key
from kojin.db.uow import Database
from kojin.errors import KojinError
from kojin.settings import Settings

log = logging.getLogger("kojin.audit")


class PeriodicCheckpoints:
    """A daemon thread that signs the chain head every `interval` seconds when it has moved.

    :meth:`start` starts the thread (nothing when `interval` is 0); :meth:`stop` wakes it, lets
    it write a last checkpoint when the head moved (`final`), and waits for it to end. A failure
    (the chain no longer extends the last checkpoint, a file that cannot be written) is logged
    as an error, without values, and tried again at the next interval.
    """

    def __init__(
        self,
        *,
        database: Database,
        key: SigningKey | None,
        path: Path,
        interval: float,
        keys_dir: Path | None = None,
    ) -> None:
        self._database = database
        self._key = key
        self._keys_dir = keys_dir
        self._path = path
        self._interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._final = True
        #: checkpoints this instance wrote, newest last (for tests and diagnostics)
        self.written: list[Checkpoint] = []

    @classmethod
    def from_settings(
        cls, settings: Settings, database: Database, *, path: Path | None = None
    ) -> PeriodicCheckpoints:
        """Every ``settings.checkpoint_interval`` seconds to `path` (default
        ``<home>/audit-checkpoints.jsonl``), signed with the keys folder's key (created on the
        first write)."""
        return cls(
            database=database,
            key=None,
            keys_dir=settings.resolved_keys_dir(),
            path=path or default_checkpoints_path(settings),
            interval=settings.checkpoint_interval,
        )

    def start(self) -> None:
        """Start the thread (a no-op when the interval is 0 or it is running)."""
        if self._interval <= 0 or self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, name="kojin-audit-checkpoints", daemon=True
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self, *, final: bool = True, timeout: float | None = 30.0) -> None:
        """Stop the thread; with `final`, it first signs the head if it moved."""
        thread = self._thread
        if thread is None:
            return
        self._final = final
        self._stopping.set()
        thread.join(timeout)
        self._thread = None

    def write_now(self) -> Checkpoint | None:
        """One checkpoint when the head moved since the file's last one (None otherwise)."""
        if self._key is None:
            assert self._keys_dir is not None
            self._key = load_or_create_signing_key(self._keys_dir)
        checkpoint = write_checkpoint(
            database=self._database, key=self._key, path=self._path, only_if_moved=True
        )
        if checkpoint is not None:
            self.written.append(checkpoint)
        return checkpoint

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self._write_logged()
        if self._final:
            self._write_logged()

    def _write_logged(self) -> None:
        try:
            self.write_now()
        except KojinError as exc:
            log.error("audit checkpoint not written: %s", exc.message)
        except Exception as exc:  # a database or file failure must not end the thread
            log.error("audit checkpoint not written: %s", type(exc).__name__)
