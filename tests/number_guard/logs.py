"""Every log record, of every logger and level, in every thread, looked at for numbers.

A handler on the root logger inspects each record: the formatted message, the raw message and
each argument on their own (a format such as ``%.4s`` would hide part of an argument), the
exception and stack text a formatter would print, and any ``extra=`` fields (a structured
formatter prints those). Records that never reach the root logger (a logger with
``propagate = False``, such as the worker's stderr logger, or a root logger whose handlers a
``dictConfig`` replaced) are handed to the same handler by a wrapper around
``Logger.callHandlers``.

kojin's own records are inspected at every level: ``Logger.isEnabledFor`` says yes to kojin's
loggers, and a record below its logger's level goes to the guard alone, so no other handler (nor
``caplog``) sees anything it would not have seen. Other libraries keep their levels.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

from number_guard import sink
from number_guard.detect import find_numbers

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}
_original_call_handlers = logging.Logger.callHandlers
_original_is_enabled_for = logging.Logger.isEnabledFor


def _exception_text(exc_info: Any) -> str:
    if isinstance(exc_info, BaseException):
        return "".join(traceback.format_exception(exc_info))
    if isinstance(exc_info, tuple) and len(exc_info) == 3 and exc_info[1] is not None:
        return "".join(traceback.format_exception(*exc_info))
    return ""


def _parts(record: logging.LogRecord) -> Iterator[tuple[str, str]]:
    try:
        yield "message", record.getMessage()
    except Exception:  # a malformed format: the raw message and the arguments remain
        yield "message", str(record.msg)
    args = record.args
    if args:
        values = args.values() if isinstance(args, dict) else args
        yield "args", "\n".join(str(value) for value in values)
    if record.exc_info:
        yield "exc_info", _exception_text(record.exc_info)
    if record.exc_text:
        yield "exc_text", record.exc_text
    if record.stack_info:
        yield "stack_info", record.stack_info
    extras = [f"{key}={value}" for key, value in vars(record).items() if key not in _STANDARD]
    if extras:
        yield "extra", "\n".join(extras)


class NumberGuardHandler(logging.Handler):
    """Inspects every record it is handed; writes nothing."""

    def emit(self, record: logging.LogRecord) -> None:
        if not sink.active():
            return
        place = f"log record of {record.name!r} ({record.levelname} at "
        place += f"{record.filename}:{record.lineno})"
        for part, text in _parts(record):  # the first part that shows a number is enough
            hits = find_numbers(text)
            if hits:
                sink.add("log", f"{place} in its {part}", hits)
                return


HANDLER = NumberGuardHandler()


def _reaches_handler(logger: logging.Logger) -> bool:
    current: logging.Logger | None = logger
    while current is not None:
        if current.parent is None:
            return HANDLER in current.handlers
        if not current.propagate:
            return False
        current = current.parent
    return False  # pragma: no cover - the loop returns at the top of the hierarchy


def _is_kojin(logger: logging.Logger) -> bool:
    return logger.name == "kojin" or logger.name.startswith("kojin.")


def _is_enabled_for(self: logging.Logger, level: int) -> bool:
    if _is_kojin(self):  # every level is produced, for the guard's eyes only (below)
        return not self.disabled and self.manager.disable < level
    return _original_is_enabled_for(self, level)


def _call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
    if _is_kojin(self) and record.levelno < self.getEffectiveLevel():  # produced for the guard
        HANDLER.handle(record)
        return
    if not _reaches_handler(self):
        HANDLER.handle(record)
    _original_call_handlers(self, record)


def install() -> None:
    """Start inspecting records: the root handler, and the wrappers of ``Logger``."""
    logging.getLogger().addHandler(HANDLER)
    logging.Logger.isEnabledFor = _is_enabled_for  # type: ignore[method-assign]
    logging.Logger.callHandlers = _call_handlers  # type: ignore[method-assign]


def uninstall() -> None:
    """Put back what :func:`install` changed."""
    logging.getLogger().removeHandler(HANDLER)
    logging.Logger.isEnabledFor = _original_is_enabled_for  # type: ignore[method-assign]
    logging.Logger.callHandlers = _original_call_handlers  # type: ignore[method-assign]
