"""Periodic checkpoints as a server runs them: a checkpoint when the head moved, none when it did
not, one file shared by several writers, and a last checkpoint when the server stops."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from audit_attacks import fill, truncate_tail

from kojin.audit.checkpoints import read_checkpoints
from kojin.audit.periodic import PeriodicCheckpoints
from kojin.audit.signing import PUBLIC_KEY_NAME, SigningKey, load_or_create_signing_key
from kojin.db.uow import Database
from kojin.settings import Settings

INTERVAL = 0.05


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _lines(path: Path) -> int:
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def test_writes_when_the_head_moved_and_only_then(database: Database, tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path / "keys")
    path = tmp_path / "checkpoints.jsonl"
    fill(database, 3)
    writer = PeriodicCheckpoints(database=database, key=key, path=path, interval=INTERVAL)
    writer.start()
    try:
        _wait_for(lambda: _lines(path) == 1)
        time.sleep(INTERVAL * 6)  # the head did not move: nothing more
        assert _lines(path) == 1
        fill(database, 2, start=3)
        _wait_for(lambda: _lines(path) == 2)
    finally:
        writer.stop()
    checkpoints = read_checkpoints(path, trusted=key.public)
    assert [c.seq for c in checkpoints] == [3, 5]
    assert not writer.running


def test_stop_signs_the_last_head(database: Database, tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path / "keys")
    path = tmp_path / "checkpoints.jsonl"
    writer = PeriodicCheckpoints(database=database, key=key, path=path, interval=3600)
    writer.start()
    fill(database, 2)
    writer.stop()
    assert [c.seq for c in read_checkpoints(path, trusted=key.public)] == [2]


def test_several_workers_sign_each_head_once(database: Database, tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path / "keys")
    path = tmp_path / "checkpoints.jsonl"
    writers = [
        PeriodicCheckpoints(database=database, key=key, path=path, interval=INTERVAL)
        for _ in range(3)
    ]
    for writer in writers:
        writer.start()
    try:
        for n in range(1, 5):
            fill(database, 1, start=n)
            _wait_for(_signed_up_to(path, key, n))
    finally:
        for writer in writers:
            writer.stop()
    seqs = [c.seq for c in read_checkpoints(path, trusted=key.public)]
    assert seqs == sorted(set(seqs)), "a head was signed twice"
    assert seqs[-1] == 4


def _signed_up_to(path: Path, key: SigningKey, seq: int) -> Callable[[], bool]:
    def done() -> bool:
        return _lines(path) > 0 and read_checkpoints(path, trusted=key.public)[-1].seq == seq

    return done


def test_interval_zero_never_starts(database: Database, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", checkpoint_interval=0)
    writer = PeriodicCheckpoints.from_settings(settings, database)
    writer.start()
    assert not writer.running
    fill(database, 1)
    writer.stop()
    assert not (tmp_path / "home" / "audit-checkpoints.jsonl").exists()


def test_from_settings_uses_the_keys_folder_and_home(database: Database, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", checkpoint_interval=INTERVAL)
    fill(database, 2)
    writer = PeriodicCheckpoints.from_settings(settings, database)
    writer.start()
    path = tmp_path / "home" / "audit-checkpoints.jsonl"
    try:
        _wait_for(lambda: _lines(path) == 1)
    finally:
        writer.stop()
    assert (tmp_path / "home-keys" / PUBLIC_KEY_NAME).exists()


def test_a_chain_cut_short_is_logged_not_signed(
    database: Database, db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = load_or_create_signing_key(tmp_path / "keys")
    path = tmp_path / "checkpoints.jsonl"
    fill(database, 4)
    writer = PeriodicCheckpoints(database=database, key=key, path=path, interval=INTERVAL)
    with caplog.at_level(logging.ERROR, logger="kojin.audit"):
        writer.start()
        try:
            _wait_for(lambda: _lines(path) == 1)
            truncate_tail(db_url, keep=2)
            fill(database, 5, start=10)
            _wait_for(lambda: "audit checkpoint not written" in caplog.text)
        finally:
            writer.stop()
    assert _lines(path) == 1
    assert "checkpoint 4" in caplog.text
