"""Numbers on entry: normalized from the ways people write them, checked by the check digit,
and refused without any digit of the input in the error (R-CD-1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mynumber_support import valid_number

from kojin.errors import InputError
from kojin.law.check_digits import is_valid_my_number
from kojin.mynumber.numbers import MASKED, MAX_INPUT, normalize_number

#: the worked examples of APPI-SPEC 11.1
EXAMPLES = ("123456789018", "621498320257", "200000000000", "000000000019")
_SEPARATORS = [" ", "-", "\u3000", "－", "ー", "‐", "—", "−", "ｰ", "\t"]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


@pytest.mark.parametrize("number", EXAMPLES)
@pytest.mark.parametrize(
    "written",
    ["{a}{b}{c}", "{a} {b} {c}", "{a}-{b}-{c}", "  {a}{b}{c}  ", "{a}ー{b}ー{c}", "{a}　{b}　{c}"],
)
def test_written_forms_normalize(number: str, written: str) -> None:
    text = written.format(a=number[:4], b=number[4:8], c=number[8:])
    assert normalize_number(text) == number
    assert normalize_number(_full_width(text)) == number


@given(
    base=st.integers(min_value=0, max_value=10**11 - 1),
    cuts=st.lists(st.tuples(st.integers(0, 12), st.sampled_from(_SEPARATORS)), max_size=6),
    wide=st.booleans(),
)
def test_any_valid_number_survives_separators_and_width(
    base: int, cuts: list[tuple[int, str]], wide: bool
) -> None:
    number = valid_number(f"{base:011d}")
    text = number
    for position, separator in sorted(cuts, reverse=True):
        text = text[:position] + separator + text[position:]
    if wide:
        text = _full_width(text)
    assert normalize_number(text) == number


def _refusal(raw: str) -> InputError | None:
    try:
        normalize_number(raw)
    except InputError as exc:
        return exc
    return None


@given(st.text(max_size=80))
def test_a_refusal_never_holds_a_digit(raw: str) -> None:
    refused = _refusal(raw)
    if refused is None:
        assert is_valid_my_number(normalize_number(raw))
        return
    assert refused.field == "number"
    for text in (str(refused), refused.message, repr(refused), repr(refused.args)):
        assert not any(c.isdigit() for c in text)
    assert refused.__cause__ is None


@given(base=st.integers(min_value=0, max_value=10**11 - 1), wrong=st.integers(1, 9))
def test_a_wrong_check_digit_is_refused_without_echo(base: int, wrong: int) -> None:
    number = valid_number(f"{base:011d}")
    bad = number[:11] + str((int(number[11]) + wrong) % 10)
    refused = _refusal(f"{bad[:4]}-{bad[4:8]}-{bad[8:]}")
    assert refused is not None
    assert "check digit" in refused.message
    assert not any(c.isdigit() for c in refused.message)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345678901",  # eleven digits
        "1234567890123",  # thirteen
        "1234 5678 901X",
        "１２３４５６７８９０１",  # eleven full-width
        "١٢٣٤٥٦٧٨٩٠١٨",  # Arabic-Indic digits are not ASCII after NFKC
        "1" * (MAX_INPUT + 1),
        "123456789018\x00",
    ],
)
def test_malformed_inputs_are_refused(raw: str) -> None:
    refused = _refusal(raw)
    assert refused is not None
    assert refused.field == "number"
    assert not any(c.isdigit() for c in refused.message)


def test_the_mask_shows_no_digit() -> None:
    assert not any(c.isdigit() for c in MASKED)
    assert MASKED.count("•") == 12
