"""Text fields of the registry's request bodies: bounded, and storable in every database.

PostgreSQL refuses a NUL character in text, and no database (nor the cipher) can encode a lone
UTF-16 surrogate as UTF-8; both are refused when a body is validated (422), before they reach a
query. An individual number (My Number) is refused too: numbers are kept in the vault alone and
are never written into the registry (R-CD-1, R-MN-6), not even as a customer number (R-MN-1).
Messages name what is wrong, never the value.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import AfterValidator, StringConstraints

#: four digits in a row (ASCII or full-width): the text may show an individual number
_FOUR_DIGITS: Final = re.compile(r"[0-9\uff10-\uff19]{4}")


def storable(value: str) -> str:
    """`value` unchanged; ValueError when it holds a NUL character, a lone surrogate or an
    individual number."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from None
    if _FOUR_DIGITS.search(value):
        # imported here: the check digits' library loads only when a value may need it
        from kojin.law.check_digits import holds_my_number

        if holds_my_number(value):
            raise ValueError(
                "must not contain an individual number (kept in the vault alone): twelve digits "
                "with a valid My Number check digit are refused; an identifier of your own that "
                "happens to pass the check can be written with a letter prefix"
            )
    return value


#: the validator every free-text field carries after its length bound
STORABLE: Final = AfterValidator(storable)

#: a category or purpose id as the policy writes them (``kojin.policy.model_base.Identifier``);
#: services check that the policy declares it
PolicyId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
]
#: an id kojin generated (uuid4 hex); anything else cannot name a stored row
RowId = Annotated[str, StringConstraints(min_length=1, max_length=32), STORABLE]
Text50 = Annotated[str, StringConstraints(max_length=50), STORABLE]
Text100 = Annotated[str, StringConstraints(max_length=100), STORABLE]
Text300 = Annotated[str, StringConstraints(max_length=300), STORABLE]
Text320 = Annotated[str, StringConstraints(max_length=320), STORABLE]
Text500 = Annotated[str, StringConstraints(max_length=500), STORABLE]
Text1000 = Annotated[str, StringConstraints(max_length=1000), STORABLE]
#: non-empty variants
Label100 = Annotated[str, StringConstraints(min_length=1, max_length=100), STORABLE]
Label300 = Annotated[str, StringConstraints(min_length=1, max_length=300), STORABLE]


def is_row_id(value: str) -> bool:
    """Whether `value` has the shape of an id kojin generates (32 lowercase hex digits)."""
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
