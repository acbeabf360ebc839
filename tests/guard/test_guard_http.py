"""The guard on HTTP responses: test clients, streams, downloads, live servers, authorization."""

from __future__ import annotations

import pytest
from guard_support import run_guarded

APP = """
import asyncio
import threading
import time
import urllib.request

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import FileResponse, PlainTextResponse, StreamingResponse
from fastapi.testclient import TestClient

AUTHORIZED = {{"Kojin-Contains-My-Number": "authorized"}}
app = FastAPI()


@app.get("/payees/{{payee}}")
def payee(payee: str):
    return {{"payee": payee, "number": "{NUMBER}"}}


@app.get("/reveal")
def reveal():
    return PlainTextResponse("{SPACED}", headers=AUTHORIZED)


@app.get("/masked/{{number}}")
def masked(number: str):
    return {{"number": "•••• •••• ••••"}}


@app.get("/stream")
def stream(authorized: bool = False):
    def pieces():
        for index in range(50):
            yield f"line {{index}} ".encode()
        yield "{FULL_WIDTH}".encode()[:7]
        yield "{FULL_WIDTH}".encode()[7:]
    return StreamingResponse(pieces(), headers=AUTHORIZED if authorized else None)


@app.get("/endless")
def endless():
    def pieces():
        index = 0
        while True:
            index += 1
            yield f"tick {{index}}\\n".encode()
    return StreamingResponse(pieces())


@app.get("/export")
def export(path: str, authorized: bool = False):
    return FileResponse(path, headers=AUTHORIZED if authorized else None)


@app.get("/digest")
def digest():
    return {{"sha256": "ab{NUMBER}cd", "id": "0e8f2a1c-7d3b-4e5f-a6b7-{NUMBER}"}}


client = TestClient(app)
"""


def _run(pytester: pytest.Pytester, tests: str) -> pytest.RunResult:
    return run_guarded(pytester, APP + tests)


def test_a_response_body_with_a_number_fails_the_test_and_names_the_path(
    pytester: pytest.Pytester,
) -> None:
    result = _run(
        pytester,
        """
def test_payee():
    assert client.get("/payees/{NUMBER}").status_code == 200
""",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*response to GET /payees/•••••••••••• (client) body: 12 digits (and 1 more there):"
            ' …{"payee":"[[]MY NUMBER[]]","number":"••••••••••••"}…'
        ]
    )


def test_an_authorized_response_may_hold_a_number_and_nothing_else_may(
    pytester: pytest.Pytester,
) -> None:
    result = _run(
        pytester,
        """
def test_authorized():
    assert client.get("/reveal").text == "{SPACED}"

def test_masked_and_digests():
    assert client.get("/masked/{NUMBER}").json()["number"].startswith("•")
    assert client.get("/digest").status_code == 200

def test_authorized_then_not():
    client.get("/reveal")
    client.get("/payees/1")
""",
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_authorized_then_not*", "*GET /payees/1 (client) body*"])


def test_streams_are_inspected_as_they_are_consumed_and_when_closed(
    pytester: pytest.Pytester,
) -> None:
    result = _run(
        pytester,
        """
def test_stream_read_through():
    with client.stream("GET", "/stream") as response:
        assert b"".join(response.iter_bytes()).endswith("{FULL_WIDTH}".encode())

def test_stream_authorized():
    with client.stream("GET", "/stream?authorized=true") as response:
        assert response.read().endswith("{FULL_WIDTH}".encode())

def test_endless_stream_read_in_part():
    with client.stream("GET", "/endless") as response:
        lines = response.iter_lines()
        assert [next(lines) for _ in range(3)] == ["tick 1", "tick 2", "tick 3"]
""",
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*test_stream_read_through*", "*GET /stream (client) body: full-width 12 digits*"]
    )


def test_downloads_are_inspected_unless_authorized(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
def test_download(tmp_path):
    export = tmp_path / "payments.csv"
    export.write_text("name,number\\nTaro,{HYPHENATED}\\n", encoding="utf-8")
    assert client.get("/export", params={{"path": str(export)}}).status_code == 200

def test_authorized_download(tmp_path):
    export = tmp_path / "payments.csv"
    export.write_text("name,number\\nTaro,{HYPHENATED}\\n", encoding="utf-8")
    query = {{"path": str(export), "authorized": "true"}}
    assert client.get("/export", params=query).status_code == 200
""",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*GET /export?path=* (client) body: 4-4-4 grouped digits*"])


def test_async_clients_and_live_servers_are_inspected(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
def test_async_client():
    async def fetch():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kojin") as ac:
            return await ac.get("/payees/1")
    assert asyncio.run(fetch()).status_code == 200

def test_browser_on_live_server():
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{{port}}/payees/2").read()
        assert b"number" in body
    finally:
        server.should_exit = True
        thread.join()
""",
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*GET /payees/1 (async client) body: 12 digits*",
            "*GET /payees/2 (live server) body: 12 digits*",
        ]
    )
