"""Helpers for the web tests (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import pytest
from fastapi import FastAPI, File, Form, UploadFile
from starlette.exceptions import StarletteDeprecationWarning
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kojin.api.state import state_of
from kojin.db.uow import Database
from kojin.settings import Settings
from kojin.web.apps import new_web_app
from kojin.web.context import WebContext
from kojin.web.csrf import attach_cookie, form_token
from kojin.web.rate_limits import TooManyRequests
from kojin.web.site import site_of

with warnings.catch_warnings():
    # Starlette's test client announces a future switch of HTTP library; the API is unchanged.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

__all__ = [
    "LAUNCH_ARGS",
    "PHONE",
    "PROBE_PREFIX",
    "PUBLIC_URL",
    "SCREENSHOTS",
    "STAFF_PASSWORD",
    "LiveSite",
    "PhonePage",
    "TestClient",
    "chromium_path",
    "csrf_of",
    "free_port",
    "in_ci",
    "make_staff",
    "make_subject",
    "pdf_bytes",
    "png_bytes",
    "probe_app",
    "screenshot",
    "serve_in_thread",
    "sign_in",
    "submit_verified",
    "unavailable",
]

PUBLIC_URL = "http://127.0.0.1:8000"
PROBE_PREFIX = "/portal/_probe"
PHONE: ViewportSize = {"width": 390, "height": 844}
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> NoReturn:
    """Skip with `reason`, or fail when ``CI`` is set (CI never skips the browser silently)."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: the browser tests must run, not skip)")
    pytest.skip(reason)


def chromium_path() -> str | None:
    """Debian's Chromium: /usr/bin/chromium, else whatever ``chromium`` is on the PATH."""
    debian = Path("/usr/bin/chromium")
    return str(debian) if debian.exists() else shutil.which("chromium")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``test-artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def probe_app(app: FastAPI) -> FastAPI:
    """A web application built like the portal (double-submit CSRF, limits, error pages),
    with routes that expose what the guards let through."""
    probe = new_web_app(WebContext(site=site_of(app), area="portal", prefix=PROBE_PREFIX))

    @probe.get("/form")
    def form(request: Request) -> Response:
        response = PlainTextResponse(form_token(request))
        attach_cookie(request, response)
        return response

    @probe.post("/echo")
    def echo(name: Annotated[str, Form()] = "") -> Response:
        return PlainTextResponse(f"accepted {len(name)} characters")

    @probe.post("/upload")
    async def upload(
        document: Annotated[UploadFile, File()], note: Annotated[str, Form()] = ""
    ) -> Response:
        data = await document.read()
        return PlainTextResponse(f"{len(data)} bytes, note {len(note)}")

    @probe.get("/boom")
    def boom() -> Response:
        raise RuntimeError("a stored value that must not be shown")

    @probe.get("/limited")
    def limited() -> Response:
        raise TooManyRequests

    return probe


# --- staff -------------------------------------------------------------------------------------

#: the password every test staff user gets (12 characters or more, as kojin requires)
STAFF_PASSWORD = "correct horse battery"


def make_staff(database: Database, role: object, username: str | None = None) -> str:
    """Create a staff user of `role` (its name: the role's, unless given); returns the name."""
    from kojin.auth.roles import Role
    from kojin.auth.staff import create_staff_user

    chosen = Role(str(role))
    name = username or chosen.value.replace("_", "-")
    with database.uow() as session:
        create_staff_user(
            session=session, username=name, password=STAFF_PASSWORD, role=chosen, actor="test"
        )
    return name


def sign_in(
    client: TestClient, username: str, password: str = STAFF_PASSWORD, next_path: str = ""
) -> object:
    """Post the sign-in form as a browser would (its CSRF token first); returns the answer."""
    token = csrf_of(client.get("/admin/login").text)
    return client.post(
        "/admin/login",
        data={"csrf_token": token, "username": username, "password": password, "next": next_path},
    )


# --- requests, made through the services as the portal makes them ---------------------------


def png_bytes(width: int = 60, height: int = 40) -> bytes:
    """A real PNG image (an identity document's scan, as far as the checks can tell)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 220, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    """A real one-page PDF without active content."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def submit_verified(
    app: FastAPI,
    *,
    kind: str = "disclosure",
    lang: str = "ja",
    name: str = "山田 太郎",
    email: str = "taro@example.jp",
    details: str = "保有個人データの開示を求めます。",
    document: tuple[str, bytes] | None = None,
    verify: bool = True,
    **fields: object,
) -> str:
    """Submit a request through the service as the portal does, read the code from the outbox
    and confirm it (unless `verify` is False); returns the request's id."""
    import uuid

    from kojin.api.state import state_of
    from kojin.mail.service import list_outbox
    from kojin.requests.kinds import RIGHTS_KINDS, DocumentPurpose, RequestKind
    from kojin.requests.schemas import RequestForm, UploadIn
    from kojin.requests.service import submit_request, verify_email

    state = state_of(app)
    chosen = RequestKind(kind)
    values: dict[str, object] = {
        "kind": chosen,
        "lang": lang,
        "name": name,
        "email": email,
        "details": details,
        "submission_key": uuid.uuid4().hex,
    }
    if chosen in (RequestKind.DISCLOSURE, RequestKind.PURPOSE_NOTIFICATION):
        values["disclosure_method"] = "electronic"
    values.update(fields)
    uploads = []
    if document is not None or chosen in RIGHTS_KINDS:
        filename, data = document or ("id.png", png_bytes())
        uploads.append(
            UploadIn(
                purpose=DocumentPurpose.IDENTITY,
                filename=filename,
                declared_type=None,
                data=data,
            )
        )
    with state.database.uow() as session:
        result = submit_request(
            session=session,
            cipher=state.cipher(),
            settings=state.settings,
            policy=state.policy,
            form=RequestForm.parse(values),
            uploads=uploads,
        )
    if verify:
        with state.database.read() as session:
            mails = list_outbox(session=session, cipher=state.cipher(), limit=1000)
        codes = [m.text for m in mails if m.to == email and m.purpose == "request.email_code"]
        found = re.search(r"\b([0-9]{6})\b", str(codes[0]))
        assert found is not None
        with state.database.uow() as session:
            verify_email(
                session=session,
                cipher=state.cipher(),
                policy=state.policy,
                reference=result.reference,
                code=found.group(1),
            )
    return result.request_id


def make_subject(app: FastAPI, email: str = "taro@example.jp", category: str = "customer") -> str:
    """A registry subject with `email`; returns its id."""
    from kojin.api.state import state_of
    from kojin.registry.subjects.schemas import SubjectCreate
    from kojin.registry.subjects.service import create_subject

    state = state_of(app)
    with state.database.uow() as session:
        subject = create_subject(
            session=session,
            cipher=state.cipher(),
            subject_in=SubjectCreate(category=category, email=email, name="山田 太郎"),
            policy=state.facts,
            actor="test",
        )
    return subject.id


# --- a live server and a phone-sized page -------------------------------------------------------


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
