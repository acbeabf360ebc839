"""The one place kojin reads Python's regular-expression parser (``re._parser``, Python 3.11+).

The standard library has no public parser, and the matcher needs to know whether a pattern always
starts with a digit (:mod:`kojin.discovery.digit_start`). ``re._parser.parse`` returns the same
tree ``re.compile`` builds: a sequence of ``(opcode, argument)`` items. This module hands out that
tree and the opcodes kojin reads; :func:`verify_parser` checks their shape (the test suite runs
it), so a Python release that changes them fails with :class:`SreParserError` naming the change
instead of silently treating every pattern as "may start with anything".
"""

from __future__ import annotations

import sys
from typing import Any, Final

from kojin.errors import ConfigurationError

#: one parsed element: an opcode and its argument
Item = tuple[Any, Any]


class SreParserError(ConfigurationError):
    """Python's regular-expression parser no longer has the shape this module relies on."""


def _changed(what: str) -> SreParserError:
    version = ".".join(map(str, sys.version_info[:3]))
    return SreParserError(
        f"Python {version} changed {what} in re._parser, which kojin.discovery.sre_adapter "
        "relies on (written against Python 3.11-3.13): update the adapter"
    )


try:
    import re._parser as _parser  # type: ignore[import-not-found]  # the parser behind re.compile

    BRANCH: Final[Any] = _parser.BRANCH
    IN: Final[Any] = _parser.IN
    LITERAL: Final[Any] = _parser.LITERAL
    RANGE: Final[Any] = _parser.RANGE
    SUBPATTERN: Final[Any] = _parser.SUBPATTERN
    MAX_REPEAT: Final[Any] = _parser.MAX_REPEAT
    MIN_REPEAT: Final[Any] = _parser.MIN_REPEAT
except (ImportError, AttributeError) as exc:  # pragma: no cover - only on a changed Python
    raise _changed("the module or its opcodes") from exc


def parse(regex: str) -> list[Item]:
    """The parsed items of `regex`, in order (a valid Python regex)."""
    return list(_parser.parse(regex))


def sequence(argument: Any) -> list[Item]:
    """The items of a nested sequence (a group's body, a branch, a repeated element)."""
    return list(argument)


def verify_parser() -> None:
    """Raise :class:`SreParserError` unless the parser returns the tree shapes kojin reads."""
    checks: list[tuple[str, Any, Any]] = []
    [(op, arg)] = parse("7")
    checks.append(("LITERAL", (op, arg), (LITERAL, ord("7"))))
    [(op, arg)] = parse("[0-9]")
    checks.append(("IN/RANGE", (op, sequence(arg)), (IN, [(RANGE, (48, 57))])))
    [(op, arg)] = parse("[0-9]{2,3}")
    low, high, item = arg
    checks.append(("MAX_REPEAT", (op, low, high, sequence(item)[0][0]), (MAX_REPEAT, 2, 3, IN)))
    [(op, arg)] = parse("[0-9]+?")
    checks.append(("MIN_REPEAT", (op, arg[0]), (MIN_REPEAT, 1)))
    [(op, arg)] = parse("(?P<value>7x|8y)")
    checks.append(("SUBPATTERN", op, SUBPATTERN))
    [(inner_op, inner_arg)] = sequence(arg[-1])
    checks.append(("BRANCH", inner_op, BRANCH))
    branches = [sequence(branch)[0] for branch in inner_arg[1]]
    checks.append(("BRANCH arguments", branches, [(LITERAL, ord("7")), (LITERAL, ord("8"))]))
    for name, got, expected in checks:
        if got != expected:
            raise _changed(f"the parse tree of {name} (got {got!r}, expected {expected!r})")
