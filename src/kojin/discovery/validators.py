"""Validators run on pattern candidates: check digits, Luhn, calendar validity.

Only candidates reach these functions, so they may decode and normalise the candidate itself
(full-width digits become ASCII here, never in the scanned text). Each takes the candidate's
UTF-8 bytes and returns whether it is a plausible value of its kind. Check digits (My Number,
corporate number, Luhn) are :mod:`kojin.law.check_digits`, on the candidate's ASCII digits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kojin.discovery.model import Validator
from kojin.law.check_digits import is_valid_corporate_number, is_valid_luhn, is_valid_my_number

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ＋／．",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/.",
)
_NON_DIGIT_BYTES = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)  # deleted by translate


def to_ascii(raw: bytes) -> str:
    """Decode a candidate and map full-width digits and letters to ASCII."""
    if raw.isascii():  # nothing to map
        return raw.decode("ascii")
    return raw.decode("utf-8", "replace").translate(_FULLWIDTH)


def ascii_digits(raw: bytes) -> bytes:
    """The digits of a candidate as ASCII bytes, in order (full-width digits included)."""
    if raw.isdigit():
        return raw
    if not raw.isascii():
        raw = to_ascii(raw).encode("utf-8")
    return raw.translate(None, _NON_DIGIT_BYTES)


def _my_number(raw: bytes) -> bool:
    return is_valid_my_number(ascii_digits(raw).decode("ascii"))


def _corporate(raw: bytes) -> bool:
    return is_valid_corporate_number(ascii_digits(raw).decode("ascii"))


def _luhn_card(raw: bytes) -> bool:
    digits = ascii_digits(raw)
    return 14 <= len(digits) <= 19 and digits[0] in b"3456" and is_valid_luhn(digits.decode())


def _jp_phone(raw: bytes) -> bool:
    digits = ascii_digits(raw)
    if raw[:1] == b"+" or raw[:3] == "＋".encode():
        national = digits[2:]
        return national[:1] != b"0" and len(national) in (9, 10)
    if len(digits) == 11:
        return digits[1] in b"5789" and digits[2] == 48
    return len(digits) == 10 and digits[1] != 48


def _postal_code(raw: bytes) -> bool:
    digits = ascii_digits(raw)
    return len(digits) == 7 and digits[:3] != b"000"


_DATE_SEPARATORS = str.maketrans(dict.fromkeys("年月日/-.", " "))


def _split_date(text: str) -> list[str]:
    return text.translate(_DATE_SEPARATORS).split()


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


#: English month names, as the date-of-birth patterns spell them.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS = {name: i for i, name in enumerate(MONTH_NAMES, start=1)}


def _date(raw: bytes) -> bool:
    text = to_ascii(raw)
    if (text[:1] in _ERA_INITIALS and text[1:2] in "0123456789元") or text[:2] in ERAS:
        return _era_date(text)
    if text[:1].isalpha():
        month_name, day_text, year_text = text.replace(",", "").split()
        return _real_date(int(year_text), _MONTHS[month_name], int(day_text))
    parts = _split_date(text)
    if len(parts) != 3 or not "".join(parts).isdigit():  # split() leaves no empty part
        return False
    year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
    return 1870 <= year <= 2100 and _real_date(year, month, day)


#: Era name or initial -> (first Western year, last era year number).
ERAS: dict[str, tuple[int, int]] = {
    "明治": (1868, 45),
    "大正": (1912, 15),
    "昭和": (1926, 64),
    "平成": (1989, 31),
    "令和": (2019, 99),
}
_ERA_INITIALS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}


def era_to_western(era: str, year: int) -> int | None:
    """Western year of year `year` of `era` (name or initial), or None if out of the era's range."""
    name = _ERA_INITIALS.get(era, era)
    if name not in ERAS or year < 1:
        return None
    first, last = ERAS[name]
    return first + year - 1 if year <= last else None


def _era_date(text: str) -> bool:
    era_len = 1 if text[0] in _ERA_INITIALS else 2
    era, rest = text[:era_len], text[era_len:].replace("元", "1", 1)
    parts = _split_date(rest)
    if len(parts) != 3 or not "".join(parts).isdigit():
        return False
    year = era_to_western(era, int(parts[0]))
    return year is not None and _real_date(year, int(parts[1]), int(parts[2]))


def _ip_address(raw: bytes) -> bool:
    text = raw.decode("ascii", "replace")
    if ":" in text:
        return True
    octets = text.split(".")
    return len(octets) == 4 and all(int(o) <= 255 and (o == "0" or o[0] != "0") for o in octets)


def _always(raw: bytes) -> bool:
    return True


VALIDATORS: dict[Validator, Callable[[bytes], bool]] = {
    Validator.NONE: _always,
    Validator.MY_NUMBER: _my_number,
    Validator.CORPORATE_NUMBER: _corporate,
    Validator.LUHN_CARD: _luhn_card,
    Validator.JP_PHONE: _jp_phone,
    Validator.DATE: _date,
    Validator.IP_ADDRESS: _ip_address,
    Validator.POSTAL_CODE: _postal_code,
}
