"""Filing fixtures: the vault beside the per-test registry (sharing its database) under the
seed policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kojin.db.uow import Database
from kojin.mynumber.vault import Vault
from kojin.policy import load_policy, to_facts
from kojin.settings import Settings


@pytest.fixture
def vault(settings: Settings, database: Database) -> Iterator[Vault]:
    opened = Vault.open(settings=settings, registry=database, policy=to_facts(load_policy()))
    yield opened
    opened.close()
