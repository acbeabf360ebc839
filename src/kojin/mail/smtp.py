"""Sending one message by SMTP with the standard library: UTF-8 throughout, STARTTLS and a
login when the settings ask for them, ten seconds at most for each step."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from kojin.mail.message import MailMessage
from kojin.settings import Settings

#: seconds each connection step may take before the delivery counts as failed
SMTP_TIMEOUT = 10.0


def build_email(message: MailMessage, *, sender: str, now: datetime) -> EmailMessage:
    """The message as MIME: a UTF-8 subject (RFC 2047 encoded where not ASCII) and a UTF-8
    plain-text body (base64 where not ASCII, so no server's 8-bit handling can garble it)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    email["Message-ID"] = make_msgid(domain=domain)
    cte = None if message.text.isascii() else "base64"
    email.set_content(message.text, subtype="plain", charset="utf-8", cte=cte)
    return email


def send(email: EmailMessage, *, settings: Settings) -> None:
    """Hand `email` to the SMTP server of `settings`; raises what smtplib or the socket raise."""
    host = settings.smtp_host
    if host is None:
        raise ValueError("no SMTP server is configured")
    with smtplib.SMTP(host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            secret = settings.smtp_password
            smtp.login(settings.smtp_username, "" if secret is None else secret.get_secret_value())
        smtp.send_message(email)
