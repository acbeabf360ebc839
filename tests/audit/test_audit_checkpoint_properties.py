"""Property: a signed checkpoint line reads back as signed, and any change to any of its fields,
or any line not signed with the trusted key, is refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kojin.audit.checkpoints import parse_checkpoint, sign_checkpoint
from kojin.audit.signing import SigningKey, load_or_create_signing_key
from kojin.errors import IntegrityError

hashes = st.text("0123456789abcdef", min_size=64, max_size=64)
json_values = st.none() | st.booleans() | st.integers() | st.text(max_size=70)


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return load_or_create_signing_key(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return load_or_create_signing_key(tmp_path_factory.mktemp("other-keys"))


@settings(max_examples=60, deadline=None)
@given(seq=st.integers(0, 2**62), head=hashes)
def test_a_signed_line_reads_back(key: SigningKey, seq: int, head: str) -> None:
    line = sign_checkpoint(key=key, seq=seq, head_hash=head).to_line()
    checkpoint = parse_checkpoint(line, line=1, trusted=key.public)
    assert (checkpoint.seq, checkpoint.hash) == (seq, head)


@settings(max_examples=150, deadline=None)
@given(
    seq=st.integers(0, 2**62),
    head=hashes,
    field=st.sampled_from(["format", "seq", "hash", "ts", "key_id", "public_key", "signature"]),
    value=json_values,
)
def test_any_changed_field_is_refused(
    key: SigningKey, seq: int, head: str, field: str, value: object
) -> None:
    data = json.loads(sign_checkpoint(key=key, seq=seq, head_hash=head).to_line())
    if data[field] == value:
        return
    data[field] = value
    with pytest.raises(IntegrityError):
        parse_checkpoint(json.dumps(data).encode(), line=1, trusted=key.public)


@settings(max_examples=30, deadline=None)
@given(seq=st.integers(0, 2**62), head=hashes)
def test_another_key_is_refused(
    key: SigningKey, other_key: SigningKey, seq: int, head: str
) -> None:
    line = sign_checkpoint(key=other_key, seq=seq, head_hash=head).to_line()
    with pytest.raises(IntegrityError, match="another key"):
        parse_checkpoint(line, line=1, trusted=key.public)


def test_the_two_keys_differ(key: SigningKey, other_key: SigningKey) -> None:
    assert key.public.text != other_key.public.text
