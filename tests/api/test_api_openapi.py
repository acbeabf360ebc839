"""The served OpenAPI document (roles, security and every error status on each operation, from
the first application a process builds) and the offline ``/docs`` page."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kojin.api import create_app
from kojin.api.body_limits import is_csv_import
from kojin.api.declarations import api_routes, route_allow
from kojin.api.docs_page import ASSET_FILES, assets_folder
from kojin.db.uow import Database
from kojin.settings import Settings
from number_guard import guard_completed

_FIRST_APP_SCRIPT = """
import json, sys
from fastapi.testclient import TestClient
from kojin.api import create_app
from kojin.api.body_limits import is_csv_import
from kojin.settings import Settings

settings = Settings(home=sys.argv[1], database_url=sys.argv[2])
with TestClient(create_app(settings)) as client:
    print(json.dumps(client.get("/openapi.json").json()))
"""

_METHODS = ("get", "post", "put", "patch", "delete")


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in _METHODS
    ]


def _declared_roles(app: FastAPI) -> dict[tuple[str, str], list[str]]:
    roles: dict[tuple[str, str], list[str]] = {}
    for path, route in api_routes(app):
        declared = route_allow(route)
        if declared is not None:
            for method in route.methods or ():
                roles[(method, path)] = sorted(declared.roles)
    return roles


def test_the_first_app_a_process_builds_serves_roles_and_security(
    settings: Settings, api_app: FastAPI
) -> None:
    """In a fresh interpreter, so no earlier application has touched the shared routers."""
    assert settings.database_url is not None
    completed = subprocess.run(
        [sys.executable, "-c", _FIRST_APP_SCRIPT, str(settings.home), settings.database_url],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=False,
    )
    guard_completed(completed, command="kojin API: OpenAPI document")
    assert completed.returncode == 0, completed.stderr[-2000:]
    document = json.loads(completed.stdout)
    scheme = document["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    expected = _declared_roles(api_app)
    assert expected
    for method, path, operation in _operations(document):
        if (method, path) in expected:
            assert operation["x-kojin-roles"] == expected[(method, path)], (method, path)
            assert operation["security"] == [{"apiToken": []}]
        else:
            assert path == "/healthz"
            assert "security" not in operation


def test_every_app_in_a_process_documents_roles_once(
    settings: Settings, database: Database
) -> None:
    documents = [create_app(settings, database=database).openapi() for _ in range(3)]
    assert documents[0] == documents[2]
    for _, _, operation in _operations(documents[2]):
        assert operation.get("description", "").count("Roles:") == (
            1 if "x-kojin-roles" in operation else 0
        )


def _statuses(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status in operation["responses"]}


def test_every_operation_lists_every_error_status_it_can_answer(api_app: FastAPI) -> None:
    document = api_app.openapi()
    for method, path, operation in _operations(document):
        statuses = _statuses(operation)
        where = f"{method} {path}"
        assert 500 in statuses, where
        if "x-kojin-roles" in operation:
            assert {401, 403} <= statuses, where
        if "{" in path:
            assert 404 in statuses, where
        if method in ("POST", "PUT", "PATCH"):
            assert {413, 415} <= statuses, where
        if operation.get("parameters") or "requestBody" in operation:
            assert 422 in statuses, where
        for status in statuses - {200, 201}:
            content = operation["responses"][str(status)]["content"]
            assert content == {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
            }, where
    by_operation = {(m, p): _statuses(o) for m, p, o in _operations(document)}
    assert 404 in by_operation[("POST", "/api/v1/decisions")]
    assert 404 in by_operation[("POST", "/api/v1/consents")]
    assert 409 in by_operation[("POST", "/api/v1/consents/{consent_id}/withdraw")]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "ErrorBody" in document["components"]["schemas"]


def test_the_document_states_the_media_types_the_server_reads(api_app: FastAPI) -> None:
    document = api_app.openapi()
    for method, path, operation in _operations(document):
        body = operation.get("requestBody")
        if body is None:
            continue
        expected = ["text/csv"] if is_csv_import(path) else ["application/json"]
        assert list(body["content"]) == expected, f"{method} {path}"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/subjects/" + "0" * 32, 404),
        ("POST", "/api/v1/decisions", 413),
        ("POST", "/api/v1/subjects", 415),
        ("POST", "/api/v1/subjects", 422),
        ("GET", "/api/v1/policy", 401),
    ],
)
def test_answers_use_documented_statuses(
    client: TestClient, api_app: FastAPI, auth: Any, method: str, path: str, status: int
) -> None:
    from kojin.auth.roles import Role

    headers = {} if status == 401 else dict(auth[Role.ADMIN])
    content = b"{}"
    if status == 413:
        content = b" " * (1024 * 1024 + 1)
    if status != 415:
        headers["content-type"] = "application/json"
    else:
        headers["content-type"] = "text/plain"
    response = client.request(
        method, path, content=content if method == "POST" else None, headers=headers
    )
    assert response.status_code == status
    template = re.sub(r"0{32}", "{subject_id}", path)
    documented = api_app.openapi()["paths"][template][method.lower()]["responses"]
    assert str(status) in documented


# --- /docs -------------------------------------------------------------------------------------

_URL_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def _is_local(url: str) -> bool:
    return not re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", url, re.IGNORECASE)


def test_docs_page_and_assets_are_served_from_this_server(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "http" not in csp
    urls = _URL_ATTRIBUTE.findall(page.text)
    assert len(urls) >= 4
    assert all(_is_local(url) for url in urls), urls
    assert "<script>" not in page.text  # no inline script: the CSP allows files only
    assert not re.search(r"https?://", page.text)
    base = re.search(r'<base href="([^"]+)"', page.text)
    assert base is not None
    for url in urls:
        if url == base.group(1):
            continue
        asset = client.get(base.group(1) + url)
        assert asset.status_code == 200, url
        assert asset.content
    init_name = next(url for url in urls if url.endswith(".js") and "swagger" not in url)
    init = client.get(base.group(1) + init_name).text
    assert "validatorUrl: null" in init
    assert "../openapi.json" in init
    assert not re.search(r"https?://", init)


def test_docs_assets_are_the_packaged_swagger_ui(client: TestClient) -> None:
    for name, filename in ASSET_FILES.items():
        served = client.get(f"/docs/assets/{name}")
        assert served.status_code == 200
        assert served.content == (assets_folder() / filename).read_bytes()
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    missing = client.get("/docs/assets/..%2Fcore.py")
    assert missing.status_code == 404
    assert client.get("/docs/assets/index.html").status_code == 404


def test_docs_page_follows_a_root_path(settings: Settings, database: Database) -> None:
    app = create_app(settings, database=database)
    with TestClient(app, root_path="/kojin") as prefixed:
        page = prefixed.get("/docs")
    assert page.status_code == 200
    assert '<base href="/kojin/docs/">' in page.text


def test_the_docs_folder_ships_with_the_package() -> None:
    folder = assets_folder()
    assert isinstance(folder, Path)
    for filename in ASSET_FILES.values():
        assert (folder / filename).is_file()


# --- /docs in a real browser, with the network cut off ---------------------------------------


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _chromium() -> str | None:
    debian = Path("/usr/bin/chromium")
    return str(debian) if debian.exists() else shutil.which("chromium")


@contextlib.contextmanager
def _serving(app: FastAPI) -> Iterator[str]:
    """`app` on a free loopback port in a thread, for a browser to load."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_docs_page_renders_every_operation_without_the_network(
    settings: Settings, database: Database
) -> None:
    """Swagger UI builds the page from kojin's own files; any other request is blocked."""
    executable = _chromium()
    if importlib.util.find_spec("playwright") is None or executable is None:
        reason = "Playwright and Debian's chromium are needed (apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"{reason} (CI is set: the browser test must run, not skip)")
        pytest.skip(reason)
    from playwright.sync_api import Route, sync_playwright

    app = create_app(settings, database=database)
    operations = len(_operations(app.openapi()))
    outside: list[str] = []
    with _serving(app) as base, sync_playwright() as playwright:

        def local_only(route: Route) -> None:
            if route.request.url.startswith(base + "/"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.route("**/*", local_only)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(  # a load the Content-Security-Policy refused is reported here
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            page.goto(f"{base}/docs", wait_until="load")
            page.wait_for_selector(".opblock", timeout=30_000)
            shown = page.locator(".opblock").count()
            title = page.locator(".info .title").inner_text()
        finally:
            browser.close()
    assert outside == []
    assert errors == []
    assert shown == operations
    assert title.startswith("kojin")
