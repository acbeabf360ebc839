"""The vault keys folder: private files, wrapping that authenticates, rotation and destruction
seen by every process sharing the folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kojin.errors import ConflictError, IntegrityError
from kojin.mynumber.envelope import new_data_key
from kojin.mynumber.vault_keys import CURRENT_NAME, KEY_BYTES, VaultKeys


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_folder_and_its_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "keys" / "vault"
    keys = VaultKeys.open(folder)
    assert _mode(folder) == 0o700
    files = list(folder.iterdir())
    assert files
    assert all(_mode(p) == 0o600 for p in files)
    key_file = folder / f"{keys.current_id}.key"
    assert key_file.stat().st_size == KEY_BYTES
    assert (folder / CURRENT_NAME).read_text() == keys.current_id


def test_reopening_keeps_the_keys(tmp_path: Path) -> None:
    first = VaultKeys.open(tmp_path / "v")
    kid, wrapped = first.wrap(data := new_data_key())
    again = VaultKeys.open(tmp_path / "v")
    assert again.current_id == first.current_id == kid
    assert again.unwrap(kid, wrapped) == data


def test_wrapping_authenticates(tmp_path: Path) -> None:
    keys = VaultKeys.open(tmp_path / "v")
    kid, wrapped = keys.wrap(new_data_key())
    altered = bytes([wrapped[0] ^ 1]) + wrapped[1:]
    with pytest.raises(IntegrityError, match="fails authentication"):
        keys.unwrap(kid, altered)
    other = VaultKeys.open(tmp_path / "other")
    with pytest.raises(IntegrityError):
        other.unwrap(kid, wrapped)  # another folder does not hold that key


def test_rotation_keeps_old_keys_until_destroyed(tmp_path: Path) -> None:
    keys = VaultKeys.open(tmp_path / "v")
    old, wrapped = keys.wrap(data := new_data_key())
    new = keys.rotate()
    assert new != old
    assert keys.current_id == new
    assert keys.ids() == sorted([old, new])
    assert keys.unwrap(old, wrapped) == data
    with pytest.raises(ConflictError, match="current"):
        keys.destroy(new)
    keys.destroy(old)
    assert keys.ids() == [new]
    assert not (tmp_path / "v" / f"{old}.key").exists()
    with pytest.raises(IntegrityError, match="no longer exists"):
        keys.unwrap(old, wrapped)
    keys.destroy(old)  # already gone: nothing to do


def test_other_processes_follow_rotation_and_destruction(tmp_path: Path) -> None:
    server = VaultKeys.open(tmp_path / "v")
    command = VaultKeys.open(tmp_path / "v")
    old, wrapped = server.wrap(new_data_key())
    new = command.rotate()
    assert server.wrap(new_data_key())[0] == new  # the server wraps under the new key at once
    command.destroy(old)
    with pytest.raises(IntegrityError, match="no longer exists"):
        server.unwrap(old, wrapped)


def test_a_destroyed_key_leaves_no_copy_in_the_folder(tmp_path: Path) -> None:
    keys = VaultKeys.open(tmp_path / "v")
    old = keys.current_id
    secret = (tmp_path / "v" / f"{old}.key").read_bytes()
    keys.rotate()
    keys.destroy(old)
    for path in (tmp_path / "v").iterdir():
        assert secret not in path.read_bytes()


def test_a_missing_current_key_is_a_configuration_error(tmp_path: Path) -> None:
    keys = VaultKeys.open(tmp_path / "v")
    os.unlink(tmp_path / "v" / f"{keys.current_id}.key")
    with pytest.raises(Exception, match="current key is missing"):
        VaultKeys.open(tmp_path / "v")
