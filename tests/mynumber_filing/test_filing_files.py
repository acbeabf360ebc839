"""Files with numbers: 0600, whole or nothing, never over another file, removed only when they
are the file recorded."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from kojin.errors import ConflictError, InputError
from kojin.mynumber.filing.files import remove_recorded_file, write_private_file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_private_in_a_private_folder(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "new" / "records.csv"
        write_private_file(target, b"a,b\r\n")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"a,b\r\n"
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700
    assert sorted(p.name for p in target.parent.iterdir()) == ["records.csv"]


def test_an_existing_file_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "records.csv"
    target.write_bytes(b"kept")
    with pytest.raises(ConflictError, match="exists"):
        write_private_file(target, b"new")
    assert target.read_bytes() == b"kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.csv"]


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fsync(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    target = tmp_path / "records.csv"
    with pytest.raises(OSError, match="No space"):
        write_private_file(target, b"x" * 100_000)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(InputError, match="cannot write a file there"):
        write_private_file(blocker / "records.csv", b"x")


def test_only_the_recorded_file_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "records.csv"
    target.write_bytes(b"numbers")
    with pytest.raises(ConflictError, match="not the file this export recorded"):
        remove_recorded_file(target, hashlib.sha256(b"other").hexdigest())
    assert target.exists()
    remove_recorded_file(target, hashlib.sha256(b"numbers").hexdigest())
    assert not target.exists()
    with pytest.raises(InputError, match="cannot be read"):
        remove_recorded_file(target, hashlib.sha256(b"numbers").hexdigest())
