"""The one place kojin reaches below google-re2's public Python API (written against 1.1).

The public wrappers (``re2.compile(...).search``, ``re2.Set.Match``) build a Python match object
or wrapper frame per call; on dense text the matcher calls RE2 once or twice per candidate, and
that wrapper costs more than the search itself. So the matcher uses the binding underneath:

* ``re2._Anchor``: the anchor values of ``RE2::Anchor`` (unanchored, start, both ends);
* ``compiled._regexp.Match(anchor, text, pos, endpos)``: the ``(start, end)`` span of the match
  and of each group, ``(-1, -1)`` when nothing matched;
* ``re2.Set(...)._set.Match(text)``: the indices of the patterns of a set that match.

Everything else in kojin uses the public API. :func:`verify_binding` checks that these calls still
behave as the public API does (the test suite runs it); when google-re2 changes them, importing
this module or that check fails with :class:`Re2BindingError` naming what changed. pyproject.toml
bounds google-re2 below its next major version for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

import re2

from kojin.errors import ConfigurationError

#: (anchor, text, pos, endpos) -> the spans of the match and of each group
SpanMatch = Callable[[Any, bytes, int, int], list[tuple[int, int]]]
#: text -> indices of the set's patterns that match it (empty: none)
SetMatch = Callable[[bytes], list[int]]


class Re2BindingError(ConfigurationError):
    """google-re2 no longer offers a low-level call this module relies on."""


def _installed() -> str:
    from importlib.metadata import PackageNotFoundError, version  # only to word an error

    try:
        return version("google-re2")
    except PackageNotFoundError:  # pragma: no cover - the binding imported, so it is installed
        return "unknown"


def _changed(what: str) -> Re2BindingError:
    return Re2BindingError(
        f"google-re2 {_installed()} changed {what}, which kojin.discovery.re2_adapter relies on "
        "(written against google-re2 1.1): install google-re2>=1.1,<2 or update the adapter"
    )


try:
    _ANCHOR: Final[Any] = re2._Anchor
    UNANCHORED: Final[Any] = _ANCHOR.UNANCHORED
    ANCHOR_START: Final[Any] = _ANCHOR.ANCHOR_START
    ANCHOR_BOTH: Final[Any] = _ANCHOR.ANCHOR_BOTH
except AttributeError as exc:  # pragma: no cover - exercised only by a changed binding
    raise _changed("re2._Anchor (UNANCHORED, ANCHOR_START, ANCHOR_BOTH)") from exc


def options(*, longest: bool, capture: bool, max_mem: int | None = None) -> Any:
    """RE2 options (public API): leftmost-longest or leftmost-first, captures on or off."""
    opts = re2.Options()
    opts.log_errors = False
    opts.longest_match = longest
    opts.never_capture = not capture
    if max_mem is not None:
        opts.max_mem = max_mem
    return opts


def span_match(pattern: str, opts: Any) -> SpanMatch:
    """The low-level match call of `pattern` compiled with `opts`."""
    compiled = re2.compile(pattern, opts)
    try:
        match: SpanMatch = compiled._regexp.Match
    except AttributeError as exc:
        raise _changed("the compiled pattern's _regexp.Match") from exc
    return match


def set_match(patterns: Iterable[str], opts: Any) -> SetMatch:
    """The low-level match call of a set of `patterns`, each anchored at both ends."""
    full = re2.Set.FullMatchSet(opts)
    for pattern in patterns:
        full.Add(pattern)
    full.Compile()
    try:
        match: SetMatch = full._set.Match
    except AttributeError as exc:
        raise _changed("re2.Set's _set.Match") from exc
    return match


def verify_binding() -> None:
    """Raise :class:`Re2BindingError` unless the low-level calls agree with the public API."""
    text = b"tel 090-1234-5678, 03-1234-5678"
    pattern = "(?P<value>[0-9]{2,3})-[0-9]{4}-[0-9]{4}"
    public = re2.compile(pattern, options(longest=True, capture=True))
    found = public.search(text)
    if found is None:  # pragma: no cover - the public API itself changed
        raise _changed("re2.compile(...).search")
    expected = [found.span(), found.span(public.groupindex["value"])]
    try:
        spans = span_match(pattern, options(longest=True, capture=True))(
            UNANCHORED, text, 0, len(text)
        )
        first = [tuple(span) for span in spans]
        anchored = span_match(pattern, options(longest=True, capture=False))(
            ANCHOR_BOTH, text, 4, 17
        )[0]
        missing = span_match(pattern, options(longest=True, capture=False))(
            ANCHOR_START, text, 0, len(text)
        )[0]
        ids = sorted(
            set_match(["[0-9-]+", "0[0-9]0-.*", "x"], options(longest=False, capture=False))(
                b"090-1234-5678"
            )
        )
    except (TypeError, ValueError, IndexError) as exc:
        raise _changed(f"the signature of its low-level Match calls ({exc})") from exc
    if first != expected:
        raise _changed(f"what _regexp.Match returns (spans {first}, public API {expected})")
    if tuple(anchored) != (4, 17) or tuple(missing) != (-1, -1):
        raise _changed("the anchoring of _regexp.Match")
    if ids != [0, 1]:
        raise _changed(f"what Set._set.Match returns ({ids}, expected [0, 1])")
