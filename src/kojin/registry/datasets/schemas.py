"""Request and response bodies for de-identified datasets.

What is recorded is bounded and storable: no NUL character and no unpaired surrogate in any
text (PostgreSQL cannot store either). A recorded dataset is read back without those limits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

DatasetForm = Literal["pseudonymized", "anonymized"]

#: the most purposes and published item lines one dataset lists
MAX_PURPOSES: Final = 50
MAX_ITEMS: Final = 1000
#: the longest method of provision kept (R-AN-4), after joining later methods
MAX_METHOD: Final = 2000
#: a dataset's record count is an INTEGER column
MAX_RECORDS: Final = 2**31 - 1


def storable(value: str) -> str:
    """`value` when a database can store it: no NUL character, no unpaired surrogate."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no unpaired surrogates)") from None
    return value


#: a policy id (category, purpose)
Identifier = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(storable),
]
ItemLine = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    AfterValidator(storable),
]
KeyId = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(storable)]


class DatasetCreate(BaseModel):
    """What a de-identification run created (from kojin.deid's result objects)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    form: DatasetForm
    name: Name
    category: Identifier
    purposes: list[Identifier] = Field(default_factory=list, max_length=MAX_PURPOSES)
    items: list[ItemLine] = Field(min_length=1, max_length=MAX_ITEMS)
    records: int = Field(ge=0, le=MAX_RECORDS)
    report_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    key_id: KeyId | None = None


class DatasetOut(BaseModel):
    """A recorded dataset."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    form: DatasetForm
    name: str
    category: str
    purposes: list[str]
    items: list[str]
    records: int
    report_sha256: str
    key_id: str | None = None
    created_at: datetime
    provided_at: datetime | None = None
    provision_method: str | None = None
