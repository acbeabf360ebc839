"""Shared helpers for CLI output: one place that writes errors and JSON."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, NoReturn

import orjson

from kojin.errors import InputError, KojinError

if TYPE_CHECKING:
    from rich.console import Console

    from kojin.settings import Settings


@cache
def stderr_console() -> Console:
    """The console for progress bars and notes on stderr, so that stdout stays data a pipe can
    read (made on first use: a command that draws nothing never loads Rich)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal: progress bars are drawn only there."""
    return sys.stderr.isatty()


class ProgressTask:
    """One task of a progress bar on stderr, or nothing at all where stderr is no terminal."""

    def __init__(self, update: Callable[..., None] | None = None) -> None:
        self._update = update

    def advance(self, done: int) -> None:
        """Count `done` more units of work."""
        if self._update is not None:
            self._update(advance=done)

    def set_total(self, total: int) -> None:
        """Set the units of work in all (counted from zero again)."""
        if self._update is not None:
            self._update(total=max(total, 1), completed=0)


@contextmanager
def progress_task(label: str, *, transient: bool = False) -> Iterator[ProgressTask]:
    """A progress bar with one task of unknown size, drawn on stderr when it is a terminal
    (elsewhere nothing is drawn, and Rich is not loaded)."""
    if not stderr_is_terminal():
        yield ProgressTask()
        return
    from rich.progress import Progress

    with Progress(console=stderr_console(), transient=transient) as bar:
        task = bar.add_task(label, total=None)
        yield ProgressTask(lambda **change: bar.update(task, **change))


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print ``kojin: error: message`` as one line on stderr and exit with `code`."""
    sys.stderr.write(f"kojin: error: {message}\n")
    sys.stderr.flush()
    raise SystemExit(code)


def write_json_line(payload: object, *, flush: bool = True) -> None:
    """Write one compact JSON document and a newline to stdout; `flush` (the default) lets a
    reader of a pipe see each line at once, while bulk output leaves flushing to the end."""
    sys.stdout.buffer.write(orjson.dumps(payload) + b"\n")
    if flush:
        sys.stdout.flush()


@contextmanager
def cli_errors() -> Iterator[None]:
    """kojin's errors inside a command become one line on stderr: exit 2 for bad input, else 1.

    Commands use this so that they behave the same under the console script and under a test
    runner that invokes the Typer app directly.
    """
    try:
        yield
    except InputError as exc:
        fail(exc.message, code=2)
    except KojinError as exc:
        fail(exc.message, code=1)
    except Exception as exc:
        if not _database_unreachable(exc):
            raise
        fail("cannot use the registry database: check KOJIN_DATABASE_URL and the server", code=1)


def _database_unreachable(exc: Exception) -> bool:
    """Whether `exc` is SQLAlchemy's OperationalError (looked up only if SQLAlchemy is loaded,
    so that commands without a database never import it)."""
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    operational = getattr(sqlalchemy_errors, "OperationalError", None)
    return isinstance(operational, type) and isinstance(exc, operational)


def cli_actor() -> str:
    """Who is acting, for the audit chain: the operating-system user of the command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def load_settings() -> Settings:
    """The settings in force, read when a command needs them (pydantic-settings is loaded then,
    not for ``--help``); an invalid ``KOJIN_*`` variable raises :class:`SettingsError`."""
    from kojin.settings import get_settings

    return get_settings()
