"""Helpers for the request tests: a filled-in form, uploads, the stand-ins' records, and a
driver that submits and verifies requests the way the portal does."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import InputError
from kojin.policy.model import Policy
from kojin.requests.kinds import DocumentPurpose, RequestKind
from kojin.requests.schemas import RequestForm, SubmitResult, UploadIn
from kojin.requests.service import VerificationFailed, submit_request, verify_email
from kojin.settings import Settings

#: a moment on a Wednesday in Tokyo (09:00 JST)
NOW = datetime(2027, 4, 7, 0, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
PDF = b"%PDF-1.7\n" + b"1 0 obj<<>>endobj\n" * 4 + b"%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + bytes(60)


@dataclass(frozen=True, slots=True)
class SentMail:
    to: str
    subject: str
    text: str
    purpose: str


@dataclass
class Outbox:
    """What the stand-in for ``kojin.mail.service.deliver`` was asked to send."""

    sent: list[SentMail] = field(default_factory=list)

    def to(self, address: str) -> list[SentMail]:
        return [mail for mail in self.sent if mail.to == address]

    def last_code(self, address: str) -> str:
        codes = [m for m in self.to(address) if m.purpose == "request.email_code"]
        match = re.search(r"\b([0-9]{6})\b", codes[-1].text)
        assert match is not None
        return match[1]


class FakeUploadRefused(InputError):  # noqa: N818 - named after the real UploadRefused
    def __init__(self, reason: str) -> None:
        super().__init__(f"the document was refused ({reason})", field="document")
        self.reason = reason


@dataclass(frozen=True)
class FakeCheckedUpload:
    media_type: str
    size: int
    sha256: str


_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_EXTENSIONS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


def fake_check_upload(
    *, filename: str, declared_type: str | None, data: bytes, max_bytes: int
) -> FakeCheckedUpload:
    """A minimal check by magic bytes, enough to exercise the services' handling."""
    if not data:
        raise FakeUploadRefused("empty")
    if len(data) > max_bytes:
        raise FakeUploadRefused("too_large")
    media = next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)
    if media is None:
        raise FakeUploadRefused("unsupported_type")
    named = _EXTENSIONS.get(filename.rsplit(".", 1)[-1].lower())
    if named is not None and named != media:
        raise FakeUploadRefused("name_mismatch")
    return FakeCheckedUpload(media, len(data), hashlib.sha256(data).hexdigest())


@dataclass
class PackageCalls:
    gathered: list[dict[str, Any]] = field(default_factory=list)
    built: list[dict[str, Any]] = field(default_factory=list)
    notices: list[Any] = field(default_factory=list)


_KEYS = iter(range(10**9))


def form(kind: RequestKind = RequestKind.DISCLOSURE, **changes: Any) -> RequestForm:
    """A filled-in form (a fresh submission key each time)."""
    data: dict[str, Any] = {
        "kind": kind,
        "lang": "ja",
        "name": "山田 太郎",
        "furigana": "やまだ たろう",
        "email": "taro.yamada@example.jp",
        "phone": "03-1234-5678",
        "postal_code": "〒100-0001",
        "address": "東京都千代田区千代田1-1",
        "details": "Please tell me what you hold.",
        "disclosure_method": "electronic"
        if kind in (RequestKind.DISCLOSURE, RequestKind.PURPOSE_NOTIFICATION)
        else None,
        "submission_key": f"form-key-{next(_KEYS):012d}",
    }
    data.update(changes)
    return RequestForm.parse(data)


def identity(data: bytes = PNG, filename: str = "licence.png") -> UploadIn:
    return UploadIn(DocumentPurpose.IDENTITY, filename, "image/png", data)


@dataclass
class Requests:
    """Submit and verify requests against one registry."""

    database: Database
    cipher: FieldCipher
    settings: Settings
    policy: Policy
    outbox: Outbox

    def submit(
        self, the_form: RequestForm, uploads: list[UploadIn] | None = None, now: datetime = NOW
    ) -> SubmitResult:
        with self.database.uow() as session:
            return submit_request(
                session=session,
                cipher=self.cipher,
                settings=self.settings,
                policy=self.policy,
                form=the_form,
                uploads=[identity()] if uploads is None else uploads,
                now=now,
            )

    def verify(self, reference: str, code: str, now: datetime = NOW) -> bool:
        """Enter a code the way the portal does (a failure is committed); True when accepted."""
        with self.database.uow() as session:
            try:
                verify_email(
                    session=session,
                    cipher=self.cipher,
                    policy=self.policy,
                    reference=reference,
                    code=code,
                    now=now,
                )
            except VerificationFailed:
                return False
        return True

    def arrived(
        self,
        the_form: RequestForm | None = None,
        uploads: list[UploadIn] | None = None,
        now: datetime = NOW,
    ) -> SubmitResult:
        """A request submitted and verified at `now`."""
        the_form = the_form or form()
        result = self.submit(the_form, uploads, now)
        assert self.verify(result.reference, self.outbox.last_code(the_form.email), now)
        return result
