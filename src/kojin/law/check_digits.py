"""Check digits of the numbers kojin meets, written once on python-stdnum (APPI-SPEC §11).

* Individual number (My Number), 12 digits (MIC Ord. 85/2014 Art. 5; R-CD-1): the last digit
  checks the first eleven (``stdnum.jp.in_``).
* Corporate number, 13 digits (MOF Ord. 70/2014 Art. 2): the *first* digit checks the twelve
  after it (``stdnum.jp.cn``).
* Payment card numbers: the Luhn (mod 10) check (``stdnum.luhn``).

The law, discovery and de-identification all call these functions. Each takes ASCII digits only:
callers normalise their input (full-width digits, hyphens, spaces) first. A valid check digit
does not prove that a number was issued. Error messages never contain the number itself (GL-MN
Annex 1: a My Number is not echoed, logged or printed).
"""

from __future__ import annotations

import re
import unicodedata

from stdnum import luhn
from stdnum.jp import cn as corporate
from stdnum.jp import in_ as individual

from kojin.errors import InputError

_DIGITS = frozenset("0123456789")
#: twelve digits in a row, or 4-4-4 joined by a space, hyphen or dash (after NFKC), with no
#: letter or digit on either side (nor a fourth group: 4-4-4-4 is a card number)
_GROUP_SEPARATOR = r"[ \-\u2010-\u2015\u2212\u30fc]"
_WRITTEN_MY_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z])(?:[0-9]{{12}}"
    rf"|(?<![0-9]{_GROUP_SEPARATOR})[0-9]{{4}}(?:{_GROUP_SEPARATOR}[0-9]{{4}}){{2}}"
    rf"(?!{_GROUP_SEPARATOR}[0-9]))(?![0-9A-Za-z])"
)


def _is_ascii_digits(text: str, length: int) -> bool:
    return len(text) == length and _DIGITS.issuperset(text)


def my_number_check_digit(base11: str) -> int:
    """The check digit (0–9) for the eleven base digits of an individual number."""
    if not _is_ascii_digits(base11, 11):
        raise InputError("an individual-number base must be exactly 11 ASCII digits", field="base")
    return int(individual.calc_check_digit(base11))


def is_valid_my_number(number: str) -> bool:
    """Whether `number` is 12 ASCII digits whose last digit is the correct check digit."""
    return _is_ascii_digits(number, 12) and individual.calc_check_digit(number[:11]) == number[11]


def holds_my_number(text: str) -> bool:
    """Whether `text` shows an individual number anywhere in it (R-CD-1: never written into a
    register): twelve digits with a valid check digit, in a row or as three groups of four
    joined by a space or a hyphen, full-width or not. Digits that are part of a longer run of
    letters and digits (a digest, a longer number) are not one."""
    normalized = unicodedata.normalize("NFKC", text)
    for written in _WRITTEN_MY_NUMBER.finditer(normalized):
        digits = "".join(c for c in written.group() if c in _DIGITS)
        if is_valid_my_number(digits):
            return True
    return False


def corporate_check_digit(base12: str) -> int:
    """The check digit (1–9) for the twelve base digits of a corporate number."""
    if not _is_ascii_digits(base12, 12):
        raise InputError("a corporate-number base must be exactly 12 ASCII digits", field="base")
    return int(corporate.calc_check_digit(base12))


def is_valid_corporate_number(number: str) -> bool:
    """Whether `number` is 13 ASCII digits whose first digit is the correct check digit."""
    return _is_ascii_digits(number, 13) and corporate.calc_check_digit(number[1:]) == number[0]


def is_valid_luhn(number: str) -> bool:
    """Whether `number` is a non-empty string of ASCII digits that passes the Luhn check."""
    return bool(number) and _DIGITS.issuperset(number) and luhn.checksum(number) == 0
