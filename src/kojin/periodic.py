"""A daemon thread that does one piece of work every `interval` seconds.

The first run comes one interval after :meth:`PeriodicThread.start`; nothing runs when the
interval is 0. A failure is logged by kojin's message or the exception's class (never values)
and the work is tried again at the next interval, so a database that is away for a while does
not end the thread.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod

from kojin.errors import KojinError


class PeriodicThread(ABC):
    """Subclasses do their work in :meth:`run_now`."""

    def __init__(self, *, interval: float, name: str, log: logging.Logger) -> None:
        self._interval = interval
        self._name = name
        self._log = log
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def interval(self) -> float:
        return self._interval

    @abstractmethod
    def run_now(self) -> object:
        """One run of the work, in the caller's thread."""

    def start(self) -> None:
        """Start the thread (a no-op when the interval is 0 or it is running)."""
        if self._interval <= 0 or self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"kojin-{self._name}", daemon=True)
        self._thread.start()

    def stop(self, *, timeout: float | None = 30.0) -> None:
        """Wake the thread and wait for it to end."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self.run_now()
            except KojinError as exc:
                self._log.error("%s failed: %s", self._name, exc.message)
            except Exception as exc:  # a database failure must not end the thread
                self._log.error("%s failed: %s", self._name, type(exc).__name__)
