"""Helpers for the portal tests: a real SMTP server that collects mail, documents to upload,
and a client-side driver that fills in the portal's forms as a browser would."""

from __future__ import annotations

import html
import io
import re
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import func, select
from web_support import PUBLIC_URL, TestClient, csrf_of

from kojin.api.state import AppState
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.settings import Settings

#: text that must come back escaped wherever a page shows it
SCRIPT = '<script>alert("kojin")</script>'
SQL = "'; DROP TABLE data_requests; --"
PAYLOAD = f'{SCRIPT} {SQL} " OR 1=1'
PAYLOAD_ESCAPED = "&lt;script&gt;alert(&#34;kojin&#34;)&lt;/script&gt;"


def png(width: int = 40, height: int = 30, *, noise: bool = False) -> bytes:
    """A real PNG image (noise makes it large: it does not compress)."""
    import os

    image = (
        Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
        if noise
        else Image.new("RGB", (width, height), (200, 30, 30))
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- a real SMTP server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """aiosmtpd's handler: every message it receives, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(bytes(envelope.content), policy=email_policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    def body(self, message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def last_code(self, address: str) -> str:
        """The six-digit code of the newest code mail to `address`."""
        mails = self.to(address)
        assert mails, (
            f"no mail reached the SMTP server for the test address ({len(self.messages)} in all)"
        )
        found = re.search(r"(?<![0-9])([0-9]{6})(?![0-9])", self.body(mails[-1]))
        assert found is not None, "the mail holds no six-digit code"
        return found[1]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, mailbox)
    finally:
        controller.stop()


# --- the site ---------------------------------------------------------------------------------


def settings_for(tmp_path: Path, sqlite_url: str, smtp: SmtpServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": tmp_path / "home",
        "database_url": sqlite_url,
        "public_url": PUBLIC_URL,
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "mail_from": "privacy@example.co.jp",
    }
    values.update(overrides)
    settings = Settings(**values)
    if not keyring_path(settings).exists():
        Keyring.generate(path=keyring_path(settings)).save()
    return settings


def client_of(app: FastAPI) -> TestClient:
    return TestClient(app, base_url=PUBLIC_URL, follow_redirects=False)


def stored_counts(state: AppState) -> tuple[int, int]:
    """(requests, documents) in the registry."""
    from kojin.requests.models import DataRequest, RequestDocument

    with state.read() as session:
        requests = session.execute(select(func.count()).select_from(DataRequest)).scalar_one()
        documents = session.execute(select(func.count()).select_from(RequestDocument)).scalar_one()
    return int(requests), int(documents)


# --- filling in the forms -----------------------------------------------------------------------

_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
_REFERENCE = re.compile(r"KJ(?:-[0-9A-Z]{5}){4}")


def base_fields(**changes: str) -> dict[str, str]:
    fields = {
        "category": "customer",
        "name": "Hanako Yamada",
        "furigana": "ヤマダ ハナコ",
        "email": "hanako@example.jp",
        "phone": "03-1234-5678",
        "postal_code": "108-8019",
        "address": "1-9-1 Konan, Minato-ku, Tokyo",
        "details": "Everything you hold about me.",
        "disclosure_method": "electronic",
        "include_third_party_records": "1",
        "is_agent": "no",
    }
    fields.update(changes)
    return fields


@dataclass(frozen=True)
class OpenedForm:
    html: str
    csrf: str
    submission_key: str


def open_form(client: TestClient, kind: str, lang: str = "en") -> OpenedForm:
    answer = client.get(f"/portal/requests/new/{kind}?lang={lang}")
    assert answer.status_code == 200, answer.status_code
    key = _KEY.search(answer.text)
    assert key is not None
    return OpenedForm(answer.text, csrf_of(answer.text), key[1])


Files = Mapping[str, tuple[str, bytes, str]]


def post_form(
    client: TestClient,
    opened: OpenedForm,
    kind: str,
    fields: Mapping[str, str],
    files: Files | None = None,
    *,
    csrf: bool = True,
) -> Any:
    data = {"kind": kind, "submission_key": opened.submission_key, **fields}
    if csrf:
        data["csrf_token"] = opened.csrf
    # an empty file part, as a browser sends for a file field left empty
    sent = dict(files) if files is not None else {}
    sent.setdefault("authority_document", ("", b"", "application/octet-stream"))
    return client.post("/portal/requests", data=data, files=sent)


def identity_png(name: str = "licence.png") -> dict[str, tuple[str, bytes, str]]:
    return {"identity_document": (name, png(), "image/png")}


def reference_on(html: str) -> str:
    found = _REFERENCE.search(html)
    assert found is not None, "the page shows no reference"
    return found[0]


def submit_and_read_reference(
    client: TestClient, kind: str, fields: Mapping[str, str], files: Files | None = None
) -> str:
    opened = open_form(client, kind)
    answer = post_form(client, opened, kind, fields, files)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/portal/requests/verify"
    page = client.get("/portal/requests/verify")
    return reference_on(page.text)


def verify(client: TestClient, reference: str, code: str) -> Any:
    page = client.get("/portal/requests/verify")
    return client.post(
        "/portal/requests/verify",
        data={"csrf_token": csrf_of(page.text), "reference": reference, "code": code},
    )


def open_status(client: TestClient, reference: str, email: str) -> Any:
    page = client.get("/portal/status")
    return client.post(
        "/portal/status",
        data={"csrf_token": csrf_of(page.text), "reference": reference, "email": email},
    )


# --- reading pages ------------------------------------------------------------------------------


class Controls(HTMLParser):
    """The form controls of a page and the labels that name them."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("input", "select", "textarea") and values.get("type") != "hidden":
            self.controls.append({"tag": tag, **values})
        if tag == "label" and "for" in values:
            self.label_for.add(values["for"])


def controls_of(html: str) -> Controls:
    parser = Controls()
    parser.feed(html)
    return parser


def error_for(page: str, field_id: str) -> str | None:
    """The error message tied to the control `field_id`, if any."""
    found = re.search(
        rf'<p class="error-message" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S
    )
    return None if found is None else html.unescape(re.sub(r"<[^>]+>", "", found[1])).strip()
