"""Deliver mail and keep the outbox: SMTP when a server is configured, else the outbox only.

Every message becomes an outbox row with recipient, subject and body encrypted. With
``KOJIN_SMTP_HOST`` set, the message is sent at once; once the server has accepted it the body
is cleared and the row keeps only recipient, subject, purpose and status. A failed delivery
keeps the body, with status ``failed`` and the error's class, and never raises: the caller's
work (a request submitted, a state changed) stands. Without a server the row is ``kept`` for
the staff pages' outbox. No log line names a recipient or carries a subject or body.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import datetime
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import InputError
from kojin.mail import smtp
from kojin.mail.message import MailMessage
from kojin.mail.models import MailOutbox
from kojin.settings import Settings

logger = logging.getLogger("kojin.mail")

MailStatus = Literal["kept", "sent", "failed"]
MAX_PURPOSE = 64
MAX_LIST = 1000


class OutboxItem(BaseModel):
    """One outbox message, decrypted for the staff pages; `text` is None once sent."""

    model_config = ConfigDict(frozen=True)

    id: str
    created_at: datetime
    purpose: str
    to: str
    subject: str
    text: str | None
    status: MailStatus
    error_class: str | None = None


def _context(row_id: str, column: str) -> str:
    return f"mail_outbox.{column}:{row_id}"


def deliver(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    message: MailMessage,
    purpose: str,
    now: datetime | None = None,
) -> str:
    """Send `message` by SMTP when ``settings.smtp_host`` is set, else keep it in the outbox;
    returns the outbox row's id. `purpose` names what the mail is for (a code such as
    ``request.email_code``). Never raises for an SMTP failure (status ``failed``)."""
    if not purpose or len(purpose) > MAX_PURPOSE:
        raise InputError(f"purpose must be 1 to {MAX_PURPOSE} characters", field="purpose")
    moment = now or utcnow()
    row_id = uuid.uuid4().hex
    kid = cipher.current_key_id

    def seal(column: str, value: str) -> str:
        return cipher.encrypt(value, context=_context(row_id, column), key_id=kid)

    row = MailOutbox(
        id=row_id,
        created_at=moment,
        purpose=purpose,
        to_enc=seal("to", message.to),
        subject_enc=seal("subject", message.subject),
        text_enc=seal("text", message.text),
        status="kept",
        key_id=kid,
    )
    if settings.smtp_host is not None:
        try:
            smtp.send(
                smtp.build_email(message, sender=settings.mail_from, now=moment),
                settings=settings,
            )
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            row.status = "failed"
            row.error_class = type(exc).__name__[:100]
            logger.warning("mail %s (%s) not delivered: %s", row_id, purpose, row.error_class)
        else:
            row.status = "sent"
            row.text_enc = None
    session.add(row)
    session.flush()
    return row_id


def _item(row: MailOutbox, cipher: FieldCipher) -> OutboxItem:
    def read(column: str, stored: str | None) -> str | None:
        if stored is None:
            return None
        return cipher.decrypt(stored, context=_context(row.id, column))

    return OutboxItem(
        id=row.id,
        created_at=row.created_at,
        purpose=row.purpose,
        to=read("to", row.to_enc) or "",
        subject=read("subject", row.subject_enc) or "",
        text=read("text", row.text_enc),
        status=cast(MailStatus, row.status),
        error_class=row.error_class,
    )


def list_outbox(*, session: Session, cipher: FieldCipher, limit: int = 100) -> list[OutboxItem]:
    """The newest `limit` messages (1 to 1000), newest first, decrypted."""
    if not 1 <= limit <= MAX_LIST:
        raise InputError(f"limit must be between 1 and {MAX_LIST}", field="limit")
    rows = session.execute(
        select(MailOutbox).order_by(MailOutbox.created_at.desc(), MailOutbox.id).limit(limit)
    ).scalars()
    return [_item(row, cipher) for row in rows]


def purge_outbox(*, session: Session, older_than: datetime) -> int:
    """Delete the messages created before `older_than`; returns how many."""
    result = session.execute(delete(MailOutbox).where(MailOutbox.created_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)


def count_stale_outbox(*, session: Session, cipher: FieldCipher) -> int:
    """How many outbox messages are still encrypted under an older key."""
    query = (
        select(func.count())
        .select_from(MailOutbox)
        .where(MailOutbox.key_id != cipher.current_key_id)
    )
    return int(session.execute(query).scalar_one())


def reencrypt_outbox(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` outbox messages not yet under the current key (after a key
    rotation); returns how many. Call repeatedly (one transaction each) until it returns 0; the
    older keys must stay in the keyring until then."""
    current = cipher.current_key_id
    rows = session.execute(
        select(MailOutbox).where(MailOutbox.key_id != current).order_by(MailOutbox.id).limit(limit)
    ).scalars()
    count = 0
    for row in rows:
        item = _item(row, cipher)
        row.to_enc = cipher.encrypt(item.to, context=_context(row.id, "to"), key_id=current)
        row.subject_enc = cipher.encrypt(
            item.subject, context=_context(row.id, "subject"), key_id=current
        )
        if item.text is not None:
            row.text_enc = cipher.encrypt(
                item.text, context=_context(row.id, "text"), key_id=current
            )
        row.key_id = current
        count += 1
    session.flush()
    return count
