"""Masks keep the shape and hide the value; a My Number is never shown."""

from __future__ import annotations

import random

import pytest
from discovery_corpus import my_number_value
from hypothesis import given
from hypothesis import strategies as st

from kojin.discovery.masking import mask, mask_all
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


_SEPARATORS = " 　-‐－―−ー/.．:：@＠()（）年月日"


def _hide_reference(text: str, keep: int) -> str:
    """Every character that is not a separator hidden, except the first `keep` of them."""
    out = []
    for ch in text:
        if ch in _SEPARATORS:
            out.append(ch)
        elif keep > 0:
            out.append(ch)
            keep -= 1
        else:
            out.append("*")
    return "".join(out)


@given(st.text(alphabet=_SEPARATORS + "山田太郎ヤマダｱ０１9aZ_\n", max_size=30))
def test_full_and_first_char_masks_of_non_ascii_values(value: str) -> None:
    first = mask(value, MaskStyle.FIRST_CHAR)
    assert first == _hide_reference(value, 1)
    if not value.isascii():
        assert mask(value, MaskStyle.FULL) == _hide_reference(value, 0)


def _last4_reference(text: str) -> str:
    """Letters and digits hidden except the last four digits (all of them up to six digits)."""
    if sum(ch.isdigit() for ch in text) <= 6:
        return _hide_reference(text, 0) if not text.isascii() else _ascii_stars(text)
    seen, cut = 0, len(text)
    while seen < 4:
        cut -= 1
        seen += text[cut].isdigit()
    head = text[:cut]
    return (_ascii_stars(head) if head.isascii() else _hide_reference(head, 0)) + text[cut:]


def _ascii_stars(text: str) -> str:
    return "".join("*" if ch.isalnum() else ch for ch in text)


@given(st.text(alphabet="0123456789-() +xA０１", max_size=24))
def test_last4_mask_against_a_reference(value: str) -> None:
    assert mask(value, MaskStyle.LAST4) == _last4_reference(value)


@given(
    st.lists(
        st.text(alphabet=_SEPARATORS + "山田太郎ヤマダｱ０１9aZ_@.\n", max_size=12), max_size=8
    ),
    st.sampled_from(list(MaskStyle)),
)
def test_masks_in_bulk_are_the_masks_one_by_one(values: list[str], style: MaskStyle) -> None:
    assert mask_all(values, style) == [mask(value, style) for value in values]
