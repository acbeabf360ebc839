"""The building blocks of the published notice: parts, headings, paragraphs, lists and lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from kojin.policy.model_base import Lang


class AnonymizedDatasetNotice(BaseModel):
    """A created anonymized dataset whose items are published (Arts. 43(3), 44; R-AN-3, R-AN-4)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    items: list[str] = Field(min_length=1)
    created_on: date
    provided: bool = False
    provision_method: str | None = None


@dataclass(frozen=True, slots=True)
class Heading:
    kind: ClassVar[str] = "heading"
    level: int
    text: str
    anchor: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Bullets:
    kind: ClassVar[str] = "bullets"
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lines:
    """Consecutive short lines (an address, a signature)."""

    kind: ClassVar[str] = "lines"

    lines: tuple[str, ...]


Block = Heading | Paragraph | Bullets | Lines


@dataclass(frozen=True, slots=True)
class Part:
    anchor: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class NoticeDocument:
    lang: Lang
    title: str
    parts: tuple[Part, ...]
    revised: str


@dataclass(slots=True)
class BlockBuilder:
    """Collects the blocks of one part of the notice."""

    lang: Lang
    blocks: list[Block] = field(default_factory=list)

    def heading(self, level: int, text: str, anchor: str | None = None) -> None:
        self.blocks.append(Heading(level, text, anchor))

    def para(self, text: str, *, strong: bool = False) -> None:
        self.blocks.append(Paragraph(text, strong))

    def bullets(self, items: Sequence[str]) -> None:
        if items:
            self.blocks.append(Bullets(tuple(items)))

    def lines(self, lines: Sequence[str]) -> None:
        if lines:
            self.blocks.append(Lines(tuple(lines)))
