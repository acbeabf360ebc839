"""Helpers for the request tests: a filled-in form, real tiny uploads, the mail outbox, and a
driver that submits and verifies requests the way the portal does."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PIL import Image
from sqlalchemy import event

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.mail.models import MailOutbox
from kojin.mail.service import OutboxItem, list_outbox
from kojin.policy.model import Policy
from kojin.requests.kinds import DocumentPurpose, RequestKind
from kojin.requests.schemas import RequestForm, SubmitResult, UploadIn
from kojin.requests.service import VerificationFailed, submit_request, verify_email
from kojin.settings import Settings

#: a moment on a Wednesday in Tokyo (09:00 JST)
NOW = datetime(2027, 4, 7, 0, 0, tzinfo=UTC)


def _image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (40, 90, 160)).save(out, kind)
    return out.getvalue()


#: real tiny files, written by Pillow: what a phone or a scanner would send
PNG = _image("PNG")
JPEG = _image("JPEG")
PDF = _image("PDF")


@dataclass(frozen=True, slots=True)
class Mail:
    """One message as the outbox shows it; `text` is empty once an SMTP server took it."""

    to: str
    subject: str
    text: str
    purpose: str
    status: str

    @classmethod
    def of(cls, item: OutboxItem) -> Mail:
        return cls(item.to, item.subject, item.text or "", item.purpose, item.status)


@dataclass
class Outbox:
    """The mail outbox as :func:`kojin.mail.service.list_outbox` shows it (decrypted), in the
    order the messages were stored (see :func:`watch_outbox`)."""

    database: Database
    cipher: FieldCipher
    order: list[str] = field(default_factory=list)

    @property
    def sent(self) -> list[Mail]:
        with self.database.read() as session:
            items = {i.id: i for i in list_outbox(session=session, cipher=self.cipher, limit=1000)}
        return [Mail.of(items[row_id]) for row_id in self.order if row_id in items]

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.sent if mail.to == address]

    def last_code(self, address: str) -> str:
        codes = [m for m in self.to(address) if m.purpose == "request.email_code"]
        return code_in(codes[-1].text)


def code_in(text: str) -> str:
    """The six-digit code in a mail's text."""
    match = re.search(r"\b([0-9]{6})\b", text)
    assert match is not None
    return match[1]


@contextmanager
def watch_outbox(outbox: Outbox) -> Iterator[Outbox]:
    """Note the id of each outbox row as it is inserted: rows made in the same instant have the
    same ``created_at``, and the tests ask which mail came last."""

    def inserted(mapper: object, connection: object, target: MailOutbox) -> None:
        outbox.order.append(target.id)

    event.listen(MailOutbox, "after_insert", inserted)
    try:
        yield outbox
    finally:
        event.remove(MailOutbox, "after_insert", inserted)


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
