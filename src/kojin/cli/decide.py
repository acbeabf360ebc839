"""``kojin decide``: answer decision requests read from a file or standard input, one JSON
decision each.

Input is one JSON request, or JSON lines (one request per line, blank lines ignored). JSON lines
are streamed: read, validated, decided and written `CHUNK_LINES` at a time, so memory stays the
same whatever the size of the input. The first request that is invalid or cannot be decided
stops the command: exit 2 with a message naming the field (and the line, for JSON lines), after
the decisions of every request before it have been written.

The decision engine and the policy load inside the command, so that ``kojin --help`` and the
other commands never pay for them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

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


#: JSON lines are validated, decided and written this many at a time
CHUNK_LINES = 4_096
#: the longest line, and the longest request spanning several lines (a request within the
#: contract's limits is a few kilobytes even pretty-printed)
MAX_LINE_BYTES = 1_048_576
#: JSON lines are read this many bytes at a time (then split into lines in one call)
BLOCK_BYTES = 262_144

#: numbered lines that are not blank
NumberedLines = list[tuple[int, str]]


def decide_stream(source: BinaryIO, out: BinaryIO, policy: PolicyFacts) -> int:
    """Decide every request of `source` (one JSON document, or JSON lines) and write one JSON
    line per decision to `out` as it goes, `CHUNK_LINES` at a time: memory holds at most
    `MAX_LINE_BYTES` of input and one chunk of requests, whatever the size of the input.
    Returns the number of decisions written.

    Raises :class:`RequestError` naming the first request that is invalid or cannot be decided
    (with its line, for JSON lines); the decisions of every request before it have been written.
    """
    import orjson

    head = source.read(MAX_LINE_BYTES + 1)
    if len(head) > MAX_LINE_BYTES:  # too long for one document: JSON lines
        return _decide_lines(_numbered_blocks(head, source), out, policy)
    lines, _, unreadable = _split_lines(head, 0)
    if unreadable is not None:
        return _decide_lines(_then_raise(lines, unreadable), out, policy)
    if not lines:
        raise RequestError("no request on standard input", field="(request)")
    if len(lines) > 1 and _is_json(lines[0][1]):
        # a whole JSON value followed by more text cannot be one document: no need to try
        return _decide_lines(iter([lines]), out, policy)
    text = head.decode("utf-8")
    try:
        whole = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _decide_lines(iter([lines]), out, policy)
    _refuse_duplicate_keys(text, None)
    decisions, error = _decide_chunk([(None, _validate(whole, None))], policy)
    if error is not None:
        raise error
    out.write(render_lines(decisions))
    return len(decisions)


def _numbered_blocks(first: bytes, source: BinaryIO) -> Iterator[NumberedLines]:
    """The lines of `first` and then of the rest of `source`, read `BLOCK_BYTES` at a time and
    numbered as ``str.splitlines`` numbers the whole input. A line longer than `MAX_LINE_BYTES`
    or not UTF-8 raises :class:`RequestError` once the lines before it have been yielded."""
    carry = b""
    number = 0
    block = first
    while block:
        data = carry + block
        end = data.rfind(b"\n") + 1
        carry = data[end:]
        if end:
            lines, number, unreadable = _split_lines(data[:end], number)
            yield lines
            if unreadable is not None:
                raise unreadable
        if len(carry) > MAX_LINE_BYTES:
            raise RequestError(
                f"line {number + 1}: longer than {MAX_LINE_BYTES:,} bytes", field="(request)"
            )
        block = source.read(BLOCK_BYTES)
    if carry:
        lines, _, unreadable = _split_lines(carry, number)
        yield lines
        if unreadable is not None:
            raise unreadable


def _then_raise(lines: NumberedLines, error: RequestError) -> Iterator[NumberedLines]:
    yield lines
    raise error


def _split_lines(data: bytes, before: int) -> tuple[NumberedLines, int, RequestError | None]:
    """The lines of `data` that are not blank, numbered from `before` + 1; the number of the
    last line split (blank or not); the error for the first line that is not UTF-8 (None when
    all are)."""
    try:
        parts = data.decode("utf-8").splitlines()
        unreadable = None
    except UnicodeDecodeError as error:
        good = data[: data.rfind(b"\n", 0, error.start) + 1]
        parts = good.decode("utf-8").splitlines()
        unreadable = RequestError(
            f"line {before + len(parts) + 1}: standard input is not UTF-8 text", field="(request)"
        )
    numbered = [(n, raw) for n, raw in enumerate(parts, start=before + 1) if raw.strip()]
    return numbered, before + len(parts), unreadable


def _decide_lines(blocks: Iterator[NumberedLines], out: BinaryIO, policy: PolicyFacts) -> int:
    """Decide and write the blocks' lines `CHUNK_LINES` at a time; an error (a bad line, or one
    that cannot be read) is raised after the decisions of the lines before it are written."""
    written = 0
    for lines in blocks:
        for start in range(0, len(lines), CHUNK_LINES):
            requests, invalid = _validate_lines(lines[start : start + CHUNK_LINES])
            decisions, undecidable = _decide_chunk(requests, policy)
            out.write(render_lines(decisions))
            written += len(decisions)
            failed = undecidable or invalid  # the one on the earlier line
            if failed is not None:
                raise failed
    return written


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


def _validate_lines(numbered: list[tuple[int, str]]) -> tuple[list[Numbered], RequestError | None]:
    """The lines' requests, each parsed and validated by pydantic in one step. Its JSON parser
    accepts no line that orjson rejects (the tests hold both to the same edge cases), so this
    only saves time: if any line is not a valid request, the lines are read again with orjson,
    one by one, to name the first bad one. Returns the valid requests before the first bad
    line, and the error naming that line (None when every line is valid)."""
    from pydantic import ValidationError

    from kojin.law import DecisionRequest
    from kojin.law.json_keys import may_repeat_keys

    parse = DecisionRequest.model_validate_json
    try:
        parsed: list[Numbered] = [(n, parse(raw)) for n, raw in numbered]
    except ValidationError:
        parsed = []
        for n, raw in numbered:
            try:
                parsed.append((n, _validate_line(raw, n)))
            except RequestError as error:
                return parsed, error
        return parsed, None  # pragma: no cover - pydantic refused a line orjson reads
    for index, ((n, raw), (_, request)) in enumerate(zip(numbered, parsed, strict=True)):
        if may_repeat_keys(raw, _keys_given(request)):
            try:
                _refuse_duplicate_keys(raw, n)
            except RequestError as error:
                return parsed[:index], error
    return parsed, None


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


def _decide_chunk(
    requests: list[Numbered], policy: PolicyFacts
) -> tuple[list[Decision], RequestError | None]:
    """The decisions of `requests` in order, up to the first that cannot be decided, and the
    error naming that one (None when all were decided)."""
    from kojin.law import Facts, decide

    from_request = Facts.from_request
    decisions: list[Decision] = []
    append = decisions.append
    for line, request in requests:
        try:
            append(decide(request, policy, from_request(request)))
        except RequestError as error:
            field = f"{error.field}: " if error.field else ""
            return decisions, RequestError(
                f"{_where(line)}{field}{error.message}", field=error.field
            )
    return decisions, None


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
    """Deciding allocates many objects that form no cycles (they are freed as each chunk is
    written): the cyclic garbage collector would rescan the long-lived ones (the policy, the
    explainer's rendered decisions) again and again, costing more than the validation, so it
    waits until the input is decided."""
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
    source: Annotated[
        Path | None,
        typer.Argument(
            help="JSON or JSON-lines file to read; standard input when omitted or '-'.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="Policy YAML file; defaults to KOJIN_POLICY_FILE, else the embedded policy.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Decide requests (one JSON object, or JSON lines) from a file or stdin: one JSON decision
    each, written as they are decided."""
    facts = _policy_facts(policy)
    out = sys.stdout.buffer
    with _collector_paused(), _opened(source) as stream:
        try:
            decide_stream(stream, out, facts)
        except RequestError as error:
            out.flush()
            fail(error.message, code=2)
    out.flush()


@contextmanager
def _opened(source: Path | None) -> Iterator[BinaryIO]:
    if source is None or str(source) == "-":
        yield sys.stdin.buffer
        return
    try:
        stream = source.open("rb")
    except OSError as error:
        fail(f"cannot read the input file ({error.strerror})", code=2)
    with stream:
        yield stream


def register(app: typer.Typer) -> None:
    app.command("decide")(decide_command)
