"""The keyring file and the field cipher."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from kojin.crypto.cipher import FieldCipher, blind_index_value
from kojin.crypto.keyring import Keyring, load_keyring
from kojin.errors import ConfigurationError, IntegrityError
from kojin.settings import Settings

CIPHER = FieldCipher(Keyring.generate())


@given(st.text(max_size=200), st.text(min_size=1, max_size=40))
def test_encrypt_roundtrip(value: str, context: str) -> None:
    stored = CIPHER.encrypt(value, context=context)
    assert CIPHER.decrypt(stored, context=context) == value


def test_same_value_encrypts_differently() -> None:
    assert CIPHER.encrypt("x", context="c") != CIPHER.encrypt("x", context="c")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s[:-2] + ("A" if s[-2] != "A" else "B") + s[-1],
        lambda s: "unknown:" + s.partition(":")[2],
        lambda s: s.partition(":")[2],
        lambda s: s.partition(":")[0] + ":not base64!",
    ],
)
def test_tampered_ciphertext_is_rejected(tamper: object) -> None:
    stored = CIPHER.encrypt("secret", context="subjects.email:1")
    assert callable(tamper)
    with pytest.raises((IntegrityError, ConfigurationError)):
        CIPHER.decrypt(tamper(stored), context="subjects.email:1")


def test_wrong_context_is_rejected() -> None:
    stored = CIPHER.encrypt("secret", context="subjects.email:1")
    with pytest.raises(IntegrityError):
        CIPHER.decrypt(stored, context="subjects.name:1")


def test_blind_index_is_keyed_and_namespaced() -> None:
    key_a, key_b = b"a" * 32, b"b" * 32
    value = "x@example.jp"
    assert blind_index_value(key_a, field="email", value=value) != blind_index_value(
        key_b, field="email", value=value
    )
    assert blind_index_value(key_a, field="email", value=value) != blind_index_value(
        key_a, field="customer_number", value=value
    )


def test_keyring_file_roundtrip_and_permissions(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "keyring.json"
    ring = Keyring.generate(path=path).with_new_key()
    ring.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = Keyring.read(path)
    assert again == ring
    assert len(again.keys) == 2


def test_missing_keyring_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="kojin init"):
        load_keyring(Settings(home=tmp_path))


def test_malformed_keyring(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "keyring.json"
    path.parent.mkdir()
    path.write_text('{"current": "k1", "keys": {"k1": "c2hvcnQ="}, "index_key": "x"}')
    with pytest.raises(ConfigurationError, match="k1"):
        Keyring.read(path)


def test_master_key_derives_a_stable_keyring(tmp_path: Path) -> None:
    master = base64.b64encode(b"m" * 32).decode()
    settings = Settings(home=tmp_path, master_key=SecretStr(master))
    first, second = load_keyring(settings), load_keyring(settings)
    assert first.current == second.current
    assert first.keys == second.keys
    assert first.index_key != first.keys[first.current]
    stored = FieldCipher(first).encrypt("v", context="c")
    assert FieldCipher(second).decrypt(stored, context="c") == "v"


def test_bad_master_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="KOJIN_MASTER_KEY"):
        load_keyring(Settings(home=tmp_path, master_key=SecretStr("too-short")))


def test_cipher_follows_a_rotation_made_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keys" / "keyring.json"
    Keyring.generate(path=path).save()
    server = FieldCipher(Keyring.read(path))
    other = FieldCipher(Keyring.read(path).with_new_key())
    other.keyring.save()
    # a value written under the new key is readable at once (unknown key id forces a reload)
    stored = other.encrypt("v", context="c")
    assert server.decrypt(stored, context="c") == "v"
    assert server.current_key_id == other.current_key_id


def test_cipher_checks_the_file_for_a_new_current_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keys" / "keyring.json"
    Keyring.generate(path=path).save()
    server = FieldCipher(Keyring.read(path))
    first = server.current_key_id
    rotated = Keyring.read(path).with_new_key()
    rotated.save()
    assert server.current_key_id == first  # checked at most once per interval
    monkeypatch.setattr("kojin.crypto.cipher.RELOAD_INTERVAL_S", 0.0)
    assert server.current_key_id == rotated.current
    assert FieldCipher.key_id_of(server.encrypt("v", context="c")) == rotated.current
