"""Mail fixtures: a real SMTP server on 127.0.0.1 per test (see :mod:`smtp_server`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from smtp_server import Collector, SmtpServer, serve


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server (no TLS, no login)."""
    with serve(Collector()) as server:
        yield server


@pytest.fixture
def smtp_server_with_login() -> Iterator[SmtpServer]:
    """An SMTP server that offers a login without TLS (for the test only)."""
    collector = Collector()
    with serve(collector, authenticator=collector.authenticate, auth_require_tls=False) as server:
        yield server
