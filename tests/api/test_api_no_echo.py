"""No answer and no log line echoes what a caller sent (R-SEC-2 leak prevention).

Every operation of the OpenAPI document is called, with an admin token, in every wrong way we
know: bad ids in its path, wrong and unknown query parameters, each body field of the wrong
type or holding a value it must refuse, unknown keys, repeated keys, bodies that are not JSON,
not UTF-8, of the wrong media type, oversized, NUL bytes. Every value sent carries an e-mail
address or a valid My Number (12 digits with a correct check digit, APPI-SPEC 11.1). Every
response body and every server log record of the whole run is scanned for them: an error must
not quote them, and a wrong value that comes back in a 2xx was accepted and stored, which is a
finding too. The test collects every echo before it fails, so one report lists them all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from stdnum.jp import in_ as my_number

from kojin.auth.roles import Role

EMAIL = "hanako.suzuki@example.jp"
MY_NUMBERS = ("123456789018", "987654321093")
MY_NUMBER = MY_NUMBERS[0]
#: the forms a secret could come back in
SECRETS = (EMAIL, quote(EMAIL, safe=""), "hanako.suzuki", *MY_NUMBERS)

#: loggers of the HTTP client the test drives the app with, not of the server
_CLIENT_LOGGERS = ("httpx", "httpcore")
_METHODS = ("get", "post", "put", "patch", "delete")
_USE = {"action": "use", "category": "customer", "purpose": "provide_services"}


def test_the_my_numbers_are_valid() -> None:
    """The values must be real My Numbers, or a scan for them proves little."""
    assert all(my_number.is_valid(number) for number in MY_NUMBERS)


@dataclass
class Call:
    method: str
    path: str
    label: str
    how: str
    query: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    content_type: str | None = "application/json"
    #: a plain string sent to a free-text field: a 2xx that returns it is no finding
    free_text: bool = False


def _wrong_values() -> list[Any]:
    return [
        EMAIL,
        f"{MY_NUMBER} {EMAIL}",
        int(MY_NUMBER),
        [EMAIL, MY_NUMBER],
        {EMAIL: MY_NUMBER, MY_NUMBER: EMAIL, "country": EMAIL, "name": MY_NUMBER},
        f"{EMAIL}\u0000",
        f"{MY_NUMBER}\ud800",
        int(MY_NUMBER) * 10**12,
        EMAIL * 200,
    ]


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()


#: string fields whose values must come from the policy or a code list, never free text
POLICY_CHECKED = frozenset(
    {"action", "category", "purpose", "purposes", "pi_kinds", "country", "storage_country"}
)


def _properties(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, bool]:
    """Each body property and whether it takes free text (a plain string, not policy-checked)."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref")
    if ref:
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    found: dict[str, bool] = {}
    for name, definition in sorted(schema.get("properties", {}).items()):
        options = definition.get("anyOf", [definition])
        plain = any(
            option.get("type") == "string" and not {"enum", "pattern", "format"} & set(option)
            for option in options
        )
        found[name] = plain and name not in POLICY_CHECKED
    return found


def _calls(document: dict[str, Any], subject_id: str, bases: dict[str, Any]) -> Iterator[Call]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            method = method.upper()
            label = f"{method} {path}"
            params = operation.get("parameters", [])
            path_names = [p["name"] for p in params if p["in"] == "path"]
            query_names = [p["name"] for p in params if p["in"] == "query"]

            def concrete(value: str, path: str = path, names: list[str] = path_names) -> str:
                for name in names:
                    path = path.replace("{" + name + "}", quote(value, safe=""))
                return path

            real = concrete(subject_id)
            for bad in (MY_NUMBER, EMAIL, f"{MY_NUMBER}{EMAIL}"):
                if path_names:
                    yield Call(method, concrete(bad), label, "bad path id")
            for name in query_names:
                for bad in (EMAIL, MY_NUMBER + "0" * 10, f"{EMAIL}\x00"):
                    yield Call(method, real, label, f"query {name}", query={name: bad})
            yield Call(method, real, label, "unknown query", query={EMAIL: MY_NUMBER})
            if method not in ("POST", "PUT", "PATCH"):
                continue
            yield from _body_calls(document, operation, method, real, label, bases.get(label, {}))


def _body_calls(
    document: dict[str, Any],
    operation: dict[str, Any],
    method: str,
    path: str,
    label: str,
    base: Any,
) -> Iterator[Call]:
    def call(how: str, content: bytes, content_type: str | None = "application/json") -> Call:
        return Call(method, path, label, how, content=content, content_type=content_type)

    if "text/csv" in operation.get("requestBody", {}).get("content", {}):
        header = "item,category,purposes,storage_location\n"
        yield call("csv with values", f"{header}{EMAIL},{MY_NUMBER},x,y\n".encode(), "text/csv")
        yield call("csv unknown column", f"{EMAIL},{MY_NUMBER}\n1,2\n".encode(), "text/csv")
        yield call("csv quoted", f'"{EMAIL}\n{MY_NUMBER}'.encode(), "text/csv")
        yield call("csv NUL", f"{header}{EMAIL}\x00,{MY_NUMBER}\n".encode(), "text/csv")
        yield call("csv not utf-8", f"{header}{EMAIL},".encode() + b"\xff\xfe\n", "text/csv")
        yield call("csv as json", _dump({EMAIL: MY_NUMBER}), "application/json")
        return
    for bad in _wrong_values():
        yield call(f"whole body {type(bad).__name__}", _dump(bad))
    for name, free_text in _properties(document, operation).items():
        for bad in _wrong_values():
            body = {**base, name: bad} if isinstance(base, dict) else {name: bad}
            made = call(f"field {name}={type(bad).__name__}", _dump(body))
            made.free_text = free_text and isinstance(bad, str) and "\x00" not in bad
            yield made
    extra = base if isinstance(base, dict) else {}
    yield call("unknown keys", _dump({**extra, EMAIL: MY_NUMBER, MY_NUMBER: EMAIL}))
    yield call("unknown key e-mail", _dump({**extra, EMAIL: 1}))
    yield call("unknown key my number", _dump({**extra, MY_NUMBER: 1}))
    yield call("repeated key", f'{{"{EMAIL}": 1, "{EMAIL}": "{MY_NUMBER}"}}'.encode())
    yield call("malformed", f'{{"name": "{EMAIL}", "x": {MY_NUMBER}'.encode())
    yield call("not utf-8", f'{{"name": "{EMAIL}'.encode() + b'\xff"}')
    yield call("text/plain", _dump({"name": EMAIL}), "text/plain")
    yield call("no content type", _dump({"name": MY_NUMBER}), None)
    yield call("oversized", _dump({"name": EMAIL + " " * (1024 * 1024)}))


def _bases(subject_id: str) -> dict[str, Any]:
    """Bodies that validate, so that one wrong field is what the server sees."""
    return {
        "POST /api/v1/decisions": _USE,
        "POST /api/v1/decisions/batch": {"requests": [_USE]},
        "POST /api/v1/subjects": {"category": "customer"},
        "POST /api/v1/tokens": {"role": "auditor", "name": "t"},
        "POST /api/v1/consents": {
            "subject_id": subject_id,
            "category": "customer",
            "notice_version": "v1",
            "method": "checkbox",
        },
    }


def _secrets_in(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _log_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), str(record.args or ""), record.exc_text or ""]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    return "\n".join(parts)


@pytest.mark.number_guard_exempt(
    reason="the test's own HTTP client logs the URLs it calls, which carry the test's numbers",
    channel="log",
    where=r"^log record of '(httpx|httpcore)",
)
def test_no_response_or_log_line_echoes_a_submitted_value(
    api_app: FastAPI,
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = auth[Role.ADMIN]
    created = client.post(
        "/api/v1/subjects", json={"category": "customer"}, headers=auth[Role.PRIVACY_OFFICER]
    )
    assert created.status_code == 201
    subject_id = created.json()["id"]
    document = api_app.openapi()
    echoes: list[str] = []
    sent = 0
    errors = 0
    for call in _calls(document, subject_id, _bases(subject_id)):
        headers = dict(admin)
        if call.content_type is not None and call.content is not None:
            headers["content-type"] = call.content_type
        caplog.clear()
        response = client.request(
            call.method, call.path, params=call.query, content=call.content, headers=headers
        )
        sent += 1
        where = f"{call.label} ({call.how}) -> {response.status_code}"
        if response.status_code >= 400:
            errors += 1
        found = _secrets_in(response.text)
        if found and not (call.free_text and response.is_success):
            echoes.append(f"{where}: response: {response.text[:160]}")
        for record in caplog.records:
            if record.name.startswith(_CLIENT_LOGGERS):
                continue  # the test's own HTTP client logs the URL it called
            found = _secrets_in(_log_text(record))
            if found:
                echoes.append(f"{where}: log {record.name}: {record.getMessage()[:200]}")
    assert sent > 500
    assert errors > sent * 0.9
    unique = sorted(set(echoes))
    assert unique == [], f"{len(unique)} echoes:\n" + "\n".join(unique)
