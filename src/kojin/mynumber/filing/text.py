"""Text fields of filing inputs: bounded, storable, and never holding an individual number.

Individual numbers live in the vault alone (R-MN-6): a 12-digit number with a valid check digit
typed into a note or a property's description would put one where it does not belong, so such
text is refused (the message says why, never what the text was).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Final

from pydantic import AfterValidator, StringConstraints

from kojin.law.check_digits import is_valid_corporate_number, is_valid_my_number
from kojin.registry.subjects.text import STORABLE

#: runs of digits, possibly split by spaces and hyphens of any width (after NFKC)
_DIGIT_RUN: Final = re.compile(r"\d(?:[\s\-\u2010-\u2015\u2212\u30fc]*\d)*")
_SEPARATORS: Final = re.compile(r"[^\d]")


def holds_individual_number(text: str) -> bool:
    """Whether `text` holds a run of exactly 12 digits (separators allowed) that passes the
    individual number's check digit."""
    for run in _DIGIT_RUN.findall(unicodedata.normalize("NFKC", text)):
        digits = _SEPARATORS.sub("", run)
        if len(digits) == 12 and is_valid_my_number(digits):
            return True
    return False


def no_individual_number(value: str) -> str:
    """`value` unchanged; ValueError when it holds an individual number."""
    if holds_individual_number(value):
        raise ValueError("must not contain an individual number (numbers are kept in the vault)")
    return value


def corporate_number(value: str) -> str:
    """A corporate number (13 digits with a valid check digit; separators dropped)."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if not is_valid_corporate_number(digits):
        raise ValueError("must be a 13-digit corporate number with a valid check digit")
    return digits


#: free text of a payment record: 1 to 200 characters, storable, no individual number
FilingText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    STORABLE,
    AfterValidator(no_individual_number),
]
#: a longer free text (a summary note, a calculation basis)
FilingNote = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    STORABLE,
    AfterValidator(no_individual_number),
]
#: a corporate number (法人番号): public, unlike an individual number
CorporateNumber = Annotated[
    str, StringConstraints(max_length=40), STORABLE, AfterValidator(corporate_number)
]
