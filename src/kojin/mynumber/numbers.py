"""Individual numbers on entry: normalized, checked, and never repeated back (APPI-SPEC 11.1,
R-CD-1).

People type numbers as the card prints them (``1234 5678 9018``), with hyphens, in full-width
digits from a Japanese input method, or with the long-vowel mark standing in for a hyphen.
:func:`normalize_number` accepts all of those and gives the 12 ASCII digits the vault stores.
A value that is not a valid number is refused with a message that contains no digit at all, so
no part of what was typed reaches an error page, a log line or an exception's text.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from kojin.errors import InputError
from kojin.law.check_digits import is_valid_my_number

#: how every interface shows a number it does not reveal
MASKED: Final = "•••• •••• ••••"

#: characters dropped as separators after NFKC: hyphens, dashes and minus signs of any width,
#: and the marks Japanese input methods put where a hyphen was meant
_SEPARATORS: Final = frozenset(
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2500\u2501\u30fc\ufe58\ufe63\uff0d\uff70"
)
_ASCII_DIGITS: Final = frozenset("0123456789")
#: the longest text looked at: a number with a separator between every digit and some spaces
MAX_INPUT: Final = 64

_SHAPE_MESSAGE: Final = (
    "an individual number is twelve digits (spaces and hyphens allowed); the value is not "
    "repeated here"
)
_CHECK_MESSAGE: Final = (
    "not a valid individual number: its check digit does not match; the value is not repeated here"
)


def _refused(message: str) -> InputError:
    return InputError(message, field="number")


def normalize_number(raw: str) -> str:
    """The 12 ASCII digits of the individual number `raw`, or InputError (field ``number``).

    NFKC first (full-width digits and spaces become ASCII), then every space and every hyphen or
    dash is dropped; what remains must be exactly twelve ASCII digits whose last digit checks
    the first eleven (MIC Ord. 85/2014 Art. 5). The error's message holds no digit.
    """
    if len(raw) > MAX_INPUT:
        raise _refused(_SHAPE_MESSAGE)
    text = unicodedata.normalize("NFKC", raw)
    digits = "".join(ch for ch in text if not ch.isspace() and ch not in _SEPARATORS)
    if len(digits) != 12 or not _ASCII_DIGITS.issuperset(digits):
        raise _refused(_SHAPE_MESSAGE)
    if not is_valid_my_number(digits):
        raise _refused(_CHECK_MESSAGE)
    return digits
