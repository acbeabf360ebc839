"""Where findings go: the collector of the test that is running, else the session's.

The watchers (log handler, HTTP clients, live servers, CLI runner) call :func:`inspect` or
:func:`add` from any thread. A finding belongs to whichever test is running when it is made,
so a record logged by a background thread lands on the test that started the thread's work.

Guards stack: a pytest session run inside a test (``pytester``) pushes its own guard, and while
it runs, findings go to its tests and not to the test that started it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from number_guard.detect import Hit, find_numbers, mask

#: findings kept per place (the rest are counted)
_KEEP_PER_PLACE = 3
#: places kept per collector (the rest are counted)
_KEEP_PLACES = 20


@dataclass(frozen=True)
class Finding:
    """Valid individual numbers found in one place (masked: the number is never kept)."""

    channel: str
    where: str
    hits: tuple[Hit, ...]
    count: int

    def describe(self) -> str:
        first, more = self.hits[0], self.count - 1
        extra = f" (and {more} more there)" if more else ""
        return f"{self.where}: {first.form}{extra}: …{first.context}…"


class Collector:
    """The findings of one test (or of the session outside any test)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._lock = threading.Lock()
        self._findings: list[Finding] = []
        self.dropped = 0

    def add(self, finding: Finding) -> None:
        with self._lock:
            if len(self._findings) < _KEEP_PLACES:
                self._findings.append(finding)
            else:
                self.dropped += 1

    def drain(self) -> list[Finding]:
        with self._lock:
            findings, self._findings = self._findings, []
            return findings


class Guard:
    """One pytest session's guard: a session collector and the current test's collector."""

    def __init__(self) -> None:
        self.session = Collector("outside any test")
        self.test: Collector | None = None

    @property
    def target(self) -> Collector:
        return self.test or self.session


_stack: list[Guard] = []
_stack_lock = threading.Lock()


def push(guard: Guard) -> None:
    with _stack_lock:
        _stack.append(guard)


def pop(guard: Guard) -> None:
    with _stack_lock:
        _stack.remove(guard)


def active() -> bool:
    """Whether any guard is listening (watchers skip their work when none is)."""
    return bool(_stack)


def add(channel: str, where: str, hits: Iterable[Hit]) -> None:
    """Hand `hits` found at `where` to the innermost guard's current collector."""
    kept = tuple(hits)
    if not kept or not _stack:
        return
    finding = Finding(
        channel=channel, where=mask(where), hits=kept[:_KEEP_PER_PLACE], count=len(kept)
    )
    _stack[-1].target.add(finding)


def inspect(channel: str, where: str, text: str) -> None:
    """Look for numbers in `text`, shown to someone at `where`."""
    if _stack and text:
        add(channel, where, find_numbers(text))
