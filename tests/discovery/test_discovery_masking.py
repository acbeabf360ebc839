"""Masks keep the shape and hide the value; a My Number is never shown."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kojin.discovery.corpus import my_number_value
from kojin.discovery.masking import mask
from kojin.discovery.model import MaskStyle


@pytest.mark.parametrize(
    ("value", "style", "masked"),
    [
        ("1234 5678 9018", MaskStyle.FULL, "**** **** ****"),
        ("03-1234-5678", MaskStyle.LAST4, "**-****-5678"),
        ("4111-1111-1111-1111", MaskStyle.LAST4, "****-****-****-1111"),
        ("taro@example.com", MaskStyle.EMAIL, "t***@example.com"),
        ("100-0001", MaskStyle.PREFIX, "100-****"),
        ("東京都千代田区丸の内1丁目", MaskStyle.PREFIX, "東京都**********"),
        ("192.168.0.1", MaskStyle.PREFIX, "192.168.*.*"),
        ("山田 太郎", MaskStyle.FIRST_CHAR, "山* **"),
        ("昭和50年1月1日", MaskStyle.FULL, "****年*月*日"),
    ],
)
def test_mask(value: str, style: MaskStyle, masked: str) -> None:
    assert mask(value, style) == masked


@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(["", " ", "-"]))
def test_my_number_mask_shows_no_digit(seed: int, sep: str) -> None:
    digits = my_number_value(random.Random(seed))
    value = sep.join((digits[:4], digits[4:8], digits[8:]))
    masked = mask(value, MaskStyle.FULL)
    assert not any(ch.isdigit() for ch in masked)
    assert len(masked) == len(value)


@given(st.text(alphabet="0123456789", min_size=7, max_size=19))
def test_last4_shows_at_most_four_digits(digits: str) -> None:
    masked = mask(digits, MaskStyle.LAST4)
    assert sum(ch.isdigit() for ch in masked) <= 4
    assert masked.endswith(digits[-4:])
