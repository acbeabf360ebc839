"""A file handed to a person or to staff: a disclosure package or a refusal notice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Package:
    """A file for download: its name (no personal data in it), media type and bytes."""

    filename: str
    media_type: str
    content: bytes
