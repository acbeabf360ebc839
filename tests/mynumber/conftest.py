"""Vault fixtures: the vault beside the per-test registry (sharing its database), the default
policy, one person of specific personal information and one designated handler."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mynumber_support import HANDLER, add_person, designate

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.mynumber.schemas import HandlerOut
from kojin.mynumber.vault import Vault
from kojin.policy import load_policy, to_facts
from kojin.settings import Settings


@pytest.fixture
def vault(settings: Settings, database: Database) -> Iterator[Vault]:
    opened = Vault.open(settings=settings, registry=database, policy=to_facts(load_policy()))
    yield opened
    opened.close()


@pytest.fixture
def person(database: Database, cipher: FieldCipher, vault: Vault) -> str:
    return add_person(database, cipher, vault)


@pytest.fixture
def handler(vault: Vault) -> HandlerOut:
    designation = designate(vault, HANDLER)
    assert designation.actor == HANDLER
    return designation
