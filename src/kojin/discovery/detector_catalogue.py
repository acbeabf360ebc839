"""The detector registry: the built-in detectors plus any a YAML file adds or disables.

A company extends the registry with its own identifiers (employee numbers, customer numbers), so
that the ledger can list every place they live (R-PM-1)::

    detectors:
      - kind: employee_number
        category: custom
        patterns: [{name: emp, regex: 'EMP-[0-9]{6}', score: 0.9}]
    disable: [ip_address]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import re2
import yaml
from pydantic import ValidationError

from kojin.discovery.model import DetectorFile, DetectorSpec
from kojin.errors import InputError

_VALUE_GROUP = "(?P<value>"


def _check_regex(spec: DetectorSpec, *, source: str) -> None:
    options = re2.Options()
    options.log_errors = False
    for pattern in spec.patterns:
        where = f"{source}: detector {spec.kind!r} pattern {pattern.name!r}"
        try:
            re2.compile(pattern.regex, options)
        except re2.error as exc:
            raise InputError(f"{where}: not a valid RE2 pattern ({exc})", field="regex") from exc
        try:
            compiled = re.compile(pattern.regex)
        except re.error as exc:
            raise InputError(f"{where}: not a valid Python pattern ({exc})", field="regex") from exc
        if set(compiled.groupindex) - {"value"}:
            raise InputError(f"{where}: the only named group allowed is 'value'", field="regex")


#: libyaml's safe loader where PyYAML was built with it (ten times faster), else the Python one
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_detector_file(text: str, *, source: str, check_regexes: bool = True) -> DetectorFile:
    """Validate one detector YAML document; errors name the file and the field.

    `check_regexes` compiles every pattern under RE2 and Python ``re`` to name the one that does
    not compile; the built-in file, checked by the test suite, skips it at start-up.
    """
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)  # a safe loader
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML ({exc.__class__.__name__})") from exc
    try:
        parsed = DetectorFile.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise InputError(f"{source}: {field}: {first['msg']}", field=field) from exc
    if check_regexes:
        for spec in parsed.detectors:
            _check_regex(spec, source=source)
    return parsed


@dataclass(frozen=True)
class DetectorRegistry:
    """An ordered, immutable set of detectors keyed by kind."""

    detectors: tuple[DetectorSpec, ...]

    def __iter__(self) -> Iterator[DetectorSpec]:
        return iter(self.detectors)

    def __len__(self) -> int:
        return len(self.detectors)

    def kinds(self) -> tuple[str, ...]:
        return tuple(spec.kind for spec in self.detectors)

    def get(self, kind: str) -> DetectorSpec:
        for spec in self.detectors:
            if spec.kind == kind:
                return spec
        raise InputError(f"unknown detector kind {kind!r}", field="kind")

    def extended(self, extra: DetectorFile, *, source: str = "detector file") -> DetectorRegistry:
        """This registry plus `extra`'s detectors (same kind replaces), minus its disables."""
        unknown = set(extra.disable) - set(self.kinds()) - {d.kind for d in extra.detectors}
        if unknown:
            raise InputError(
                f"{source}: disable names unknown detector(s): {sorted(unknown)}", field="disable"
            )
        by_kind = {spec.kind: spec for spec in self.detectors}
        for spec in extra.detectors:
            by_kind[spec.kind] = spec
        kept = tuple(spec for kind, spec in by_kind.items() if kind not in set(extra.disable))
        return DetectorRegistry(detectors=kept)


def builtin_detector_text() -> str:
    """The YAML text of the built-in detectors."""
    return resources.files("kojin.discovery").joinpath("builtin_detectors.yaml").read_text("utf-8")


def builtin_registry() -> DetectorRegistry:
    """The detectors shipped with kojin (``builtin_detectors.yaml``)."""
    parsed = parse_detector_file(
        builtin_detector_text(), source="builtin_detectors.yaml", check_regexes=False
    )
    return DetectorRegistry(detectors=parsed.detectors)


def load_registry(*, extra_files: Iterable[Path] = ()) -> DetectorRegistry:
    """The built-in registry extended by each YAML file in `extra_files`, in order."""
    registry = builtin_registry()
    for path in extra_files:
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise InputError(f"cannot read detector file {path}: {exc.strerror}") from exc
        registry = registry.extended(parse_detector_file(text, source=str(path)), source=str(path))
    return registry


def strip_value_group(regex: str) -> str:
    """The regex with its ``value`` group made non-capturing (for the combined candidate pass)."""
    return regex.replace(_VALUE_GROUP, "(?:")


def value_regex(regex: str) -> str:
    """The part of `regex` inside its ``value`` group, or the whole regex when it has none.

    Used to classify table cells, which hold bare values without the leading context words.
    """
    at = regex.find(_VALUE_GROUP)
    if at < 0:
        return regex
    depth, escaped, in_class = 1, False, False
    i = at + len(_VALUE_GROUP)
    while i < len(regex):
        ch = regex[i]
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if regex[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return regex[at + len(_VALUE_GROUP) : i]
        i += 1
    raise InputError(f"unbalanced value group in pattern {regex[:40]!r}...", field="regex")
