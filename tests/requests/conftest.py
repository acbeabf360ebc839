"""Fixtures for the request services: the seed policy, the mail outbox as the staff pages read
it, and a driver that submits and verifies requests.

Everything is the real thing: uploads are checked by :mod:`kojin.requests.documents`, mail goes
through :func:`kojin.mail.service.deliver` (no SMTP server configured, so it stays in the
encrypted outbox; one test in ``test_requests_smtp.py`` runs a real server), packages and
notices are built by :mod:`kojin.requests.disclosure` and :mod:`kojin.requests.notices`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from requests_support import Outbox, Requests, watch_outbox

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.policy_facts import PolicyFacts
from kojin.policy import load_policy, to_facts
from kojin.policy.model import Policy
from kojin.requests import models as _models  # noqa: F401 - the tables join the metadata
from kojin.settings import Settings


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(None)


@pytest.fixture(scope="session")
def facts(policy: Policy) -> PolicyFacts:
    return to_facts(policy)


@pytest.fixture
def outbox(database: Database, cipher: FieldCipher, settings: Settings) -> Iterator[Outbox]:
    """The outbox of this test's registry, read back decrypted, in the order mail was kept."""
    assert settings.smtp_host is None  # mail stays in the outbox
    with watch_outbox(Outbox(database, cipher)) as box:
        yield box


@pytest.fixture
def requests(
    database: Database,
    cipher: FieldCipher,
    settings: Settings,
    policy: Policy,
    outbox: Outbox,
) -> Requests:
    return Requests(database, cipher, settings, policy, outbox)
