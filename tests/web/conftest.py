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
from collections.abc import Callable, Iterator
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
    LiveSite,
    PhonePage,
    TestClient,
    chromium_path,
    free_port,
    probe_app,
    serve_in_thread,
    unavailable,
)

from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.settings import Settings
from kojin.web.site import create_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Route


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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module (Playwright's synchronous API runs an event loop in this
    thread while it lives: it is stopped after the module, before other tests run)."""
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
