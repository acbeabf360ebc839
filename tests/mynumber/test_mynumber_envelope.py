"""Envelope encryption: a ciphertext opens only under its data key, for its record and role."""

from __future__ import annotations

import pytest

from kojin.errors import IntegrityError
from kojin.mynumber.envelope import document_aad, new_data_key, number_aad, seal, unseal

RECORD = "a" * 32
OTHER = "b" * 32


def test_a_sealed_number_opens_for_its_record_only() -> None:
    key = new_data_key()
    sealed = seal(key, b"123456789018", aad=number_aad(RECORD))
    assert b"123456789018" not in sealed.ciphertext
    assert unseal(key, sealed, aad=number_aad(RECORD), what="x") == b"123456789018"
    for aad in (number_aad(OTHER), document_aad(RECORD, "d" * 32)):
        with pytest.raises(IntegrityError, match=r"^x fails authentication$"):
            unseal(key, sealed, aad=aad, what="x")
    with pytest.raises(IntegrityError):
        unseal(new_data_key(), sealed, aad=number_aad(RECORD), what="x")


def test_every_seal_has_a_fresh_nonce_and_key() -> None:
    key = new_data_key()
    first = seal(key, b"same", aad=b"a")
    second = seal(key, b"same", aad=b"a")
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext
    assert new_data_key() != new_data_key()
    assert len(key) == 32
