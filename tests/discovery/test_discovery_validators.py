"""Check digits, Luhn and calendar validation (APPI-SPEC 11.1, 11.2; R-CD-1)."""

from __future__ import annotations

import random

import pytest
from discovery_corpus import corporate_number_value, luhn_complete, my_number_value
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.jp import cn, in_

from kojin.discovery.model import Validator
from kojin.discovery.validators import VALIDATORS, era_to_western


def _valid(validator: Validator, text: str) -> bool:
    return VALIDATORS[validator](text.encode())


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_my_number_agrees_with_python_stdnum(number: str) -> None:
    assert _valid(Validator.MY_NUMBER, number) is in_.is_valid(number)


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_corporate_number_agrees_with_python_stdnum(number: str) -> None:
    assert _valid(Validator.CORPORATE_NUMBER, number) is cn.is_valid(number)


@given(st.text(alphabet="0123456789", min_size=14, max_size=19), st.sampled_from("3456"))
def test_card_numbers_agree_with_python_stdnum(number: str, prefix: str) -> None:
    card = prefix + number[1:]
    assert _valid(Validator.LUHN_CARD, card) is luhn.is_valid(card)


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_numbers_validate(seed: int) -> None:
    rng = random.Random(seed)
    assert _valid(Validator.MY_NUMBER, my_number_value(rng))
    assert _valid(Validator.CORPORATE_NUMBER, corporate_number_value(rng))
    assert luhn.is_valid(luhn_complete("4" + "".join(rng.choice("0123456789") for _ in range(14))))


@pytest.mark.parametrize(
    ("validator", "text", "valid"),
    [
        (Validator.MY_NUMBER, "123456789018", True),  # APPI-SPEC 11.1 worked example
        (Validator.MY_NUMBER, "621498320257", True),
        (Validator.MY_NUMBER, "200000000000", True),  # r <= 1 gives 0
        (Validator.MY_NUMBER, "000000000019", True),
        (Validator.MY_NUMBER, "123456789012", False),
        (Validator.MY_NUMBER, "12345678901", False),
        (Validator.MY_NUMBER, "12345678901a", False),
        (Validator.CORPORATE_NUMBER, "7123456789012", True),  # APPI-SPEC 11.2 worked examples
        (Validator.CORPORATE_NUMBER, "4011001098993", True),
        (Validator.CORPORATE_NUMBER, "5835678256246", True),
        (Validator.CORPORATE_NUMBER, "7010705000725", True),
        (Validator.CORPORATE_NUMBER, "2835678256246", False),
        (Validator.CORPORATE_NUMBER, "0123456789012", False),
        (Validator.MY_NUMBER, "１２３４　５６７８　９０１８", True),
        (Validator.MY_NUMBER, "1234-5678-9012", False),
        (Validator.LUHN_CARD, "4111-1111-1111-1111", True),
        (Validator.LUHN_CARD, "4111-1111-1111-1112", False),
        (Validator.LUHN_CARD, "7111111111111111", False),  # not a card prefix
        (Validator.JP_PHONE, "03-1234-5678", True),
        (Validator.JP_PHONE, "090-1234-5678", True),
        (Validator.JP_PHONE, "０９０－１２３４－５６７８", True),
        (Validator.JP_PHONE, "+81-90-1234-5678", True),
        (Validator.JP_PHONE, "0120-123-456", True),
        (Validator.JP_PHONE, "03-1234-567", False),
        (Validator.JP_PHONE, "010-1234-5678", False),
        (Validator.DATE, "1975年1月1日", True),
        (Validator.DATE, "1975/02/30", False),
        (Validator.DATE, "昭和50年1月1日", True),
        (Validator.DATE, "昭和65年1月1日", False),  # Showa ended in its 64th year
        (Validator.DATE, "平成元年5月3日", True),
        (Validator.DATE, "H31.4.30", True),
        (Validator.DATE, "May 20, 1942", True),  # M is also the Meiji initial
        (Validator.DATE, "February 30, 1990", False),
        (Validator.POSTAL_CODE, "100-0001", True),
        (Validator.POSTAL_CODE, "000-0000", False),
        (Validator.IP_ADDRESS, "192.168.0.1", True),
        (Validator.IP_ADDRESS, "256.1.1.1", False),
        (Validator.IP_ADDRESS, "01.2.3.4", False),
    ],
)
def test_validators(validator: Validator, text: str, valid: bool) -> None:
    assert _valid(validator, text) is valid


@pytest.mark.parametrize(
    ("era", "year", "western"),
    [("昭和", 50, 1975), ("S", 64, 1989), ("平成", 1, 1989), ("令和", 7, 2025), ("大正", 16, None)],
)
def test_era_to_western(era: str, year: int, western: int | None) -> None:
    assert era_to_western(era, year) == western
