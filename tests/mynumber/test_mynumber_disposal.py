"""Disposal is crypto-shredding: after it, neither a byte-level copy of the database and of the
vault keys folder, nor a backup of the database taken before it, yields the number (R-MN-7)."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap
from mynumber_support import (
    HANDLER,
    REMUNERATION,
    add_person,
    chain,
    chain_text,
    numbers,
    register,
)
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, IntegrityError, PermissionDeniedError
from kojin.law.mynumber_vocabulary import IdentityDocument
from kojin.mynumber.envelope import number_aad
from kojin.mynumber.models import DataKey, IdentityDocumentImage, NumberRecord
from kojin.mynumber.schemas import HandlerOut, RecordOut
from kojin.mynumber.sealing import record_key
from kojin.mynumber.service import (
    add_document,
    dispose_and_shred,
    reveal_number,
)
from kojin.mynumber.vault import Vault

GONE, KEPT = list(numbers(2, seed=99))
IMAGE = b"\x89PNG scan of a card " + GONE.encode()


@dataclass(frozen=True)
class Stored:
    record: RecordOut
    data_key: bytes
    wrapped: bytes
    nonce: bytes
    ciphertext: bytes


def _stored(vault: Vault, record: RecordOut) -> Stored:
    with vault.transaction() as sessions:
        row = sessions.vault.get(NumberRecord, record.id)
        key = sessions.vault.get(DataKey, record.id)
        assert row is not None
        assert key is not None
        assert row.nonce is not None
        assert row.number_ct is not None
        return Stored(
            record,
            record_key(vault, sessions.vault, record.id),
            key.wrapped,
            row.nonce,
            row.number_ct,
        )


@pytest.fixture
def two(
    vault: Vault, database: Database, cipher: FieldCipher, person: str, handler: HandlerOut
) -> tuple[Stored, Stored]:
    gone = register(vault, person, GONE)
    kept = register(vault, add_person(database, cipher, vault), KEPT)
    with vault.transaction() as sessions:
        add_document(
            vault=vault,
            sessions=sessions,
            actor=HANDLER,
            record_id=gone.id,
            document_type=IdentityDocument.MY_NUMBER_CARD,
            content_type="image/png",
            content=IMAGE,
            scope=None,
        )
    return _stored(vault, gone), _stored(vault, kept)


def _reveal(vault: Vault, record_id: str) -> str:
    with vault.transaction() as sessions:
        return reveal_number(
            vault=vault,
            sessions=sessions,
            actor=HANDLER,
            record_id=record_id,
            affair=REMUNERATION,
            reason="check",
        ).number


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _backup(url: str, target: Path) -> Path:
    """A consistent copy of the SQLite database, as a backup tool makes it."""
    source = sqlite3.connect(_sqlite_path(url))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target


def _copy_files(url: str, folder: Path, target: Path) -> tuple[bytes, list[bytes]]:
    """A byte-level copy of the database file with its side files, and of the keys folder:
    (every database byte, the content of every file in the keys folder)."""
    database = _sqlite_path(url)
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        source = database.with_name(database.name + suffix)
        if source.exists():
            shutil.copyfile(source, target / source.name)
            data += (target / source.name).read_bytes()
    shutil.copytree(folder, target / "keys")
    files = [p.read_bytes() for p in (target / "keys").rglob("*") if p.is_file()]
    return data, files


def _unwrapped_anywhere(data: bytes, keys: list[bytes]) -> set[bytes]:
    """Every data key that some 40-byte window of `data` unwraps to under one of `keys`."""
    found: set[bytes] = set()
    for key in keys:
        for offset in range(len(data) - 39):
            window = data[offset : offset + 40]
            try:
                found.add(aes_key_unwrap(key, window))
            except (InvalidUnwrap, ValueError):
                continue
    return found


def _opens(key: bytes, stored: Stored) -> bool:
    try:
        AESGCM(key).decrypt(stored.nonce, stored.ciphertext, number_aad(stored.record.id))
    except (InvalidTag, ValueError):
        return False
    return True


#: these tests copy the SQLite file itself (the PostgreSQL variant is the backup test below)
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_after_disposal_a_copy_of_the_database_and_keys_cannot_yield_the_number(
    vault: Vault, database: Database, sqlite_url: str, tmp_path: Path, two: tuple[Stored, Stored]
) -> None:
    gone, kept = two
    disposed = dispose_and_shred(
        vault=vault, actor=HANDLER, record_ids=[gone.record.id], reason="affairs ended"
    )
    assert disposed[0].status == "disposed"
    assert _reveal(vault, kept.record.id) == KEPT  # the others are re-wrapped, still readable

    copy = tmp_path / "copy"
    copy.mkdir()
    data, key_files = _copy_files(sqlite_url, vault.keys.folder, copy)
    # no trace of the number, its ciphertext, its data key or its wrapped key in the file bytes
    for needle in (
        GONE.encode(),
        GONE.encode("utf-16-le"),
        gone.ciphertext,
        gone.data_key,
        gone.wrapped,
        IMAGE,
    ):
        assert needle not in data
        assert all(needle not in content for content in key_files)
    # every file of the copied keys folder tried as a key against every 40-byte window: only
    # the data key of the record that remains unwraps, never the disposed one's
    candidates = [c for c in key_files if len(c) == 32]
    assert candidates
    recovered = _unwrapped_anywhere(data, candidates)
    assert recovered == {kept.data_key}
    assert gone.data_key not in recovered
    for key in [*recovered, *candidates]:
        assert not _opens(key, gone)
    assert _opens(kept.data_key, kept)  # the check itself can find what is there


@SQLITE_ONLY
def test_a_backup_file_taken_before_disposal_cannot_be_opened_with_the_keys_left(
    vault: Vault, sqlite_url: str, tmp_path: Path, two: tuple[Stored, Stored]
) -> None:
    gone, kept = two
    backup = _backup(sqlite_url, tmp_path / "before.sqlite3")
    dispose_and_shred(vault=vault, actor=HANDLER, record_ids=[gone.record.id], reason="ended")
    with sqlite3.connect(backup) as connection:
        rows = connection.execute(_WRAPPED).fetchall()
    _cannot_unwrap(vault, rows, {gone.record.id, kept.record.id})


def test_a_dump_taken_before_disposal_cannot_be_opened_with_the_keys_left(
    vault: Vault, database: Database, two: tuple[Stored, Stored]
) -> None:
    gone, kept = two
    with database.engine.connect() as connection:  # what a dump of the tables holds
        rows = [tuple(row) for row in connection.exec_driver_sql(_WRAPPED)]
    dispose_and_shred(vault=vault, actor=HANDLER, record_ids=[gone.record.id], reason="ended")
    _cannot_unwrap(vault, rows, {gone.record.id, kept.record.id})


_WRAPPED = (
    "SELECT k.record_id, k.vault_key_id, k.wrapped, r.nonce, r.number_ct "
    "FROM mynumber_data_keys k JOIN mynumber_records r ON r.id = k.record_id"
)


def _cannot_unwrap(vault: Vault, rows: list[tuple[Any, ...]], expected: set[str]) -> None:
    assert {row[0] for row in rows} == expected
    keys_left = [p.read_bytes() for p in vault.keys.folder.iterdir() if p.is_file()]
    for record_id, key_id, wrapped, _, _ in rows:
        with pytest.raises(IntegrityError):
            vault.keys.unwrap(key_id, wrapped)
        for key in keys_left:
            if len(key) == 32:
                with pytest.raises(InvalidUnwrap):
                    aes_key_unwrap(key, bytes(wrapped))
        assert record_id in expected


def test_disposal_leaves_a_record_without_the_number(
    vault: Vault, database: Database, db_url: str, two: tuple[Stored, Stored]
) -> None:
    gone, _ = two
    out = dispose_and_shred(
        vault=vault, actor=HANDLER, record_ids=[gone.record.id], reason="契約終了"
    )[0]
    assert (out.status, out.masked, out.disposed_by) == ("disposed", None, HANDLER)
    assert (out.disposal_reason, out.disposal_method) == ("契約終了", "crypto_shredding")
    assert out.disposed_at is not None
    with database.read() as session:
        row = session.get(NumberRecord, gone.record.id)
        assert row is not None
        assert (row.number_ct, row.nonce, row.active_subject) == (None, None, None)
        assert session.get(DataKey, gone.record.id) is None
        images = list(session.execute(select(IdentityDocumentImage)).scalars())
    assert [(i.content_ct, i.nonce) for i in images] == [(None, None)]
    assert images[0].purged_at is not None
    actions = [e.action for e in chain(database)]
    assert actions[-2:] == ["mynumber.disposed", "mynumber.keys_rotated"]
    disposed = next(e for e in chain(database) if e.action == "mynumber.disposed")
    assert disposed.details["documents_purged"] == 1
    assert disposed.details["method"] == "crypto_shredding"
    assert "契約終了" not in chain_text(database)
    assert GONE not in chain_text(database)
    with pytest.raises(ConflictError, match="disposed"):
        dispose_and_shred(vault=vault, actor=HANDLER, record_ids=[gone.record.id], reason="again")


def test_a_disposed_persons_number_may_be_registered_again(
    vault: Vault, two: tuple[Stored, Stored]
) -> None:
    gone, _ = two
    dispose_and_shred(vault=vault, actor=HANDLER, record_ids=[gone.record.id], reason="ended")
    again = register(vault, gone.record.subject_id, GONE)
    assert again.id != gone.record.id
    assert _reveal(vault, again.id) == GONE


def test_a_handler_disposes_only_records_wholly_within_the_designation(
    vault: Vault, two: tuple[Stored, Stored]
) -> None:
    from mynumber_support import OTHER_HANDLER, REAL_ESTATE, designate

    gone, _ = two
    designate(vault, OTHER_HANDLER, affairs=(REAL_ESTATE,))
    with pytest.raises(Exception, match="record not found"):
        dispose_and_shred(
            vault=vault, actor=OTHER_HANDLER, record_ids=[gone.record.id], reason="x", handler=True
        )
    with pytest.raises(PermissionDeniedError, match="designat"):
        dispose_and_shred(
            vault=vault, actor="token:nobody", record_ids=[gone.record.id], reason="x", handler=True
        )
    out = dispose_and_shred(
        vault=vault, actor=HANDLER, record_ids=[gone.record.id], reason="x", handler=True
    )
    assert out[0].status == "disposed"


def test_rotation_rewraps_every_remaining_key_and_destroys_the_old_ones(
    vault: Vault, two: tuple[Stored, Stored]
) -> None:
    from kojin.mynumber.service import rotate_vault_key

    _, kept = two
    old = vault.keys.current_id
    rotation = rotate_vault_key(vault)
    assert rotation.key_id != old
    assert rotation.rewrapped == 2
    assert rotation.destroyed == [old]
    assert vault.keys.ids() == [rotation.key_id]
    assert _reveal(vault, kept.record.id) == KEPT


def test_the_affairs_end_only_by_a_handler_of_every_affair_of_the_record(
    vault: Vault, person: str, handler: HandlerOut
) -> None:
    """A record still used for another affair is not ended by the handler of one of them."""
    from datetime import date

    from mynumber_support import OTHER_HANDLER, REAL_ESTATE, designate

    from kojin.mynumber.handlers import require_scope
    from kojin.mynumber.service import end_affairs

    stored = register(vault, person, GONE, affairs=(REMUNERATION, REAL_ESTATE))
    designate(vault, OTHER_HANDLER, affairs=(REMUNERATION,))
    ended = date(2026, 11, 30)
    with pytest.raises(PermissionDeniedError, match="designation"), vault.transaction() as sessions:
        end_affairs(
            vault=vault,
            sessions=sessions,
            actor=OTHER_HANDLER,
            record_id=stored.id,
            ended_on=ended,
            scope=require_scope(vault=sessions.vault, actor=OTHER_HANDLER),
        )
    with vault.transaction() as sessions:
        out = end_affairs(
            vault=vault,
            sessions=sessions,
            actor=HANDLER,
            record_id=stored.id,
            ended_on=ended,
            scope=require_scope(vault=sessions.vault, actor=HANDLER),
        )
    assert out.affairs_ended_on == ended
