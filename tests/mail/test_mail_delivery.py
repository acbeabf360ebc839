"""Mail through a real SMTP server: Japanese arrives intact, the outbox is encrypted and keeps
only metadata once a message is sent, a failed delivery is recorded without raising, and
nothing logged names the recipient."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from smtp_server import SmtpServer, free_port
from sqlalchemy import select, update

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import InputError, IntegrityError
from kojin.mail.message import MailMessage
from kojin.mail.models import MailOutbox
from kojin.mail.service import OutboxItem, deliver, list_outbox, purge_outbox
from kojin.settings import Settings

TO = "yamada.taro@example.jp"
SUBJECT = "【kojin】ご請求を受け付けました（確認コードのお知らせ）"
TEXT = (
    "山田 太郎 様\n\n"
    "開示等の請求を受け付けました。確認コード: 482915\n"
    "このコードの有効期限は30分です。〒100-0001 東京都千代田区千代田１－１\n"
    "ｶﾀｶﾅ・絵文字🙂・旧字體の髙﨑も届くこと。\n"
)
MESSAGE = MailMessage(to=TO, subject=SUBJECT, text=TEXT)


def _with_smtp(settings: Settings, port: int, **more: object) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, **more})


def _deliver(
    database: Database,
    cipher: FieldCipher,
    settings: Settings,
    message: MailMessage = MESSAGE,
    now: datetime | None = None,
) -> str:
    with database.uow() as session:
        return deliver(
            session=session,
            cipher=cipher,
            settings=settings,
            message=message,
            purpose="request.email_code",
            now=now,
        )


def _outbox(database: Database, cipher: FieldCipher, limit: int = 100) -> list[OutboxItem]:
    with database.read() as session:
        return list_outbox(session=session, cipher=cipher, limit=limit)


def _row(database: Database, row_id: str) -> MailOutbox:
    with database.read() as session:
        return session.execute(select(MailOutbox).where(MailOutbox.id == row_id)).scalar_one()


def test_a_japanese_message_arrives_intact(
    database: Database, cipher: FieldCipher, settings: Settings, smtp_server: SmtpServer
) -> None:
    sender = "個人情報窓口 <privacy@example.co.jp>"
    configured = _with_smtp(settings, smtp_server.port, mail_from=sender)
    row_id = _deliver(database, cipher, configured)
    [received] = smtp_server.collector.messages
    assert received.mail_from == "privacy@example.co.jp"
    assert received.rcpt_tos == [TO]
    email = received.email
    assert email["Subject"] == SUBJECT
    assert email["To"] == TO
    assert email["From"] == sender
    assert email["Message-ID"].endswith("@example.co.jp>")
    assert email["Date"]
    assert email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    assert email.get_content() == TEXT
    assert received.content.isascii()  # encoded for any server: no raw 8-bit bytes
    row = _row(database, row_id)
    assert (row.status, row.error_class, row.text_enc) == ("sent", None, None)
    [item] = _outbox(database, cipher)
    assert (item.to, item.subject, item.text, item.status) == (TO, SUBJECT, None, "sent")


def test_an_ascii_message_stays_readable(
    database: Database, cipher: FieldCipher, settings: Settings, smtp_server: SmtpServer
) -> None:
    plain = MailMessage(to="a@example.com", subject="Your code", text="Code: 123456\n")
    _deliver(database, cipher, _with_smtp(settings, smtp_server.port), plain)
    [received] = smtp_server.collector.messages
    assert b"Code: 123456" in received.content
    assert received.email.get_content().splitlines() == ["Code: 123456"]  # CRLF on the wire


def test_the_login_uses_the_secret_password(
    database: Database,
    cipher: FieldCipher,
    settings: Settings,
    smtp_server_with_login: SmtpServer,
) -> None:
    configured = _with_smtp(
        settings,
        smtp_server_with_login.port,
        smtp_username="kojin",
        smtp_password=SecretStr("s3cret pass:word!"),
    )
    row_id = _deliver(database, cipher, configured)
    assert smtp_server_with_login.collector.logins == [("kojin", "s3cret pass:word!")]
    assert len(smtp_server_with_login.collector.messages) == 1
    assert _row(database, row_id).status == "sent"


def test_starttls_is_required_when_configured(
    database: Database,
    cipher: FieldCipher,
    settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    configured = _with_smtp(settings, smtp_server.port, smtp_starttls=True)
    row_id = _deliver(database, cipher, configured)  # the server offers no STARTTLS
    row = _row(database, row_id)
    assert row.status == "failed"
    assert row.error_class == "SMTPNotSupportedError"
    assert smtp_server.collector.messages == []  # nothing went out in clear


def test_an_unreachable_server_is_recorded_not_raised(
    database: Database,
    cipher: FieldCipher,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    row_id = _deliver(database, cipher, _with_smtp(settings, free_port()))
    row = _row(database, row_id)
    assert row.status == "failed"
    assert row.error_class == "ConnectionRefusedError"
    assert row.text_enc is not None  # kept for the outbox: the staff can still see it
    [item] = _outbox(database, cipher)
    assert (item.status, item.text, item.error_class) == ("failed", TEXT, "ConnectionRefusedError")
    logged = caplog.text
    assert row_id in logged
    for secret in (TO, "yamada", SUBJECT, "482915", "山田"):
        assert secret not in logged


def test_without_a_server_mail_is_kept_encrypted(
    database: Database, cipher: FieldCipher, settings: Settings
) -> None:
    assert settings.smtp_host is None
    first = _deliver(database, cipher, settings, now=datetime(2026, 12, 1, 9, tzinfo=UTC))
    other = MailMessage(to="b@example.com", subject="二通目", text="本文\n")
    second = _deliver(database, cipher, settings, other, now=datetime(2026, 12, 1, 10, tzinfo=UTC))
    row = _row(database, first)
    assert row.status == "kept"
    assert row.key_id == cipher.current_key_id
    for stored in (row.to_enc, row.subject_enc, row.text_enc):
        assert stored is not None
        assert stored.startswith(f"{row.key_id}:")
        assert "yamada" not in stored
        assert "482915" not in stored
    items = _outbox(database, cipher)
    assert [i.id for i in items] == [second, first]  # newest first
    assert (items[1].to, items[1].subject, items[1].text) == (TO, SUBJECT, TEXT)
    assert items[1].purpose == "request.email_code"
    assert items[1].status == "kept"
    assert len(_outbox(database, cipher, limit=1)) == 1


def test_a_value_moved_to_another_row_does_not_decrypt(
    database: Database, cipher: FieldCipher, settings: Settings
) -> None:
    first = _deliver(database, cipher, settings)
    second = _deliver(database, cipher, settings, MailMessage("c@example.com", "s", "t\n"))
    with database.uow() as session:
        session.execute(
            update(MailOutbox)
            .where(MailOutbox.id == second)
            .values(to_enc=_row(database, first).to_enc)
        )
    with pytest.raises(IntegrityError, match=r"mail_outbox\.to"):
        _outbox(database, cipher)


def test_purge_removes_older_messages(
    database: Database, cipher: FieldCipher, settings: Settings
) -> None:
    now = datetime.now(UTC)
    old = _deliver(database, cipher, settings, now=now - timedelta(days=31))
    new = _deliver(database, cipher, settings, now=now)
    with database.uow() as session:
        assert purge_outbox(session=session, older_than=now - timedelta(days=30)) == 1
    assert [i.id for i in _outbox(database, cipher)] == [new]
    assert old != new


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"to": "a@example.com, b@example.com"}, "to"),
        ({"to": "not an address"}, "to"),
        ({"to": "a@example.com\r\nBcc: x@example.com"}, "to"),
        ({"subject": "hello\r\nBcc: x@example.com"}, "subject"),
        ({"subject": "x" * 501}, "subject"),
    ],
)
def test_messages_that_would_inject_headers_are_refused(fields: dict[str, str], field: str) -> None:
    values = {"to": "a@example.com", "subject": "s", "text": "t", **fields}
    with pytest.raises(InputError) as caught:
        MailMessage(**values)
    assert caught.value.field == field
    assert "example" not in caught.value.message


def test_the_purpose_is_bounded(
    database: Database, cipher: FieldCipher, settings: Settings
) -> None:
    with pytest.raises(InputError) as caught, database.uow() as session:
        deliver(session=session, cipher=cipher, settings=settings, message=MESSAGE, purpose="")
    assert caught.value.field == "purpose"
