"""Request and response bodies for de-identified datasets."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DatasetForm = Literal["pseudonymized", "anonymized"]


class DatasetCreate(BaseModel):
    """What a de-identification run created (from kojin.deid's result objects)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    form: DatasetForm
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=100)
    purposes: list[str] = Field(default_factory=list)
    items: list[str] = Field(min_length=1)
    records: int = Field(ge=0)
    report_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    key_id: str | None = None


class DatasetOut(DatasetCreate):
    """A recorded dataset."""

    model_config = ConfigDict(extra="ignore", frozen=True, from_attributes=True)

    id: str
    created_at: datetime
    provided_at: datetime | None = None
    provision_method: str | None = None
