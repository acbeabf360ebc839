"""The payer a payment record names: the filing company, from the settings
(``KOJIN_MYNUMBER_PAYER_*``), each value replaceable for one export (the CLI's ``--payer-*``
options).

A payer is a corporation, named by its corporate number (法人番号, public); a sole proprietor's
own individual number is not handled here.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from kojin.errors import InputError
from kojin.mynumber.filing.payment_fields import problem_text
from kojin.mynumber.filing.text import CorporateNumber, FilingText
from kojin.registry.subjects.text import STORABLE
from kojin.settings import Settings

#: the setting behind each payer field
PAYER_SETTINGS = {
    "name": "KOJIN_MYNUMBER_PAYER_NAME",
    "address": "KOJIN_MYNUMBER_PAYER_ADDRESS",
    "corporate_number": "KOJIN_MYNUMBER_PAYER_CORPORATE_NUMBER",
    "phone": "KOJIN_MYNUMBER_PAYER_PHONE",
}

Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30), STORABLE]


class Payer(BaseModel):
    """支払者: the company's name, address, corporate number and (optionally) telephone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: FilingText
    address: FilingText
    corporate_number: CorporateNumber
    phone: Phone | None = None


def payer_from_settings(
    settings: Settings,
    *,
    name: str | None = None,
    address: str | None = None,
    corporate_number: str | None = None,
    phone: str | None = None,
) -> Payer:
    """The payer: each value given here, else its setting; InputError naming the setting of
    every value missing or invalid (never the value)."""
    values = {
        "name": name if name is not None else settings.mynumber_payer_name,
        "address": address if address is not None else settings.mynumber_payer_address,
        "corporate_number": corporate_number
        if corporate_number is not None
        else settings.mynumber_payer_corporate_number,
        "phone": phone if phone is not None else settings.mynumber_payer_phone,
    }
    try:
        return Payer.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            field = str(error["loc"][0])
            text = problem_text(dict(error, loc=()))
            if error["type"] == "missing":
                text = "not set"
            problems.append(f"{PAYER_SETTINGS[field]} (payer {field}): {text}")
        raise InputError(
            "the payer of payment records: " + "; ".join(problems), field="payer"
        ) from None
