"""Fixtures for the request services: the seed policy, stand-ins for the modules the services
call lazily (mail delivery, the upload check, disclosure packages, refusal notices), and a
driver that submits and verifies requests.

The stand-ins are for these tests only and each is named for what it replaces; the real
modules are tested in their own folders. They go into ``sys.modules`` for one test, which is
where the services' lazy imports look first.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from requests_support import (
    FakeCheckedUpload,
    FakeUploadRefused,
    Outbox,
    PackageCalls,
    Requests,
    SentMail,
    fake_check_upload,
)

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.policy_facts import PolicyFacts
from kojin.policy import load_policy, to_facts
from kojin.policy.model import Policy
from kojin.requests import models as _models  # noqa: F401 - the tables join the metadata
from kojin.requests.kinds import RequestKind
from kojin.requests.package import Package
from kojin.settings import Settings


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(None)


@pytest.fixture(scope="session")
def facts(policy: Policy) -> PolicyFacts:
    return to_facts(policy)


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Outbox:
    """Replaces ``kojin.mail.message`` / ``kojin.mail.service`` for one test: delivered mail is
    recorded here instead of reaching an outbox table or an SMTP server."""
    box = Outbox()

    @dataclass(frozen=True, slots=True)
    class MailMessage:
        to: str
        subject: str
        text: str

    def deliver(
        *,
        session: Any,
        cipher: FieldCipher,
        settings: Settings,
        message: MailMessage,
        purpose: str,
        now: datetime | None = None,
    ) -> str:
        box.sent.append(SentMail(message.to, message.subject, message.text, purpose))
        return f"mail-{len(box.sent)}"

    message_module = types.ModuleType("kojin.mail.message")
    message_module.MailMessage = MailMessage  # type: ignore[attr-defined]
    service_module = types.ModuleType("kojin.mail.service")
    service_module.deliver = deliver  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kojin.mail.message", message_module)
    monkeypatch.setitem(sys.modules, "kojin.mail.service", service_module)
    return box


@pytest.fixture
def fake_documents(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """Replaces ``kojin.requests.documents`` for one test with a magic-bytes check."""
    module = types.ModuleType("kojin.requests.documents")
    module.check_upload = fake_check_upload  # type: ignore[attr-defined]
    module.CheckedUpload = FakeCheckedUpload  # type: ignore[attr-defined]
    module.UploadRefused = FakeUploadRefused  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kojin.requests.documents", module)
    return module


@pytest.fixture
def fake_packages(monkeypatch: pytest.MonkeyPatch) -> PackageCalls:
    """Replaces ``kojin.requests.disclosure`` and ``kojin.requests.notices`` for one test: they
    record what they were asked for and return marked bytes."""
    calls = PackageCalls()

    def gather_disclosure(**kwargs: Any) -> dict[str, Any]:
        calls.gathered.append({k: v for k, v in kwargs.items() if k != "session"})
        return {"subject_id": kwargs["subject_id"]}

    def build_package(record: dict[str, Any], *, method: Any, lang: str) -> Package:
        calls.built.append({"record": record, "method": method, "lang": lang})
        return Package(filename=f"package.{method}", media_type="application/zip", content=b"PK")

    @dataclass(frozen=True)
    class RefusalNoticeData:
        lang: str
        kind: RequestKind
        requester_name: str
        submitted_on: date
        issued_on: date
        ground: Any
        ground_text: str
        explanation: str
        partial: bool = False
        request_number: str | None = None

    def render_refusal_notice(data: RefusalNoticeData, *, policy: Policy, fmt: str) -> bytes:
        calls.notices.append(data)
        return f"notice:{fmt}".encode()

    disclosure = types.ModuleType("kojin.requests.disclosure")
    disclosure.gather_disclosure = gather_disclosure  # type: ignore[attr-defined]
    disclosure.build_package = build_package  # type: ignore[attr-defined]
    notices = types.ModuleType("kojin.requests.notices")
    notices.RefusalNoticeData = RefusalNoticeData  # type: ignore[attr-defined]
    notices.render_refusal_notice = render_refusal_notice  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kojin.requests.disclosure", disclosure)
    monkeypatch.setitem(sys.modules, "kojin.requests.notices", notices)
    return calls


@pytest.fixture
def requests(
    database: Database,
    cipher: FieldCipher,
    settings: Settings,
    policy: Policy,
    outbox: Outbox,
    fake_documents: types.ModuleType,
) -> Requests:
    return Requests(database, cipher, settings, policy, outbox)
