"""Column roles for pseudonymization (R-PS-1), read from a YAML file.

::

    columns:                       # every column of the input, exactly once
      customer_id: direct_identifier
      name: direct_identifier
      my_number: identification_code
      card_number: unauthorized_use_risk
      birth_year: quasi_identifier
      diagnosis: sensitive
      visits: other
    coding:                        # optional: code idiosyncratic values down
      birth_year: {bottom: 1930}
      visits: {top: 50}
      occupation: {min_count: 5, other: "other"}
    key_file: /secure/kojin/pseudonym-keys.json   # optional
    algorithm: blake2b             # or hmac-sha256
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from kojin.deid.choices import TokenAlgorithm
from kojin.encodings import decode
from kojin.errors import InputError


class ColumnRole(StrEnum):
    DIRECT_IDENTIFIER = "direct_identifier"
    IDENTIFICATION_CODE = "identification_code"
    UNAUTHORIZED_USE_RISK = "unauthorized_use_risk"
    QUASI_IDENTIFIER = "quasi_identifier"
    SENSITIVE = "sensitive"
    OTHER = "other"


class Coding(BaseModel):
    """Coding down of idiosyncratic values: top/bottom for numbers, rare categories merged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top: float | None = None
    bottom: float | None = None
    min_count: int | None = None
    other: str = "other"

    @model_validator(mode="after")
    def _one_kind(self) -> Coding:
        numeric = self.top is not None or self.bottom is not None
        if numeric and self.min_count is not None:
            raise ValueError("use either top/bottom (numbers) or min_count (categories)")
        if not numeric and self.min_count is None:
            raise ValueError("give top, bottom or min_count")
        if self.min_count is not None and self.min_count < 2:
            raise ValueError("min_count must be at least 2")
        return self


class RolesSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, ColumnRole]
    coding: dict[str, Coding] = {}
    key_file: Path | None = None
    algorithm: TokenAlgorithm = TokenAlgorithm.BLAKE2B

    @model_validator(mode="after")
    def _coding_targets(self) -> RolesSpec:
        for column in self.coding:
            role = self.columns.get(column)
            if role is None:
                raise ValueError(f"coding names column {column!r}, which has no role")
            if role not in (ColumnRole.QUASI_IDENTIFIER, ColumnRole.SENSITIVE, ColumnRole.OTHER):
                raise ValueError(f"coding applies to kept columns; {column!r} is {role.value}")
        return self


def load_roles(path: Path) -> RolesSpec:
    """Read and validate a roles file (UTF-8 or Shift_JIS/CP932, detected); errors name the
    field."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"roles file not found: {path}", field="roles") from None
    except OSError as exc:
        raise InputError(
            f"roles file {path} cannot be read ({exc.strerror})", field="roles"
        ) from None
    try:
        data = yaml.safe_load(decode(raw, source=f"roles file {path.name}"))
    except yaml.YAMLError as exc:
        raise InputError(
            f"roles file {path.name} is not valid YAML: {exc}", field="roles"
        ) from None
    try:
        return RolesSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InputError(f"roles file {path.name}: {where}: {first['msg']}", field=where) from None
