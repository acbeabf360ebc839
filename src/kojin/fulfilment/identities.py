"""The identities a request verified, in the forms the company's stores are likely to hold.

Only the identities the request verified are passed in (the caller decides); each becomes one or
a few search values, normalised as people and forms write them (full-width letters and digits
typed with Japanese input become ASCII: NFKC):

- e-mail: NFKC, trimmed. Case is left alone: the e-mail columns are compared case-insensitively
  by the connector (:func:`kojin.fulfilment.locate.locate` passes them in ``casefold``).
- phone: the number as given (NFKC, trimmed, dashes unified) and, for a Japanese number (a
  domestic ``0…`` number or ``+81…``), its digits alone, its hyphenated domestic forms and its
  E.164 form (``+81…``). Mobile, IP and free-dial numbers have one hyphenation; a 10-digit
  landline has four (area codes of 2 to 5 digits, the subscriber number always 4), and all four
  are looked up, since which one a store holds depends on the area code. Nothing cleverer: the
  person's number in a store written any other way is not found by phone.
- name: NFKC with runs of spaces made one (``山田　太郎`` → ``山田 太郎``), and without spaces
  (``山田太郎``).
- postal code: ``123-4567`` and ``1234567`` (a ``〒`` and dashes of any width removed).
- address and customer number: NFKC, trimmed (addresses with runs of spaces made one).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from pydantic import BaseModel, ConfigDict

from kojin.datamap.model import Identity

#: the dashes people type in numbers, all made ``-``
_DASHES: Final = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\ufe63", "-")
)
#: prefixes of 11-digit numbers written 3-4-4 (mobile, IP, M2M) and 4-3-4 (free dial 0800)
_MOBILE: Final = ("020", "050", "060", "070", "080", "090")
#: prefixes of 10-digit non-geographic numbers written 4-3-3
_SERVICE: Final = ("0120", "0570", "0990")


class Identities(BaseModel):
    """Search values by identity kind, e.g. ``{Identity.EMAIL: ("a@example.jp",)}``."""

    model_config = ConfigDict(frozen=True)

    values: dict[Identity, tuple[str, ...]]

    def of(self, identity: Identity) -> tuple[str, ...]:
        """The search values of `identity` (empty when the request did not verify it)."""
        return self.values.get(identity, ())


def identities_from(
    email: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    postal_code: str | None = None,
    address: str | None = None,
    customer_number: str | None = None,
) -> Identities:
    """The search values of the given (verified) identities; None and blank ones are left out."""
    forms = {
        Identity.EMAIL: _single(email),
        Identity.NAME: name_forms(name),
        Identity.PHONE_NUMBER: phone_forms(phone),
        Identity.POSTAL_CODE: postal_forms(postal_code),
        Identity.ADDRESS: _single(address, collapse=True),
        Identity.CUSTOMER_NUMBER: _single(customer_number),
    }
    return Identities(values={kind: values for kind, values in forms.items() if values})


def _nfkc(value: str, *, collapse: bool = False) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    return re.sub(r"\s+", " ", text) if collapse else text


def _single(value: str | None, *, collapse: bool = False) -> tuple[str, ...]:
    text = _nfkc(value, collapse=collapse) if value else ""
    return (text,) if text else ()


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def name_forms(value: str | None) -> tuple[str, ...]:
    """A name with single spaces, and without spaces."""
    text = _nfkc(value, collapse=True) if value else ""
    return _unique([text, text.replace(" ", "")])


def postal_forms(value: str | None) -> tuple[str, ...]:
    """A Japanese postal code as ``123-4567`` and ``1234567``; anything else as given."""
    if not value:
        return ()
    text = _nfkc(value).translate(_DASHES).removeprefix("〒").strip()
    digits = re.sub(r"[\s-]", "", text)
    if re.fullmatch(r"[0-9]{7}", digits):
        return (f"{digits[:3]}-{digits[3:]}", digits)
    return _unique([text])


def phone_forms(value: str | None) -> tuple[str, ...]:
    """A phone number as given and in the forms Japanese stores write it (module docstring)."""
    if not value:
        return ()
    given = _nfkc(value, collapse=True).translate(_DASHES)
    digits = re.sub(r"[^0-9]", "", given)
    if given.startswith("+81"):
        domestic = "0" + digits[2:].removeprefix("0")
    elif digits.startswith("0"):
        domestic = digits
    else:
        return _unique([given, digits])
    if len(domestic) not in (10, 11):
        return _unique([given, digits])
    return _unique([given, domestic, *_hyphenated(domestic), "+81" + domestic[1:]])


def _hyphenated(domestic: str) -> list[str]:
    def split(*sizes: int) -> str:
        parts, start = [], 0
        for size in sizes:
            parts.append(domestic[start : start + size])
            start += size
        return "-".join(parts)

    if len(domestic) == 11:
        if domestic.startswith("0800"):
            return [split(4, 3, 4)]
        return [split(3, 4, 4)] if domestic.startswith(_MOBILE) else []
    if domestic.startswith(_SERVICE):
        return [split(4, 3, 3)]
    return [split(area, 6 - area, 4) for area in (2, 3, 4, 5)]
