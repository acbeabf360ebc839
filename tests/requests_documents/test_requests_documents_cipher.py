"""Binary field encryption: uploaded documents are sealed like text fields, without base64."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kojin.crypto.cipher import NONCE_BYTES, FieldCipher
from kojin.crypto.keyring import Keyring
from kojin.errors import ConfigurationError, IntegrityError

CIPHER = FieldCipher(Keyring.generate())
CONTEXT = "request_documents.content:0123abcd"


@given(st.binary(max_size=2000), st.text(min_size=1, max_size=40))
def test_bytes_roundtrip(data: bytes, context: str) -> None:
    stored = CIPHER.encrypt_bytes(data, context=context)
    assert CIPHER.decrypt_bytes(stored, context=context) == data


def test_layout_names_the_key_and_hides_the_data() -> None:
    data = b"%PDF-1.4 secret identity document"
    stored = CIPHER.encrypt_bytes(data, context=CONTEXT)
    kid = CIPHER.current_key_id
    assert stored.startswith(kid.encode() + b":")
    assert len(stored) == len(kid) + 1 + NONCE_BYTES + len(data) + 16
    assert data not in stored
    assert FieldCipher.key_id_of_bytes(stored) == kid
    assert CIPHER.encrypt_bytes(data, context=CONTEXT) != stored


def _flip_last(stored: bytes) -> bytes:
    return stored[:-1] + bytes([stored[-1] ^ 1])


def _flip_nonce(stored: bytes) -> bytes:
    at = stored.index(b":") + 1
    return stored[:at] + bytes([stored[at] ^ 0x80]) + stored[at + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        _flip_last,
        _flip_nonce,
        lambda s: s[:-1],
        lambda s: bytes(b for b in s if b != 0x3A),
        lambda s: s[: s.index(b":") + 5],
        lambda s: b"\xff\xfe:" + s.partition(b":")[2],
        lambda s: b"",
    ],
    ids=["ciphertext", "nonce", "truncated", "no-key-id", "too-short", "binary-key-id", "empty"],
)
def test_tampered_bytes_are_rejected_naming_the_context_only(tamper: object) -> None:
    secret = b"the person's passport scan"
    stored = CIPHER.encrypt_bytes(secret, context=CONTEXT)
    assert callable(tamper)
    with pytest.raises(IntegrityError) as caught:
        CIPHER.decrypt_bytes(tamper(stored), context=CONTEXT)
    message = str(caught.value)
    assert CONTEXT in message
    assert "passport" not in message


def test_unknown_key_id_is_a_configuration_problem() -> None:
    stored = CIPHER.encrypt_bytes(b"x", context=CONTEXT)
    with pytest.raises(ConfigurationError):
        CIPHER.decrypt_bytes(b"k00000000zzzzzz:" + stored.partition(b":")[2], context=CONTEXT)


def test_wrong_context_is_rejected() -> None:
    stored = CIPHER.encrypt_bytes(b"document", context="request_documents.content:1")
    with pytest.raises(IntegrityError, match=r"request_documents\.content:2"):
        CIPHER.decrypt_bytes(stored, context="request_documents.content:2")


def test_text_and_bytes_values_do_not_open_as_each_other() -> None:
    text_value = CIPHER.encrypt("secret", context=CONTEXT)
    with pytest.raises(IntegrityError):
        CIPHER.decrypt_bytes(text_value.encode(), context=CONTEXT)


def test_value_sealed_under_an_old_key_still_opens_after_rotation() -> None:
    old_ring = Keyring.generate()
    old = FieldCipher(old_ring)
    stored = old.encrypt_bytes(b"scan", context=CONTEXT)
    rotated = FieldCipher(old_ring.with_new_key())
    assert rotated.current_key_id != old_ring.current
    assert rotated.decrypt_bytes(stored, context=CONTEXT) == b"scan"
    fresh = rotated.encrypt_bytes(b"scan", context=CONTEXT)
    assert FieldCipher.key_id_of_bytes(fresh) == rotated.current_key_id
    explicit = rotated.encrypt_bytes(b"scan", context=CONTEXT, key_id=old_ring.current)
    assert FieldCipher.key_id_of_bytes(explicit) == old_ring.current
    assert old.decrypt_bytes(explicit, context=CONTEXT) == b"scan"
