"""The vault opened for settings: its keys folder, its database (the registry's, or a second
one by ``KOJIN_VAULT_DATABASE_URL``) and its transactions."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from mynumber_support import HANDLER, OFFICER, add_person, chain, designate, numbers, registration
from pydantic import SecretStr
from sqlalchemy import func, select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.mynumber.models import NumberRecord
from kojin.mynumber.service import dispose_and_shred, register_number, reveal_number
from kojin.mynumber.vault import Vault
from kojin.policy import load_policy, to_facts
from kojin.settings import Settings

NUMBER = next(numbers(1, seed=21))


def test_the_keys_live_in_the_vault_keys_folder(vault: Vault, settings: Settings) -> None:
    folder = settings.resolved_vault_keys_dir()
    assert vault.keys.folder == folder
    assert folder == settings.resolved_keys_dir() / "vault"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert vault.shared
    assert vault.store is vault.registry


def _count(database: Database) -> int:
    with database.read() as session:
        return int(session.execute(select(func.count()).select_from(NumberRecord)).scalar_one())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_vault_database_of_its_own(
    settings: Settings, database: Database, cipher: FieldCipher, tmp_path: Path
) -> None:
    own = f"sqlite:///{(tmp_path / 'vault-db' / 'vault.sqlite3').as_posix()}"
    configured = settings.model_copy(update={"vault_database_url": SecretStr(own)})
    vault = Vault.open(settings=configured, registry=database, policy=to_facts(load_policy()))
    try:
        assert not vault.shared
        person = add_person(database, cipher, vault)
        designate(vault, HANDLER)
        with vault.transaction() as sessions:
            assert not sessions.shared
            record = register_number(
                vault=vault, sessions=sessions, actor=HANDLER, body=registration(person, NUMBER)
            ).record
        with vault.transaction() as sessions:
            revealed = reveal_number(
                vault=vault,
                sessions=sessions,
                actor=HANDLER,
                record_id=record.id,
                affair=record.affairs[0],
                reason="check",
            )
        assert revealed.number == NUMBER
        assert _count(vault.store) == 1
        assert _count(database) == 0  # the registry's copy of the tables stays empty
        actions = [e.action for e in chain(database)]  # the audit chain is the registry's
        assert "mynumber.registered" in actions
        assert "mynumber.revealed" in actions
        dispose_and_shred(vault=vault, actor=OFFICER, record_ids=[record.id], reason="ended")
        assert chain(database)[-1].action == "mynumber.keys_rotated"
    finally:
        vault.close()


def test_the_registry_url_given_again_is_the_shared_database(
    settings: Settings, database: Database, db_url: str
) -> None:
    configured = settings.model_copy(update={"vault_database_url": SecretStr(db_url)})
    vault = Vault.open(settings=configured, registry=database, policy=to_facts(load_policy()))
    try:
        assert vault.shared
    finally:
        vault.close()


def test_a_failed_block_rolls_back_both(vault: Vault, database: Database, person: str) -> None:
    before = len(chain(database))
    designate(vault, HANDLER)

    def failing_interface() -> None:
        with vault.transaction() as sessions:
            register_number(
                vault=vault, sessions=sessions, actor=HANDLER, body=registration(person, NUMBER)
            )
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        failing_interface()
    assert _count(database) == 0
    assert len(chain(database)) == before + 1  # the designation only
