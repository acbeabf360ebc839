"""``kojin decide``: answer decision requests read from standard input, one JSON decision each.

Input is one JSON request, or JSON lines (one request per line, blank lines ignored). Every request
is validated and decided before anything is written, so bad input produces no partial output:
exit 2 with a message naming the field (and the line, for JSON lines).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from pydantic import ValidationError

from kojin.cli.output import fail
from kojin.errors import PolicyError, RequestError
from kojin.law import Decision, DecisionRequest, Facts, PolicyFacts, decide
from kojin.policy import load_policy, to_facts
from kojin.settings import get_settings


def _where(line: int | None) -> str:
    return "" if line is None else f"line {line}: "


def _field_error(error: ValidationError, line: int | None) -> RequestError:
    first = error.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "(request)"
    more = error.error_count() - 1
    suffix = f" (and {more} more)" if more else ""
    return RequestError(f"{_where(line)}{field}: {first['msg']}{suffix}", field=field)


def _validate(document: Any, line: int | None) -> DecisionRequest:
    if not isinstance(document, dict):
        raise RequestError(f"{_where(line)}a request must be a JSON object", field="(request)")
    try:
        return DecisionRequest.model_validate(document)
    except ValidationError as error:
        raise _field_error(error, line) from None


def parse_requests(text: str) -> list[tuple[int | None, DecisionRequest]]:
    """One JSON document, or JSON lines; each request with its line number (None for one)."""
    if not text.strip():
        raise RequestError("no request on standard input", field="(request)")
    try:
        whole = orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    else:
        return [(None, _validate(whole, None))]
    parsed: list[tuple[int | None, DecisionRequest]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise RequestError(
                f"line {number}: not valid JSON ({error.msg} at column {error.colno})",
                field="(request)",
            ) from None
        parsed.append((number, _validate(document, number)))
    return parsed


def decide_all(
    requests: list[tuple[int | None, DecisionRequest]], policy: PolicyFacts
) -> list[Decision]:
    decisions: list[Decision] = []
    for line, request in requests:
        try:
            decisions.append(decide(request, policy, Facts.from_request(request)))
        except RequestError as error:
            field = f"{error.field}: " if error.field else ""
            raise RequestError(f"{_where(line)}{field}{error.message}", field=error.field) from None
    return decisions


def _policy_facts(path: Path | None) -> PolicyFacts:
    resolved = path if path is not None else get_settings().policy_file
    try:
        return to_facts(load_policy(resolved))
    except PolicyError as error:
        for issue in error.issues:
            typer.echo(str(issue), err=True)
        fail(error.message, code=2)


def decide_command(
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="Policy YAML file; defaults to KOJIN_POLICY_FILE, else the embedded policy.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Decide requests read from stdin (one JSON object, or JSON lines): one JSON decision each."""
    facts = _policy_facts(policy)
    try:
        decisions = decide_all(parse_requests(sys.stdin.read()), facts)
    except RequestError as error:
        fail(error.message, code=2)
    except UnicodeDecodeError:
        fail("standard input is not UTF-8 text", code=2)
    out = b"".join(orjson.dumps(d.model_dump(mode="json")) + b"\n" for d in decisions)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("decide")(decide_command)
