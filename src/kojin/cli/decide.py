"""``kojin decide``: answer decision requests read from standard input, one JSON decision each.

Input is one JSON request, or JSON lines (one request per line, blank lines ignored). Every request
is validated and decided before anything is written, so bad input produces no partial output:
exit 2 with a message naming the field (and the line, for JSON lines).

The decision engine and the policy load inside the command, so that ``kojin --help`` and the
other commands never pay for them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kojin.cli.output import fail
from kojin.errors import PolicyError, RequestError

if TYPE_CHECKING:
    from pydantic import ValidationError

    from kojin.law import Decision, DecisionRequest, PolicyFacts

#: a request with its line number (None for a single JSON document)
Numbered = tuple[int | None, "DecisionRequest"]


def _where(line: int | None) -> str:
    return "" if line is None else f"line {line}: "


def _field_error(error: ValidationError, line: int | None) -> RequestError:
    first = error.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "(request)"
    more = error.error_count() - 1
    suffix = f" (and {more} more)" if more else ""
    return RequestError(f"{_where(line)}{field}: {first['msg']}{suffix}", field=field)


def _validate(document: Any, line: int | None) -> DecisionRequest:
    from pydantic import ValidationError

    from kojin.law import DecisionRequest

    if not isinstance(document, dict):
        raise RequestError(f"{_where(line)}a request must be a JSON object", field="(request)")
    try:
        return DecisionRequest.model_validate(document)
    except ValidationError as error:
        raise _field_error(error, line) from None


#: JSON lines are validated and decided this many at a time: only the decisions (shared objects)
#: are kept, not every request at once
CHUNK_LINES = 4_096


def decide_input(text: str, policy: PolicyFacts) -> list[Decision]:
    """Validate and decide every request in `text`: one JSON document, or JSON lines.

    Raises :class:`RequestError` naming the first invalid request (with its line for JSON
    lines) or, when every request is valid, the first one that cannot be decided.
    """
    import orjson

    if not text or text.isspace():
        raise RequestError("no request on standard input", field="(request)")
    numbered = [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if len(numbered) > 1 and _is_json(numbered[0][1]):
        # a whole JSON value followed by more text cannot be one document: no need to try
        return _decide_lines(numbered, policy)
    try:
        whole = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _decide_lines(numbered, policy)
    _refuse_duplicate_keys(text, None)
    return decide_all([(None, _validate(whole, None))], policy)


def _refuse_duplicate_keys(raw: str, line: int | None) -> None:
    from kojin.law.json_keys import duplicate_key, duplicate_key_message

    key = duplicate_key(raw)
    if key is not None:
        raise RequestError(f"{_where(line)}{duplicate_key_message(key)}", field="(request)")


def _is_json(raw: str) -> bool:
    import orjson

    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True


def _decide_lines(numbered: list[tuple[int, str]], policy: PolicyFacts) -> list[Decision]:
    decisions: list[Decision] = []
    undecidable: RequestError | None = None  # reported only if every request is valid
    for start in range(0, len(numbered), CHUNK_LINES):
        requests = _validate_lines(numbered[start : start + CHUNK_LINES])
        if undecidable is None:
            try:
                decisions += decide_all(requests, policy)
            except RequestError as error:
                undecidable = error
    if undecidable is not None:
        raise undecidable
    return decisions


def _validate_lines(numbered: list[tuple[int, str]]) -> list[Numbered]:
    """The lines' requests, each parsed and validated by pydantic in one step. Its JSON parser
    accepts no line that orjson rejects (the tests hold both to the same edge cases), so this
    only saves time: if any line is not a valid request, the lines are read again with orjson,
    one by one, to name the first bad one."""
    from pydantic import ValidationError

    from kojin.law import DecisionRequest
    from kojin.law.json_keys import may_repeat_keys

    parse = DecisionRequest.model_validate_json
    try:
        parsed: list[Numbered] = [(n, parse(raw)) for n, raw in numbered]
    except ValidationError:
        return [(n, _validate_line(raw, n)) for n, raw in numbered]
    for (n, raw), (_, request) in zip(numbered, parsed, strict=True):
        if may_repeat_keys(raw, _keys_given(request)):
            _refuse_duplicate_keys(raw, n)
    return parsed


def _keys_given(request: DecisionRequest) -> int:
    """How many different keys the request's JSON gave: its fields and its objects' fields."""
    keys = len(request.model_fields_set)
    if request.recipient is not None:
        keys += len(request.recipient.model_fields_set)
    if request.consent is not None:
        keys += len(request.consent.model_fields_set)
    return keys


def _validate_line(raw: str, number: int) -> DecisionRequest:
    document = _json_line(raw, number)
    _refuse_duplicate_keys(raw, number)
    return _validate(document, number)


def _json_line(raw: str, number: int) -> Any:
    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise RequestError(
            f"line {number}: not valid JSON ({error.msg} at column {error.colno})",
            field="(request)",
        ) from None


def decide_all(requests: list[Numbered], policy: PolicyFacts) -> list[Decision]:
    from kojin.law import Facts, decide

    from_request = Facts.from_request
    decisions: list[Decision] = []
    append = decisions.append
    for line, request in requests:
        try:
            append(decide(request, policy, from_request(request)))
        except RequestError as error:
            field = f"{error.field}: " if error.field else ""
            raise RequestError(f"{_where(line)}{field}{error.message}", field=error.field) from None
    return decisions


def render_lines(decisions: list[Decision]) -> bytes:
    """One JSON line per decision. Equal decisions are one shared object (the policy's explainer
    renders each once), so each distinct decision is serialized once."""
    import orjson

    dumped: dict[int, bytes] = {}
    lines: list[bytes] = []
    for decision in decisions:
        line = dumped.get(id(decision))
        if line is None:
            line = dumped[id(decision)] = orjson.dumps(decision.model_dump(mode="json")) + b"\n"
        lines.append(line)
    return b"".join(lines)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A batch allocates many objects that live until the end and form no cycles: the cyclic
    garbage collector would rescan them again and again (costing more than the validation), so
    it waits until the batch is decided and rendered."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _policy_facts(path: Path | None) -> PolicyFacts:
    from kojin.policy import load_policy, to_facts

    resolved = path
    if resolved is None:
        from kojin.settings import get_settings

        resolved = get_settings().policy_file
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
    with _collector_paused():
        try:
            decisions = decide_input(sys.stdin.read(), facts)
        except RequestError as error:
            fail(error.message, code=2)
        except UnicodeDecodeError:
            fail("standard input is not UTF-8 text", code=2)
        output = render_lines(decisions)
    sys.stdout.buffer.write(output)
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("decide")(decide_command)
