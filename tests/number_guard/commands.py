"""Command output looked at for numbers: CLI runs in this process and kojin processes.

* ``CliRunner.invoke`` of click and of Typer: the result's stdout and
  stderr, and the exception the run ended with (Python prints it when kojin runs for real).
* What a test reads back with ``capsys`` / ``capfd`` (``readouterr``): in-process runs of
  ``kojin.cli.main`` write there. What a test leaves uncaptured is inspected by the plugin from
  the report's "Captured stdout/stderr" sections.
* kojin run as a subprocess: tests hand the captured output to :func:`guard_completed` or
  :func:`guard_output`.
"""

from __future__ import annotations

import shlex
import subprocess
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click.testing
import typer.testing
from _pytest.capture import CaptureFixture, CaptureResult

from number_guard import sink

_ARG_WIDTH = 40
_Invoke = Callable[..., Any]
#: the runners whose ``invoke`` is wrapped: click's, and Typer's (a class of its own today; if
#: it ever calls click's again, the depth count below inspects its result once)
_RUNNERS: tuple[Any, ...] = (
    click.testing.CliRunner,
    typer.testing.CliRunner,
)
_original_invokes = {runner: runner.__dict__["invoke"] for runner in _RUNNERS}
_original_readouterr = CaptureFixture.readouterr


def command_label(args: str | Sequence[str] | None) -> str:
    """A short, readable command line (long inline scripts cut, the executable's folder off)."""
    if args is None:
        return ""
    parts = shlex.split(args) if isinstance(args, str) else [str(arg) for arg in args]
    shown = []
    for index, part in enumerate(parts):
        if index == 0 and "/" in part:
            part = part.rsplit("/", 1)[1]
        part = " ".join(part.split())
        shown.append(part if len(part) <= _ARG_WIDTH else part[: _ARG_WIDTH - 1] + "…")
    return " ".join(shown)


def _exception_text(exception: BaseException | None) -> str:
    if exception is None or isinstance(exception, SystemExit):
        return ""
    return "".join(traceback.format_exception_only(exception))


def _command_name(cli: Any) -> str:
    info = getattr(cli, "info", None)  # a Typer app
    name = getattr(info, "name", None) if info is not None else getattr(cli, "name", None)
    return name if isinstance(name, str) and name else "cli"


_depth = threading.local()


def _wrap_invoke(original: _Invoke) -> _Invoke:
    def invoke(self: Any, cli: Any, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        depth = getattr(_depth, "value", 0)
        _depth.value = depth + 1
        try:
            result = original(self, cli, args, *rest, **kwargs)
        finally:
            _depth.value = depth
        if depth == 0 and sink.active():
            label = f"CLI `{' '.join(filter(None, [_command_name(cli), command_label(args)]))}`"
            sink.inspect("cli", f"{label} stdout", result.stdout)
            sink.inspect("cli", f"{label} stderr", result.stderr)
            sink.inspect("cli", f"{label} exception", _exception_text(result.exception))
        return result

    return invoke


def _readouterr(self: CaptureFixture[Any]) -> CaptureResult[Any]:
    captured = _original_readouterr(self)
    if sink.active():
        for stream, text in (("stdout", captured.out), ("stderr", captured.err)):
            decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            sink.inspect("output", f"{stream} read back by the test", decoded)
    return captured


def _text(output: str | bytes | None) -> str:
    if output is None:
        return ""
    return output.decode("utf-8", "replace") if isinstance(output, bytes) else output


def guard_output(command: str | Sequence[str], output: str | bytes | None) -> None:
    """Inspect `output` of a kojin process (a log file it wrote, a pipe read by the test)."""
    sink.inspect("process", f"output of `{command_label(command)}`", _text(output))


_Completed = TypeVar("_Completed", bound=subprocess.CompletedProcess[Any])


def guard_completed(done: _Completed, *, command: str | Sequence[str] | None = None) -> _Completed:
    """Inspect the captured stdout and stderr of a finished kojin process; returns `done`.

    Use it around ``subprocess.run(..., capture_output=True)`` of any command that runs kojin.
    """
    label = command_label(command if command is not None else done.args)
    sink.inspect("process", f"stdout of `{label}`", _text(done.stdout))
    sink.inspect("process", f"stderr of `{label}`", _text(done.stderr))
    return done


def install() -> None:
    """Wrap the CLI runners and ``readouterr``."""
    for runner, original in _original_invokes.items():
        runner.invoke = _wrap_invoke(original)
    CaptureFixture.readouterr = _readouterr  # type: ignore[method-assign]


def uninstall() -> None:
    """Put back what :func:`install` wrapped."""
    for runner, original in _original_invokes.items():
        runner.invoke = original
    CaptureFixture.readouterr = _original_readouterr  # type: ignore[method-assign]
