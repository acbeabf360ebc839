"""Shared helpers for CLI output: one place that writes errors and JSON."""

from __future__ import annotations

import sys
from typing import NoReturn

import orjson
from rich.console import Console

stderr_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print ``kojin: error: message`` on stderr and exit with `code`."""
    stderr_console.print(f"kojin: error: {message}", markup=False)
    raise SystemExit(code)


def write_json_line(payload: object) -> None:
    """Write one compact JSON document and a newline to stdout."""
    sys.stdout.buffer.write(orjson.dumps(payload) + b"\n")
    sys.stdout.flush()
