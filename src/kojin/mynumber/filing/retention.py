"""Retention rules per document kind (R-MN-7): the statutory ones built in
(:data:`kojin.law.mynumber_rules.STATUTORY_RETENTION`), changed or extended by the YAML file the
setting ``KOJIN_MYNUMBER_RETENTION_FILE`` names.

The file::

    documents:
      payment_record:            # a built-in kind: only what is given changes
        years: 5
        citation: Internal rule 12 (approved 2026-04-01)
      board_minutes:             # a kind of the company's own: years, start and label needed
        years: 10
        start: document_date     # filing_deadline | document_date | affairs_ended |
                                 # january_11_after_deadline_year
        label: {en: Board minutes, ja: 取締役会議事録}
        citation: Companies Act Art. 371
        confirmed: true          # the period was verified (default: as built in; true if new)

A problem is a ConfigurationError naming the setting, the file and the key (e.g.
``documents.board_minutes.start``), never the value found there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import yaml

from kojin.errors import ConfigurationError, InputError
from kojin.law.mynumber_rules import (
    STATUTORY_RETENTION,
    RetentionRule,
    RetentionStart,
    retention_until,
)
from kojin.mynumber.filing.schemas import RetentionRuleOut

SETTING: Final = "KOJIN_MYNUMBER_RETENTION_FILE"
#: a document kind as the file names it
DOCUMENT_KIND: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: the keys an entry may have
ENTRY_KEYS: Final = ("years", "start", "citation", "confirmed", "label")
MAX_YEARS: Final = 100
MAX_TEXT: Final = 300
#: the citation of a company's own kind when the file gives none
COMPANY_RULE: Final = "company rule (KOJIN_MYNUMBER_RETENTION_FILE)"


@dataclass(frozen=True, slots=True)
class RetentionRules:
    """The rules in force: every document kind's rule, and which ones the file set."""

    rules: Mapping[str, RetentionRule]
    #: the kinds the file changed or added
    configured: frozenset[str] = frozenset()

    def rule(self, document: str, *, field: str = "document") -> RetentionRule:
        """The rule of `document`; InputError naming `field` when no rule names it."""
        found = self.rules.get(document)
        if found is None:
            raise InputError(
                "not a document kind with a retention rule (the value is not repeated here); "
                "the kinds are " + ", ".join(sorted(self.rules)),
                field=field,
            )
        return found

    def until(self, document: str, *, reference: date) -> date:
        """The last day a `document` counted from `reference` must be kept."""
        return retention_until(self.rule(document), reference=reference)


STATUTORY: Final = RetentionRules(rules=STATUTORY_RETENTION)


class _ProblemError(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise _ProblemError(key, f"must be a text of 1 to {MAX_TEXT} characters")
    return value.strip()


def _years(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_YEARS:
        raise _ProblemError(key, f"must be a whole number of years from 0 to {MAX_YEARS}")
    return value


def _start(value: Any, key: str) -> RetentionStart:
    try:
        return RetentionStart(value)
    except (ValueError, TypeError):
        raise _ProblemError(
            key, "must be one of " + ", ".join(s.value for s in RetentionStart)
        ) from None


def _label(value: Any, key: str) -> tuple[str, str]:
    if not isinstance(value, dict) or set(value) != {"en", "ja"}:
        raise _ProblemError(key, "must be a mapping with the keys en and ja")
    return _text(value["en"], f"{key}.en"), _text(value["ja"], f"{key}.ja")


def _entry(document: str, body: Any) -> RetentionRule:
    key = f"documents.{document}"
    if not isinstance(body, dict):
        raise _ProblemError(key, "must be a mapping of " + ", ".join(ENTRY_KEYS))
    unknown = sorted(str(k) for k in body if k not in ENTRY_KEYS)
    if unknown:
        raise _ProblemError(
            f"{key}.{unknown[0]}", "not a key of a retention rule: " + ", ".join(ENTRY_KEYS)
        )
    built_in = STATUTORY_RETENTION.get(document)
    if built_in is None:
        missing = [k for k in ("years", "start", "label") if k not in body]
        if missing:
            raise _ProblemError(f"{key}.{missing[0]}", "required for a document kind of your own")
    changes: dict[str, Any] = {}
    if "years" in body:
        changes["years"] = _years(body["years"], f"{key}.years")
    if "start" in body:
        changes["start"] = _start(body["start"], f"{key}.start")
    if "citation" in body:
        changes["citation"] = _text(body["citation"], f"{key}.citation")
    if "label" in body:
        changes["label"] = _label(body["label"], f"{key}.label")
    if "confirmed" in body:
        if not isinstance(body["confirmed"], bool):
            raise _ProblemError(f"{key}.confirmed", "must be true or false")
        changes["confirmed"] = body["confirmed"]
    if built_in is not None:
        return replace(built_in, **changes)
    return RetentionRule(
        document=document,
        years=changes["years"],
        start=changes["start"],
        citation=changes.get("citation", COMPANY_RULE),
        confirmed=changes.get("confirmed", True),
        label=changes["label"],
    )


def _documents(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict) or any(k != "documents" for k in data):
        raise _ProblemError("(top level)", "must be a mapping with the one key documents")
    documents = data.get("documents") or {}
    if not isinstance(documents, dict):
        raise _ProblemError("documents", "must be a mapping of document kinds to their rules")
    for name in documents:
        if not isinstance(name, str) or not DOCUMENT_KIND.match(name):
            raise _ProblemError(
                "documents", "a document kind is lower-case letters, digits and _ (1-64)"
            )
    return documents


def parse_retention_rules(text: str, *, source: str) -> RetentionRules:
    """The statutory rules with the changes and additions of a retention file's `text`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigurationError(f"{SETTING} ({source}): not valid YAML{where}") from None
    try:
        documents = _documents(data)
        configured = {name: _entry(name, body) for name, body in documents.items()}
    except _ProblemError as exc:
        raise ConfigurationError(f"{SETTING} ({source}): {exc}") from None
    return RetentionRules(
        rules=MappingProxyType({**STATUTORY_RETENTION, **configured}),
        configured=frozenset(configured),
    )


def load_retention_rules(path: Path | None) -> RetentionRules:
    """The rules in force: the statutory ones, changed by the file at `path` when given."""
    if path is None:
        return STATUTORY
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ConfigurationError(f"{SETTING} ({path}): cannot be read ({reason})") from None
    return parse_retention_rules(text, source=str(path))


def rules_out(rules: RetentionRules) -> list[RetentionRuleOut]:
    """The rules in force, by document kind."""
    return [
        RetentionRuleOut(
            document=rule.document,
            years=rule.years,
            start=rule.start.value,
            citation=rule.citation,
            confirmed=rule.confirmed,
            label_en=rule.label[0],
            label_ja=rule.label[1],
            configured=rule.document in rules.configured,
        )
        for _, rule in sorted(rules.rules.items())
    ]
