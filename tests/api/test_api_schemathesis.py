"""Schemathesis against the application (ASGI, no server) with an admin token: every operation,
data that fits the schema and data that does not, bounded in examples.

Every response must be a non-5xx whose status, media type and body the OpenAPI document
declares for that operation. The run collects every problem of every operation before it
fails, so one report lists them all; the PostgreSQL run (NUL bytes and 64-bit overflows fail
there, not on SQLite) is marked slow.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import Failure, FailureGroup

from kojin.api import create_app
from kojin.api.routers import policy as policy_router
from kojin.auth.roles import Role
from kojin.auth.service import create_token
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.settings import Settings

#: examples per operation and generation mode; ~45 operations x 2 modes
EXAMPLES = 25
#: a bound the whole run must stay under (the pytest timeout stops it regardless)
BUDGET_SECONDS = 120

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    requests: int = 0

    def add(self, label: str, mode: GenerationMode, case: Any, status: int, error: str) -> None:
        shape = _shape(case)
        first_line = error.strip().splitlines()[0] if error.strip() else type(error).__name__
        entry = f"{label} [{mode.value}] {status}: {first_line} | input {shape}"
        if entry not in self.problems:
            self.problems.append(entry)


_NAME = re.compile(r"[a-z_]{1,40}")


def _shape(case: Any) -> str:
    """What kind of input made the problem: the parts sent and their types, not the data."""
    parts: list[str] = []
    for name in ("path_parameters", "query"):
        value = getattr(case, name, None)
        if value:
            named = {k: type(v).__name__ for k, v in value.items() if _NAME.fullmatch(str(k))}
            others = len(value) - len(named)
            parts.append(f"{name}={named}" + (f" +{others} undeclared" if others else ""))
    body = getattr(case, "body", None)
    if isinstance(body, dict):
        parts.append(f"body keys={sorted(map(str, body))[:8]}")
    elif body is not None and not isinstance(body, type):
        parts.append(f"body={type(body).__name__}")
    return ", ".join(parts) or "none"


def _exercise(
    findings: Findings, label: str, mode: GenerationMode, strategy: Any, headers: dict[str, str]
) -> Any:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: Any) -> None:
        findings.requests += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                findings.add(label, mode, case, response.status_code, failure.title)
        except Failure as failure:
            findings.add(label, mode, case, response.status_code, failure.title)

    return exercise


def _run(schema: Any, headers: dict[str, str], *, only: str | None = None) -> Findings:
    findings = Findings()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if only is not None and label != only:
            continue
        takes_input = bool(operation.definition.raw.get("parameters")) or (
            "requestBody" in operation.definition.raw
        )
        modes = [GenerationMode.POSITIVE]
        if takes_input:  # an operation without input has no wrong input to send
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            strategy = operation.as_strategy(generation_mode=mode)
            try:
                _exercise(findings, label, mode, strategy, headers)()
            except Exception as error:  # generation itself failed
                findings.problems.append(f"{label} [{mode.value}] not generated: {error!r}")
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET_SECONDS, f"schemathesis took {elapsed:.0f} s"
    return findings


def _schema(settings_: Settings, database: Database) -> Iterator[tuple[Any, dict[str, str]]]:
    app = create_app(settings_, database=database)
    with database.uow() as session:
        _, token = create_token(session=session, role=Role.ADMIN, name="schemathesis")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    yield schema, {"Authorization": f"Bearer {token}"}


def _settings(tmp_path: Path, url: str) -> Settings:
    configured = Settings(home=tmp_path / "home", database_url=url)
    Keyring.generate(path=keyring_path(configured)).save()
    return configured


def _assert_clean(findings: Findings) -> None:
    assert findings.requests >= EXAMPLES
    assert findings.problems == [], (
        f"{len(findings.problems)} problems in {findings.requests} requests:\n"
        + "\n".join(findings.problems)
    )


@pytest.mark.timeout(150)
def test_schemathesis_on_sqlite_finds_no_5xx_and_no_schema_violation(
    tmp_path: Path, sqlite_url: str
) -> None:
    database = Database.from_url(sqlite_url)
    try:
        for schema, headers in _schema(_settings(tmp_path, sqlite_url), database):
            _assert_clean(_run(schema, headers))
    finally:
        database.dispose()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(300)
def test_schemathesis_on_postgresql_finds_no_5xx_and_no_schema_violation(
    tmp_path: Path, pg_url: str
) -> None:
    database = Database.from_url(pg_url)
    try:
        for schema, headers in _schema(_settings(tmp_path, pg_url), database):
            _assert_clean(_run(schema, headers))
    finally:
        database.dispose()


def test_the_run_reports_a_5xx(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness is not blind: an operation that answers 500 is in its report."""

    def broken(_: object) -> None:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(policy_router, "app_state", broken)
    database = Database.from_url(sqlite_url)
    try:
        for schema, headers in _schema(_settings(tmp_path, sqlite_url), database):
            findings = _run(schema, headers, only="GET /api/v1/policy")
    finally:
        database.dispose()
    assert findings.requests >= 1
    assert findings.problems
    assert all(" 500: " in problem for problem in findings.problems)
