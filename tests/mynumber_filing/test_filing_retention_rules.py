"""Retention rules: the statutory ones built in, changed or extended by the retention file,
whose problems name the key (never the value)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kojin.errors import ConfigurationError, InputError
from kojin.law.mynumber_rules import STATUTORY_RETENTION, RetentionStart
from kojin.mynumber.filing.retention import (
    COMPANY_RULE,
    STATUTORY,
    load_retention_rules,
    parse_retention_rules,
)

FILE = """
documents:
  payment_record:
    years: 5
    citation: 社内規程第12条
    confirmed: true
  board_minutes:
    years: 10
    start: document_date
    label: {en: Board minutes, ja: 取締役会議事録}
"""


def test_statutory_rules_without_a_file() -> None:
    rules = load_retention_rules(None)
    assert rules is STATUTORY
    assert rules.configured == frozenset()
    # the dependants' deduction form due in 2024: 7 years from 11 January 2025
    assert rules.until("dependants_deduction_form", reference=date(2024, 12, 31)) == date(
        2032, 1, 10
    )
    # a payment record of 2025 (deadline 31 January 2026): 7 years
    assert rules.until("payment_record", reference=date(2026, 1, 31)) == date(2033, 1, 31)


def test_a_file_changes_and_adds_kinds(tmp_path: Path) -> None:
    path = tmp_path / "retention.yaml"
    path.write_text(FILE, encoding="utf-8")
    rules = load_retention_rules(path)
    assert rules.configured == frozenset({"payment_record", "board_minutes"})
    changed = rules.rule("payment_record")
    built_in = STATUTORY_RETENTION["payment_record"]
    assert (changed.years, changed.citation, changed.confirmed) == (5, "社内規程第12条", True)
    assert (changed.start, changed.label) == (built_in.start, built_in.label)
    assert rules.until("payment_record", reference=date(2026, 1, 31)) == date(2031, 1, 31)
    added = rules.rule("board_minutes")
    assert (added.start, added.citation, added.confirmed) == (
        RetentionStart.DOCUMENT_DATE,
        COMPANY_RULE,
        True,
    )
    assert rules.until("board_minutes", reference=date(2024, 2, 29)) == date(2034, 2, 28)
    # kinds the file does not name keep their statutory rule
    assert rules.rule("labour_records") == STATUTORY_RETENTION["labour_records"]
    with pytest.raises(InputError, match="not a document kind") as caught:
        rules.rule("secret_kind")
    assert "secret_kind" not in caught.value.message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("documents: [a]\n", "documents: must be a mapping"),
        ("other: {}\n", r"\(top level\): must be a mapping with the one key documents"),
        ("documents: {Bad-Kind: {years: 1}}\n", "documents: a document kind is lower-case"),
        ("documents: {payment_record: 7}\n", "documents.payment_record: must be a mapping"),
        ("documents: {payment_record: {years: -1}}\n", "documents.payment_record.years: must be"),
        ("documents: {payment_record: {years: 7.5}}\n", "documents.payment_record.years"),
        (
            "documents: {payment_record: {start: whenever}}\n",
            "payment_record.start: must be one of",
        ),
        ("documents: {payment_record: {colour: purple}}\n", "payment_record.colour: not a key"),
        ("documents: {payment_record: {confirmed: maybe}}\n", "payment_record.confirmed"),
        ("documents: {payment_record: {label: {en: x}}}\n", "payment_record.label: must be"),
        ("documents: {own: {years: 1, start: document_date}}\n", "documents.own.label: required"),
        ("documents: {own: {years: 1, label: {en: a, ja: b}}}\n", "documents.own.start: required"),
        ("documents:\n  own: {years: 1\n", r"not valid YAML \(line"),
    ],
)
def test_problems_name_the_key(text: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem) as caught:
        parse_retention_rules(text, source="retention.yaml")
    message = caught.value.message
    assert message.startswith("KOJIN_MYNUMBER_RETENTION_FILE (retention.yaml): ")
    for value in ("whenever", "purple", "maybe", "-1", "7.5"):
        assert value not in message


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot be read"):
        load_retention_rules(tmp_path / "missing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert load_retention_rules(empty).rules == STATUTORY.rules
