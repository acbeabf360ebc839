"""Loading a policy: YAML, then the schema, then the cross-references; every error positioned."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kojin.errors import PolicyError
from kojin.policy.model import Policy
from kojin.policy.references import dotted_path, find_reference_problems, printable
from kojin.policy.yaml_source import PositionIndex, YamlSyntaxError, parse_yaml

DEFAULT_POLICY_NAME = "default.yaml"
#: How the embedded default policy is named in messages.
DEFAULT_POLICY_LABEL = "<kojin>/policy/default.yaml"


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem in a policy file, printed as ``FILE:LINE:COLUMN: field.path: message``."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


def default_policy_text() -> str:
    return resources.files("kojin.policy").joinpath(DEFAULT_POLICY_NAME).read_text(encoding="utf-8")


def load_policy(path: Path | None = None) -> Policy:
    """Load and validate a policy; ``None`` loads the embedded default policy.

    Raises :class:`kojin.errors.PolicyError` whose ``issues`` are :class:`PolicyIssue` items.
    """
    if path is None:
        return _default_policy()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _single(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise _single(str(path), f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise _single(str(path), f"cannot read the file ({exc.strerror})") from None
    return parse_policy(text, source=str(path))


@lru_cache(maxsize=1)
def _default_policy() -> Policy:
    """The embedded policy, parsed once per process (a frozen value, so a pure memo)."""
    return parse_policy(default_policy_text(), source=DEFAULT_POLICY_LABEL)


def _single(source: str, message: str) -> PolicyError:
    issue = PolicyIssue(source, 1, 1, "<document>", message)
    return PolicyError(f"{source}: {message}", issues=[issue])


def parse_policy(text: str, *, source: str) -> Policy:
    """Validate policy YAML `text`; `source` names the file in issues."""
    try:
        data, index, yaml_issues = parse_yaml(text)
    except YamlSyntaxError as exc:
        issue = PolicyIssue(
            source, exc.position.line, exc.position.column, "<document>", exc.message
        )
        raise PolicyError(str(issue), issues=[issue]) from None

    issues = [
        PolicyIssue(source, i.position.line, i.position.column, dotted_path(i.path), i.message)
        for i in yaml_issues
    ]
    if data is None:
        data = {}
    try:
        policy = Policy.model_validate(data, context={"defer_references": True})
    except ValidationError as exc:
        issues.extend(_schema_issues(exc, index, source))
        raise _policy_error(source, issues) from None
    issues.extend(
        _issue(source, index, problem.path, problem.message, key=False)
        for problem in find_reference_problems(policy)
    )
    if issues:
        raise _policy_error(source, issues)
    return policy


def _policy_error(source: str, issues: list[PolicyIssue]) -> PolicyError:
    ordered = sorted(issues, key=lambda i: (i.line, i.column, i.path))
    noun = "problem" if len(ordered) == 1 else "problems"
    return PolicyError(f"{source}: {len(ordered)} {noun} in the policy", issues=list(ordered))


def _issue(
    source: str, index: PositionIndex, path: tuple[str | int, ...], message: str, *, key: bool
) -> PolicyIssue:
    position = index.of_key(path) if key else index.of_value(path)
    return PolicyIssue(source, position.line, position.column, dotted_path(path), message)


def _schema_issues(exc: ValidationError, index: PositionIndex, source: str) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    for error in exc.errors(include_url=False):
        path = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        kind = error["type"]
        if kind == "extra_forbidden":
            message = f"unknown key '{printable(str(path[-1]))}'" if path else "unknown key"
            issues.append(_issue(source, index, path, message, key=True))
        elif kind == "missing":
            issues.append(_issue(source, index, path, "required field is missing", key=True))
        else:
            issues.append(_issue(source, index, path, _message(error), key=False))
    return issues


def _message(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
