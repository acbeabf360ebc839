"""Vault fixtures: the vault beside the per-test registry (sharing its database), the default
policy, one person of specific personal information and one designated handler; the API with a
token per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mynumber_support import HANDLER, Api, Made, TestClient, add_person, designate

from kojin.api import create_app
from kojin.auth.roles import Role
from kojin.auth.service import create_token
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


@pytest.fixture
def api(settings: Settings, database: Database) -> Iterator[Api]:
    """The API over the test registry, with a token for every role and a second, not
    designated, mynumber_handler token."""
    tokens: dict[Role | str, Made] = {}
    with database.uow() as session:
        for role in Role:
            token, plaintext = create_token(session=session, role=role, name=f"test {role}")
            tokens[role] = Made(token.id, plaintext)
        token, plaintext = create_token(
            session=session, role=Role.MYNUMBER_HANDLER, name="not designated"
        )
        tokens["undesignated"] = Made(token.id, plaintext)
    with TestClient(create_app(settings, database=database)) as client:
        yield Api(client=client, tokens=tokens)
