"""Web fixtures: the site over a fresh registry, a test client, and a real browser.

- ``web_settings`` / ``site`` / ``web``: the whole site (API and pages) over a fresh SQLite
  registry, and a Starlette test client at kojin's public address that follows no redirects.
- ``site_on_db``: the site over the ``settings``/``database`` fixtures (SQLite, and PostgreSQL
  when configured), for pages that write.
- ``live_site``: the site served by uvicorn in a background thread on a free port.
- ``browser`` / ``phone_page``: Debian's Chromium driven by Playwright, and a page at a 390 px
  phone's size that may load nothing but the live site. Without Playwright or Chromium the
  browser tests skip with the reason, except when ``CI`` is set: then they fail.

Helpers (``csrf_of``, ``screenshot`` into ``test-artifacts/screenshots/``, the CI rule) are in
``web_support.py``: ``from web_support import csrf_of, screenshot``.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from starlette.routing import Mount
from web_support import (
    LAUNCH_ARGS,
    PHONE,
    PROBE_PREFIX,
    PUBLIC_URL,
    TestClient,
    chromium_path,
    probe_app,
    unavailable,
)

from kojin.api.state import state_of
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.settings import Settings
from kojin.web.site import create_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route


@pytest.fixture
def web_settings(tmp_path: Path, sqlite_url: str) -> Settings:
    """Settings over a fresh SQLite registry with its own keyring."""
    configured = Settings(home=tmp_path / "home", database_url=sqlite_url, public_url=PUBLIC_URL)
    Keyring.generate(path=keyring_path(configured)).save()
    return configured


@pytest.fixture
def site(web_settings: Settings) -> FastAPI:
    return create_site(web_settings)


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url=PUBLIC_URL, follow_redirects=False)


@pytest.fixture
def web(site: FastAPI) -> Iterator[TestClient]:
    with _client(site) as client:
        yield client


@pytest.fixture
def site_on_db(settings: Settings, database: Database) -> FastAPI:
    """The site over the shared ``settings``/``database`` (SQLite, and PostgreSQL when set)."""
    return create_site(settings.model_copy(update={"public_url": PUBLIC_URL}), database=database)


@pytest.fixture
def web_on_db(site_on_db: FastAPI) -> Iterator[TestClient]:
    with _client(site_on_db) as client:
        yield client


# --- a live server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveSite:
    """The site served on ``url`` by uvicorn in a thread of this process."""

    app: FastAPI
    url: str
    stop: Callable[[], None] = field(repr=False)

    @property
    def settings(self) -> Settings:
        return state_of(self.app).settings

    @property
    def database(self) -> Database:
        return state_of(self.app).database


def serve_in_thread(app: FastAPI, port: int | None = None) -> LiveSite:
    """Serve `app` with uvicorn on `port` (default: a free one) until ``stop()``."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        proxy_headers=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="kojin-live-site", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live site did not start")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=20)

    return LiveSite(app=app, url=f"http://127.0.0.1:{port}", stop=stop)


LiveSiteFactory = Callable[..., LiveSite]


@pytest.fixture
def live_site_factory(tmp_path: Path, sqlite_url: str) -> Iterator[LiveSiteFactory]:
    """Call with settings (``KOJIN_*`` names, lower case: ``smtp_host=...``) to serve the site
    over a fresh SQLite registry on a free port. Its public URL is its own address, so the
    origin checks pass as in production. Every site started is stopped after the test."""
    started: list[LiveSite] = []

    def start(**overrides: object) -> LiveSite:
        port = free_port()
        values: dict[str, object] = {
            "home": tmp_path / f"home-{len(started)}",
            "database_url": sqlite_url,
            "public_url": f"http://127.0.0.1:{port}",
        }
        values.update(overrides)
        settings = Settings(**values)  # type: ignore[arg-type]
        if settings.master_key is None and not keyring_path(settings).exists():
            Keyring.generate(path=keyring_path(settings)).save()
        live = serve_in_thread(create_site(settings), port)
        started.append(live)
        return live

    try:
        yield start
    finally:
        for live in reversed(started):
            live.stop()


@pytest.fixture
def live_site(live_site_factory: LiveSiteFactory) -> LiveSite:
    """The site on the embedded defaults, served on a free port."""
    return live_site_factory()


# --- a real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if importlib.util.find_spec("playwright") is None:
        unavailable("Playwright for Python is not installed (pip install -e '.[dev]')")
    executable = chromium_path()
    if executable is None:
        unavailable(
            "Chromium is not installed: apt-get install chromium fonts-noto-cjk "
            "(kojin drives Debian's chromium; it never downloads a browser)"
        )
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=LAUNCH_ARGS
            )
        except Error as exc:
            unavailable(f"Chromium at {executable} does not start: {exc.message.splitlines()[0]}")
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class PhonePage:
    """A browser page at a phone's size, allowed to load only the live site; every other
    request is aborted and noted in ``foreign``."""

    page: Page
    base_url: str
    foreign: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path, wait_until="load")

    def scroll_width(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollWidth"))

    def overflowing(self) -> list[str]:
        """Elements whose box reaches past the right edge of the screen (tags and classes)."""
        found: list[str] = self.page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const out = [];
                for (const el of document.body.querySelectorAll('*')) {
                    if (el.closest('.table-region') && !el.classList.contains('table-region')) {
                        continue;  // a wide table scrolls inside its own region
                    }
                    const box = el.getBoundingClientRect();
                    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
                        out.push(el.tagName.toLowerCase() + '.' + el.className);
                    }
                }
                return out;
            }"""
        )
        return found


@pytest.fixture
def phone_page(browser: Browser, live_site: LiveSite) -> Iterator[PhonePage]:
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    opened = PhonePage(page=context.new_page(), base_url=live_site.url)

    def local_only(route: Route) -> None:
        if route.request.url.startswith(live_site.url):
            route.continue_()
            return
        opened.foreign.append(route.request.url)
        route.abort()

    context.route("**/*", local_only)
    try:
        yield opened
    finally:
        context.close()


# --- a probe application with the web guards, for the foundation's tests -----------------------


@pytest.fixture
def probed(site: FastAPI) -> Iterator[TestClient]:
    """A client of the site with the probe application mounted at :data:`PROBE_PREFIX`."""
    site.router.routes.insert(0, Mount(PROBE_PREFIX, app=probe_app(site)))
    with TestClient(
        site, base_url=PUBLIC_URL, follow_redirects=False, raise_server_exceptions=False
    ) as client:
        yield client
