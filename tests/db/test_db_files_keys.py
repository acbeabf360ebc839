"""Keys live in their own folder beside, not inside, the data folder (owner-only); keys an
earlier release kept in ``<home>/keys`` are moved there on first use."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kojin.cli import app
from kojin.cli.serve import prepare_registry
from kojin.crypto.keyring import Keyring, keyring_path, load_keyring
from kojin.deid import service as deid_service
from kojin.errors import ConfigurationError
from kojin.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var"
    monkeypatch.setenv("KOJIN_HOME", str(path))
    for name in ("KOJIN_DATABASE_URL", "KOJIN_KEYS_DIR", "KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return path


def _legacy_install(home: Path) -> tuple[Keyring, bytes]:
    """Keys where an earlier release kept them: ``<home>/keys``."""
    old = home / "keys"
    keyring = Keyring.generate(path=old / "keyring.json")
    keyring.save()
    pseudonym = old / "pseudonym-keys.json"
    pseudonym.write_bytes(b'{"format": 1}')
    return keyring, pseudonym.read_bytes()


def test_init_keeps_keys_outside_the_data_folder_and_says_where(home: Path) -> None:
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    keys = home.parent / "var-keys"
    assert f"data folder: {home}" in result.stdout
    assert f"keys folder: {keys}" in result.stdout
    assert not (home / "keys").exists()
    assert sorted(p.name for p in keys.iterdir()) == ["keyring.json"]
    assert _mode(home) == 0o700
    assert _mode(keys) == 0o700
    assert _mode(keys / "keyring.json") == 0o600
    assert _mode(home / "kojin.sqlite3") == 0o600
    assert not any("key" in p.name for p in home.iterdir())


def test_keys_dir_setting_is_honoured(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "secure" / "kojin"
    monkeypatch.setenv("KOJIN_KEYS_DIR", str(elsewhere))
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert f"keys folder: {elsewhere}" in result.stdout
    assert (elsewhere / "keyring.json").exists()
    assert not (home.parent / "var-keys").exists()


def test_an_earlier_release_keys_folder_is_moved_on_first_use(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keyring, pseudonym = _legacy_install(home)
    settings = Settings()
    with caplog.at_level(logging.WARNING, logger="kojin.keys"):
        loaded = load_keyring(settings)
    new = home.parent / "var-keys"
    assert loaded.keys == keyring.keys
    assert loaded.path == new / "keyring.json"
    assert not (home / "keys").exists()
    assert (new / "pseudonym-keys.json").read_bytes() == pseudonym
    assert _mode(new) == 0o700
    assert any(
        "moved the keys folder" in r.getMessage() and str(new) in r.getMessage()
        for r in caplog.records
    )
    assert load_keyring(settings).keys == keyring.keys  # and once moved, nothing more to do


def test_serve_moves_the_keys_before_any_worker_starts(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keyring, _ = _legacy_install(home)
    with caplog.at_level(logging.WARNING, logger="kojin.keys"):
        prepare_registry(Settings())
    assert Keyring.read(home.parent / "var-keys" / "keyring.json").keys == keyring.keys
    assert not (home / "keys").exists()
    assert any("moved the keys folder" in r.getMessage() for r in caplog.records)


def test_init_on_an_earlier_release_reuses_its_keyring(home: Path) -> None:
    keyring, _ = _legacy_install(home)
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert f"data key id: {keyring.current}" in result.stdout
    assert Keyring.read(keyring_path(Settings())).keys == keyring.keys


def test_keys_in_both_folders_are_refused_with_what_to_do(home: Path) -> None:
    _legacy_install(home)
    Keyring.generate(path=home.parent / "var-keys" / "keyring.json").save()
    with pytest.raises(ConfigurationError) as caught:
        load_keyring(Settings())
    message = caught.value.message
    assert str(home / "keys") in message
    assert str(home.parent / "var-keys") in message
    assert "move" in message
    assert (home / "keys" / "keyring.json").exists()  # nothing was moved or lost


def test_pseudonym_keys_default_to_the_keys_folder(home: Path) -> None:
    assert deid_service.default_key_file() == home.parent / "var-keys" / "pseudonym-keys.json"


def test_pseudonym_keys_of_an_earlier_release_are_moved(home: Path) -> None:
    _, pseudonym = _legacy_install(home)
    path = deid_service.default_key_file()
    assert path == home.parent / "var-keys" / "pseudonym-keys.json"
    assert path.read_bytes() == pseudonym
    assert (path.parent / "keyring.json").exists()
    assert not (home / "keys").exists()


def test_pseudonym_keys_in_the_old_folder_are_never_replaced_silently(home: Path) -> None:
    _legacy_install(home)
    (home.parent / "var-keys").mkdir()
    (home.parent / "var-keys" / "keyring.json").write_text("{}")
    with pytest.raises(ConfigurationError, match="old folder"):
        deid_service.default_key_file()
    assert (home / "keys" / "pseudonym-keys.json").exists()


def test_an_empty_keys_folder_takes_the_old_keys(home: Path) -> None:
    _, pseudonym = _legacy_install(home)
    (home.parent / "var-keys").mkdir()
    assert deid_service.default_key_file().read_bytes() == pseudonym


def test_a_keyring_file_is_owner_only_even_over_a_leftover(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "keyring.json"
    path.parent.mkdir()
    leftover = path.with_suffix(".tmp")
    leftover.write_text("{}")
    os.chmod(leftover, 0o644)
    Keyring.generate(path=path).save()
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
