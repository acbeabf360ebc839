"""Request bodies: 413 above the size limit (from Content-Length, or while a chunked body
streams in, before the rest is read), 415 for a media type the route does not read, and 422
for JSON values no registry database can store (64-bit overflow, NUL, lone surrogates), on the
full stack and on the decision fast path alike."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from kojin.api import create_app
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.settings import Settings

BODY_LIMIT = 2048
IMPORT_LIMIT = 8192
DECISIONS = "/api/v1/decisions"
IMPORT = "/api/v1/ledger/import"
USE_CUSTOMER = {"action": "use", "category": "customer", "purpose": "provide_services"}


@pytest.fixture
def limited_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"max_body_bytes": BODY_LIMIT, "max_import_bytes": IMPORT_LIMIT}
    )


@pytest.fixture
def limited_app(limited_settings: Settings, database: Database) -> FastAPI:
    return create_app(limited_settings, database=database)


@pytest.fixture
def limited(limited_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(limited_app) as test_client:
        yield test_client


def _error(response_json: dict[str, object], code: str) -> str:
    assert set(response_json) == {"error"}
    error = response_json["error"]
    assert isinstance(error, dict)
    assert error["code"] == code
    return str(error["message"])


@dataclass
class Exchange:
    """One request sent straight to the ASGI app in chunks; how many chunks it read."""

    status: int = 0
    body: bytes = b""
    chunks_read: int = 0
    chunks: list[bytes] = field(default_factory=list)


def _send_chunked(
    app: FastAPI,
    path: str,
    *,
    headers: dict[str, str],
    chunks: list[bytes],
    with_length: bool = False,
) -> Exchange:
    exchange = Exchange(chunks=chunks)
    header_list = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if with_length:
        header_list.append((b"content-length", str(sum(map(len, chunks))).encode()))
    else:
        header_list.append((b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": header_list,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }

    async def receive() -> Message:
        if exchange.chunks_read < len(chunks):
            chunk = chunks[exchange.chunks_read]
            exchange.chunks_read += 1
            return {
                "type": "http.request",
                "body": chunk,
                "more_body": exchange.chunks_read < len(chunks),
            }
        await asyncio.sleep(3600)  # the client waits; a server must not read past the end
        return {"type": "http.disconnect"}  # pragma: no cover

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            exchange.status = int(message["status"])
        elif message["type"] == "http.response.body":
            exchange.body += message.get("body", b"")

    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=30))
    return exchange


# --- 413 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DECISIONS, "/api/v1/subjects", "/api/v1/decisions/batch"])
def test_a_declared_length_above_the_limit_is_413_before_reading_or_authenticating(
    limited_app: FastAPI, path: str
) -> None:
    chunks = [b"x" * 1024] * 4
    exchange = _send_chunked(
        limited_app,
        path,
        headers={"content-type": "application/json"},
        chunks=chunks,
        with_length=True,
    )
    assert exchange.status == 413
    message = _error(json.loads(exchange.body), "payload_too_large")
    assert str(BODY_LIMIT) in message
    assert exchange.chunks_read == 0


@pytest.mark.parametrize("path", [DECISIONS, "/api/v1/subjects"])
def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(
    limited_app: FastAPI, auth: dict[Role, dict[str, str]], path: str
) -> None:
    chunks = [b" " * 512] * 64  # 32 KiB of JSON whitespace, in 512-byte chunks
    headers = {**auth[Role.ADMIN], "content-type": "application/json"}
    exchange = _send_chunked(limited_app, path, headers=headers, chunks=chunks)
    assert exchange.status == 413
    _error(json.loads(exchange.body), "payload_too_large")
    assert exchange.chunks_read == BODY_LIMIT // 512 + 1  # the one that passed it, no more


def test_a_body_at_the_limit_is_read(limited: TestClient, auth: dict[Role, dict[str, str]]) -> None:
    body = json.dumps(USE_CUSTOMER).encode()
    padded = body[:-1] + b" " * (BODY_LIMIT - len(body)) + b"}"
    assert len(padded) == BODY_LIMIT
    response = limited.post(
        DECISIONS, content=padded, headers={**auth[Role.SYSTEM], "content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    over = limited.post(
        DECISIONS,
        content=padded + b" ",
        headers={**auth[Role.SYSTEM], "content-type": "application/json"},
    )
    assert over.status_code == 413


def test_the_ledger_import_has_its_own_limit_also_while_streaming(
    limited_app: FastAPI, limited: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    officer = {**auth[Role.PRIVACY_OFFICER], "content-type": "text/csv"}
    between = b"x" * (BODY_LIMIT * 2)  # above the JSON limit, below the import limit
    response = limited.post(IMPORT, content=between, headers=officer)
    assert response.status_code == 422  # read and parsed as CSV, not refused for its size
    declared = limited.post(IMPORT, content=b"x" * (IMPORT_LIMIT + 1), headers=officer)
    assert declared.status_code == 413
    assert str(IMPORT_LIMIT) in _error(declared.json(), "payload_too_large")
    chunks = [b"a,b,c\n" * 100] * 100  # 60 KB
    streamed = _send_chunked(limited_app, IMPORT, headers=officer, chunks=chunks)
    assert streamed.status == 413
    _error(json.loads(streamed.body), "payload_too_large")
    assert streamed.chunks_read == IMPORT_LIMIT // 600 + 1


def test_the_default_limit_is_one_mebibyte(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    headers = {**auth[Role.SYSTEM], "content-type": "application/json"}
    response = client.post(DECISIONS, content=b" " * (1024 * 1024 + 1), headers=headers)
    assert response.status_code == 413
    assert "1048576" in _error(response.json(), "payload_too_large")


# --- 415 -------------------------------------------------------------------------------------

JSON_ROUTES = [
    ("POST", DECISIONS),
    ("POST", "/api/v1/decisions/batch"),
    ("POST", "/api/v1/subjects"),
    ("POST", "/api/v1/subjects/search"),
    ("POST", "/api/v1/consents"),
    ("POST", "/api/v1/tokens"),
    ("PATCH", "/api/v1/ledger/" + "0" * 32),
]


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "text/csv",
        "application/json; charset=latin-1",
        "application/merge-patch+json",
        "multipart/form-data; boundary=x",
        "application/jsonx",
    ],
)
def test_a_body_that_is_not_json_is_415(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    method: str,
    path: str,
    content_type: str | None,
) -> None:
    headers = dict(auth[Role.ADMIN])
    if content_type is not None:
        headers["content-type"] = content_type
    body = json.dumps(USE_CUSTOMER).encode()
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code == 415, response.text
    assert "application/json" in _error(response.json(), "unsupported_media_type")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON; Charset=UTF-8"],
)
def test_json_with_or_without_a_utf8_charset_is_read(
    client: TestClient, auth: dict[Role, dict[str, str]], content_type: str
) -> None:
    response = client.post(
        DECISIONS,
        content=json.dumps(USE_CUSTOMER).encode(),
        headers={**auth[Role.SYSTEM], "content-type": content_type},
    )
    assert response.status_code == 200, response.text


def test_a_post_without_a_body_needs_no_content_type(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    response = client.post("/api/v1/provisions/purge", headers=auth[Role.ADMIN])
    assert response.status_code == 200


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", None, "multipart/form-data; boundary=x"]
)
def test_the_ledger_import_reads_csv_only(
    client: TestClient, auth: dict[Role, dict[str, str]], content_type: str | None
) -> None:
    headers = dict(auth[Role.ADMIN])
    if content_type is not None:
        headers["content-type"] = content_type
    response = client.post(IMPORT, content=b"id,category\n", headers=headers)
    assert response.status_code == 415
    assert "text/csv" in _error(response.json(), "unsupported_media_type")
    anonymous = {k: v for k, v in headers.items() if k != "Authorization"}
    assert client.post(IMPORT, content=b"id\n", headers=anonymous).status_code == 401


def test_the_ledger_import_keeps_its_csv_charsets(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    for content_type in ("text/csv", "text/csv; charset=utf-8", "TEXT/CSV; charset=Shift_JIS"):
        response = client.post(
            IMPORT,
            content=b"not,a,ledger\n1,2,3\n",
            headers={**auth[Role.ADMIN], "content-type": content_type},
        )
        assert response.status_code == 422, (content_type, response.text)  # read, then refused


# --- 422 for values no database can store ------------------------------------------------------

BIG = 2**64
UNSTORABLE = [
    ('"\\u0000"', "NUL"),
    ('"a\\u0000b"', "NUL"),
    ('"\\ud800"', "surrogate"),
    ('"x\\udfffy"', "surrogate"),
    (str(BIG), "64 bits"),
    (str(-BIG), "64 bits"),
    ("1" * 40, "64 bits"),
]


@pytest.mark.parametrize(("raw_value", "problem"), UNSTORABLE)
@pytest.mark.parametrize(
    ("path", "template", "field_name"),
    [
        (DECISIONS, '{"action": "use", "category": "customer", "purpose": %s}', "body.purpose"),
        (
            DECISIONS,
            '{"action": "use", "category": "customer", "recipient": {"country": %s}}',
            "body.recipient.country",
        ),
        (
            DECISIONS,
            '{"action": "use", "category": "customer", "subject_id": %s}',
            "body.subject_id",
        ),
        (
            "/api/v1/decisions/batch",
            '{"requests": [{"action": "use", "category": "customer", "purpose": %s}]}',
            "body.requests.0.purpose",
        ),
        ("/api/v1/subjects", '{"category": "customer", "name": %s}', "body.name"),
        ("/api/v1/subjects/search", '{"email": %s}', "body.email"),
        ("/api/v1/tokens", '{"role": "auditor", "name": %s}', "body.name"),
        ("/api/v1/consents", '{"subject_id": %s, "purposes": ["x"]}', "body.subject_id"),
    ],
)
def test_values_no_database_can_store_are_422_naming_the_field(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    path: str,
    template: str,
    field_name: str,
    raw_value: str,
    problem: str,
) -> None:
    response = client.post(
        path,
        content=(template % raw_value).encode(),
        headers={**auth[Role.ADMIN], "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert field_name in [item["field"] for item in error["fields"]]
    assert problem in error["message"]


@pytest.mark.parametrize("path", [DECISIONS, "/api/v1/subjects"])
def test_an_integer_of_thousands_of_digits_is_422_not_400(
    client: TestClient, auth: dict[Role, dict[str, str]], path: str
) -> None:
    raw = '{"category": "customer", "action": "use", "name": %s}' % ("9" * 5000)
    response = client.post(
        path, content=raw.encode(), headers={**auth[Role.ADMIN], "content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert "64 bits" in response.json()["error"]["message"]


def test_a_bad_key_is_named_only_as_a_key(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    raw = '{"action": "use", "category": "customer", "ab\\u0000cd": 1}'
    response = client.post(
        DECISIONS,
        content=raw.encode(),
        headers={**auth[Role.SYSTEM], "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "body.<key>"
    assert "ab" not in response.json()["error"]["message"]


@pytest.mark.parametrize("path", [DECISIONS, "/api/v1/subjects"])
def test_a_body_that_is_not_utf8_is_422(
    client: TestClient, auth: dict[Role, dict[str, str]], path: str
) -> None:
    response = client.post(
        path,
        content=b'{"name": "\xff\xfe"}',
        headers={**auth[Role.ADMIN], "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"].startswith("body")


def test_a_deeply_nested_body_is_422_not_500(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    raw = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for path in (DECISIONS, "/api/v1/subjects"):
        response = client.post(
            path, content=raw, headers={**auth[Role.ADMIN], "content-type": "application/json"}
        )
        assert response.status_code == 422, response.text


def test_ordinary_large_numbers_and_escapes_still_pass(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    body = {"category": "customer", "name": "山田 \u00e9\U0001f600", "customer_number": "1" * 30}
    response = client.post("/api/v1/subjects", json=body, headers=auth[Role.PRIVACY_OFFICER])
    assert response.status_code == 201, response.text
    raw = '{"category": "customer", "name": "\\u5c71\\u7530 \\ud83d\\ude00"}'
    escaped = client.post(
        "/api/v1/subjects",
        content=raw.encode(),
        headers={**auth[Role.PRIVACY_OFFICER], "content-type": "application/json"},
    )
    assert escaped.status_code == 201, escaped.text
