"""Check digits of Japanese individual numbers (My Number) and corporate numbers (APPI-SPEC §11).

* Individual number, 12 digits (MIC Ord. 85/2014 Art. 5; R-CD-1): the last digit checks the first
  eleven. With Pn the n-th base digit from the right and Qn = n + 1 (n ≤ 6) or n − 5 (n ≥ 7),
  S = Σ Pn·Qn, r = S mod 11 and the check digit is 0 when r ≤ 1, else 11 − r.
* Corporate number, 13 digits (MOF Ord. 70/2014 Art. 2): the *first* digit checks the twelve after
  it. With Qn = 1 for odd n and 2 for even n, the check digit is 9 − (S mod 9), never 0.

A valid check digit does not prove that a number was issued. Error messages never contain the
number itself (GL-MN Annex 1: a My Number is not echoed, logged or printed).
"""

from __future__ import annotations

from kojin.errors import InputError

_DIGITS = frozenset("0123456789")

#: weights Qn for n = 1 … 11 (base digit n counted from the right)
_MY_NUMBER_WEIGHTS = tuple(n + 1 if n <= 6 else n - 5 for n in range(1, 12))
#: weights Qn for n = 1 … 12
_CORPORATE_WEIGHTS = tuple(1 if n % 2 else 2 for n in range(1, 13))


def _is_ascii_digits(text: str, length: int) -> bool:
    return len(text) == length and _DIGITS.issuperset(text)


def my_number_check_digit(base11: str) -> int:
    """The check digit (0–9) for the eleven base digits of an individual number."""
    if not _is_ascii_digits(base11, 11):
        raise InputError("an individual-number base must be exactly 11 ASCII digits", field="base")
    total = sum(
        int(digit) * weight
        for digit, weight in zip(reversed(base11), _MY_NUMBER_WEIGHTS, strict=True)
    )
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid_my_number(number: str) -> bool:
    """Whether `number` is 12 ASCII digits whose last digit is the correct check digit."""
    if not _is_ascii_digits(number, 12):
        return False
    return my_number_check_digit(number[:11]) == int(number[11])


def corporate_check_digit(base12: str) -> int:
    """The check digit (1–9) for the twelve base digits of a corporate number."""
    if not _is_ascii_digits(base12, 12):
        raise InputError("a corporate-number base must be exactly 12 ASCII digits", field="base")
    total = sum(
        int(digit) * weight
        for digit, weight in zip(reversed(base12), _CORPORATE_WEIGHTS, strict=True)
    )
    return 9 - total % 9


def is_valid_corporate_number(number: str) -> bool:
    """Whether `number` is 13 ASCII digits whose first digit is the correct check digit."""
    if not _is_ascii_digits(number, 13):
        return False
    return corporate_check_digit(number[1:]) == int(number[0])
