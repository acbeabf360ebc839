"""Check digits (APPI-SPEC §11, R-CD-1): the spec's worked examples and python-stdnum as oracle."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.jp import cn as stdnum_cn
from stdnum.jp import in_ as stdnum_in

from kojin.errors import InputError
from kojin.law import (
    corporate_check_digit,
    is_valid_corporate_number,
    is_valid_my_number,
    my_number_check_digit,
)
from kojin.law.check_digits import holds_my_number

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def digit_strings(length: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=length, max_size=length)


# APPI-SPEC §11.1 table: number, check digit
@pytest.mark.parametrize(
    ("number", "check"),
    [("123456789018", 8), ("621498320257", 7), ("200000000000", 0), ("000000000019", 9)],
)
def test_my_number_spec_examples(number: str, check: int) -> None:
    assert my_number_check_digit(number[:11]) == check
    assert is_valid_my_number(number)
    wrong = number[:11] + str((check + 1) % 10)
    assert not is_valid_my_number(wrong)


# APPI-SPEC §11.2 table: number, check digit (first digit)
@pytest.mark.parametrize(
    ("number", "check"),
    [("7123456789012", 7), ("4011001098993", 4), ("5835678256246", 5), ("7010705000725", 7)],
)
def test_corporate_spec_examples(number: str, check: int) -> None:
    assert corporate_check_digit(number[1:]) == check
    assert is_valid_corporate_number(number)


def test_corporate_spec_counter_example_fails() -> None:
    assert not is_valid_corporate_number("2835678256246")


def test_corporate_zero_nine_swap_is_undetectable_as_the_spec_says() -> None:
    assert corporate_check_digit("123456789012") == corporate_check_digit("123456789912")


@given(digit_strings(11))
def test_my_number_check_digit_matches_stdnum(base: str) -> None:
    assert str(my_number_check_digit(base)) == stdnum_in.calc_check_digit(base)


@given(digit_strings(12))
def test_my_number_validity_matches_stdnum(number: str) -> None:
    assert is_valid_my_number(number) == stdnum_in.is_valid(number)


@given(digit_strings(12))
def test_corporate_check_digit_matches_stdnum(base: str) -> None:
    check = corporate_check_digit(base)
    assert 1 <= check <= 9
    assert str(check) == stdnum_cn.calc_check_digit(base)


@given(digit_strings(13))
def test_corporate_validity_matches_stdnum(number: str) -> None:
    assert is_valid_corporate_number(number) == stdnum_cn.is_valid(number)


@given(digit_strings(11), st.integers(min_value=0, max_value=10), st.data())
def test_single_substitution_detected_unless_remainders_collide(
    base: str, position: int, data: st.DataObject
) -> None:
    """A changed base digit is caught except where r = 0 and r = 1 both give 0 (§11.1)."""
    replacement = data.draw(digits.filter(lambda d: d != base[position]))
    changed = base[:position] + replacement + base[position + 1 :]
    if my_number_check_digit(changed) == my_number_check_digit(base):
        assert my_number_check_digit(base) == 0


@pytest.mark.parametrize(
    "number",
    [
        "",
        "12345678901",
        "1234567890188",
        "12345678901a",
        "１２３４５６７８９０１８",
        " 23456789018",
    ],
)
def test_malformed_my_numbers_are_invalid(number: str) -> None:
    assert not is_valid_my_number(number)


@pytest.mark.parametrize("number", ["", "712345678901", "71234567890123", "7123-5678901"])
def test_malformed_corporate_numbers_are_invalid(number: str) -> None:
    assert not is_valid_corporate_number(number)


def test_bad_base_raises_without_echoing_the_digits() -> None:
    with pytest.raises(InputError) as excinfo:
        my_number_check_digit("1234567890")
    assert "1234567890" not in str(excinfo.value)
    with pytest.raises(InputError):
        corporate_check_digit("12345678901x")


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("378282246310005", True),
        ("79927398713", True),
        ("79927398710", False),
        ("", False),
        ("4111-1111-1111-1111", False),
        ("４１１１１１１１１１１１１１１１", False),
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    from kojin.law import is_valid_luhn

    assert is_valid_luhn(number) is valid


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("123456789018", True),
        ("payee 1234 5678 9018.", True),
        ("1234-5678-9018", True),
        ("１２３４５６７８９０１８", True),
        ("個人番号１２３４－５６７８－９０１８です", True),
        ("123456789019", False),
        ("ab123456789018cd", False),
        ("9123456789018", False),
        ("1234 5678 9018 1234", False),
        ("", False),
    ],
)
def test_holds_my_number_finds_the_written_forms_only(text: str, holds: bool) -> None:
    assert holds_my_number(text) is holds
