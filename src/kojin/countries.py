"""Countries by their ISO 3166-1 alpha-2 codes, with names in English and Japanese (pycountry).

The decision contract and the policy name countries by code; a code that ISO 3166-1 does not
assign is an error, never a silent default. Names come from pycountry's ISO 3166 data and its
Japanese translations, with the names Japanese statutes and the PPC use where they differ.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

Lang = Literal["en", "ja"]

#: names as the PPC's guidelines and kojin's users write them, where the ISO translation differs
_JA_USAGE = {
    "US": "米国",
    "GB": "英国",
    "KR": "韓国",
    "KP": "北朝鮮",
    "CN": "中国",
    "TW": "台湾",
    "RU": "ロシア",
    "VN": "ベトナム",
}


def normalize(code: str) -> str:
    """`code` upper-cased when it is an assigned ISO 3166-1 alpha-2 code; else ValueError (whose
    message does not repeat the value)."""
    candidate = code.strip().upper()
    if len(candidate) != 2 or not candidate.isascii() or candidate not in _codes():
        raise ValueError("must be an ISO 3166-1 alpha-2 country code such as JP or US")
    return candidate


def is_country(code: str) -> bool:
    return code in _codes()


def name(code: str, lang: Lang) -> str:
    """The country's common name in `lang`; the code itself for a code ISO does not assign."""
    if lang == "ja":
        return _ja_names().get(code, code)
    return _en_names().get(code, code)


@cache
def _codes() -> frozenset[str]:
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _en_names() -> dict[str, str]:
    import pycountry

    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


@cache
def _ja_names() -> dict[str, str]:
    import gettext

    import pycountry

    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    names = {c.alpha_2: translation.gettext(c.name) for c in pycountry.countries}
    names.update(_JA_USAGE)
    return names
