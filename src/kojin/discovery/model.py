"""Values of discovery: detector declarations (data), findings and their locations.

Detectors are declared as data (DESIGN convention 9): patterns in RE2 syntax that Python's ``re``
also accepts, context words, a named validator and a mask style. The built-in set lives in
``builtin_detectors.yaml``; a company's own identifiers extend it from a YAML file (R-PM-1: the
ledger lists where personal data lives, so kojin must find the company's own identifiers too).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field


class Category(StrEnum):
    """What kind of information a finding is, for the ledger's item/type column (R-PM-1)."""

    SPECIFIC_PERSONAL = "specific_personal"  # My Number (MNA Art. 2(8))
    IDENTIFIER = "identifier"  # individual identification codes (APPI Art. 2(2); CO Art. 1)
    CONTACT = "contact"
    FINANCIAL = "financial"
    NAME = "name"
    DEMOGRAPHIC = "demographic"
    ONLINE = "online"
    CORPORATE = "corporate"  # corporate numbers: not personal information
    CUSTOM = "custom"


class Validator(StrEnum):
    """Checks run on a candidate after the pattern matched."""

    NONE = "none"
    MY_NUMBER = "my_number"
    CORPORATE_NUMBER = "corporate_number"
    LUHN_CARD = "luhn_card"
    JP_PHONE = "jp_phone"
    DATE = "date"  # Western, English-month and Japanese-era dates
    IP_ADDRESS = "ip_address"
    POSTAL_CODE = "postal_code"


class MaskStyle(StrEnum):
    """How a value is shown: never raw."""

    FULL = "full"  # every character replaced
    LAST4 = "last4"  # digits hidden except the last four
    EMAIL = "email"  # first character of the local part and the domain
    FIRST_CHAR = "first_char"  # first character kept, rest hidden
    PREFIX = "prefix"  # leading part kept (postal area, prefecture, network)


class PatternSpec(BaseModel):
    """One regular expression of a detector.

    The regex must be valid for both RE2 and Python ``re``: no look-around, no back-references, no
    ``\\p{..}`` classes (write ranges such as ``一-鿿`` instead). A group named ``value`` marks the
    part that is the personal data when the pattern also matches a leading context word.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    score: float = Field(default=0.6, ge=0.0, le=1.0)


class DetectorSpec(BaseModel):
    """A detector declared as data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    category: Category
    description: str = ""
    patterns: tuple[PatternSpec, ...] = Field(min_length=1)
    context: tuple[str, ...] = ()
    context_window: int = Field(default=24, ge=0, le=400)
    context_boost: float = Field(default=0.3, ge=0.0, le=1.0)
    context_exclude: tuple[str, ...] = Field(
        default=(),
        description="Labels of other numbers (注文番号, Order, TEL...): when one of them stands "
        "before a value, on its line within the context window, nearer than any context word, "
        "the value gets no context boost (an order number on the line of a shipping address is "
        "not a postal code).",
    )
    validator: Validator = Validator.NONE
    mask: MaskStyle = MaskStyle.FULL
    boundary: bool = True
    personal: bool = True
    column_hints: str | None = Field(
        default=None,
        description="Python regex (case-insensitive) matched against table column names; a "
        "column whose name matches is classified as this kind even when the values alone need "
        "context (dates of birth, names, account numbers).",
    )


class DetectorFile(BaseModel):
    """Top level of a detector YAML file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    detectors: tuple[DetectorSpec, ...] = ()
    disable: tuple[str, ...] = ()


class Match(NamedTuple):
    """A validated, scored detection inside one buffer (offsets are byte offsets).

    A named tuple rather than a dataclass: the matcher creates one per finding in its hot loop.
    Scores are rounded to 4 places (the precision findings report).
    """

    kind: str
    start: int
    end: int
    score: float


class TextLocation(NamedTuple):
    """Where in a text file: 1-based line, 0-based character offset in that line (`column`) and
    the value's length in characters. ``line_text[start:end]`` is the value found, where
    `line_text` is the decoded line without its newline (and without a file's byte order mark)."""

    path: str
    line: int
    column: int
    length: int

    @property
    def start(self) -> int:
        """Character offset of the value's first character in its line (the same as `column`)."""
        return self.column

    @property
    def end(self) -> int:
        """Character offset just past the value's last character in its line."""
        return self.column + self.length

    def render(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class CellLocation(NamedTuple):
    """Where in a table: table (or file), column and the row key (primary key or row number);
    `start` and `end`, when known, are the character offsets of the value in the cell's text
    (``cell[start:end]`` is the value found)."""

    table: str
    column: str
    row_key: str
    start: int | None = None
    end: int | None = None

    def render(self) -> str:
        return f"{self.table}.{self.column}[{self.row_key}]"


Location = TextLocation | CellLocation


class Finding(NamedTuple):
    """One piece of personal data found: the value is carried only in masked form.

    Locations and findings are named tuples (immutable values, and cheap to create: a scan makes
    one per finding).
    """

    kind: str
    category: Category
    location: Location
    score: float
    masked: str
    personal: bool = True

    def as_dict(self) -> dict[str, object]:
        loc = self.location
        where: dict[str, object]
        if isinstance(loc, TextLocation):
            where = {
                "file": loc.path,
                "line": loc.line,
                "column": loc.column,
                "start": loc.column,
                "end": loc.column + loc.length,
            }
        else:
            where = {"table": loc.table, "column": loc.column, "row_key": loc.row_key}
            if loc.start is not None and loc.end is not None:
                where["start"] = loc.start
                where["end"] = loc.end
        return {
            "type": self.kind,
            "category": self.category.value,
            "personal": self.personal,
            "location": where,
            "score": round(self.score, 3),
            "masked": self.masked,
        }
