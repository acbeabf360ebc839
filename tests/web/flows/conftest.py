"""Flow fixtures: one live site whose mail goes to a real SMTP server (aiosmtpd on a free port),
with a privacy officer who signs in through the sign-in page. The browser (Debian's Chromium,
for one test module) and its CI rule come from ``tests/web/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from portal.portal_support import SmtpServer, smtp_server
from web_support import LiveSite, make_staff

from kojin.auth.roles import Role

from .flow_support import OFFICER, FlowSite


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def flow_site(live_site_factory: Callable[..., LiveSite], smtp: SmtpServer) -> FlowSite:
    live = live_site_factory(
        smtp_host=smtp.host, smtp_port=smtp.port, mail_from="privacy@example.co.jp"
    )
    make_staff(live.database, Role.PRIVACY_OFFICER, OFFICER)
    return FlowSite(live=live, smtp=smtp)
