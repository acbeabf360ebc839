"""The detector registry: built-ins declared as data, extended and trimmed by YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from kojin.discovery.detector_catalogue import (
    builtin_detector_text,
    builtin_registry,
    load_registry,
    parse_detector_file,
    value_regex,
)
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Category
from kojin.errors import InputError

EMPLOYEE = """
detectors:
  - kind: employee_number
    category: custom
    description: Employee numbers of the company
    patterns:
      - {name: emp, regex: 'EMP-[0-9]{6}', score: 0.9}
    column_hints: 'employee|社員'
disable: [mac_address]
"""


def test_builtin_kinds_cover_the_issue_list() -> None:
    kinds = set(builtin_registry().kinds())
    assert {
        "my_number",
        "corporate_number",
        "phone_number",
        "email",
        "postal_code",
        "address",
        "date_of_birth",
        "credit_card",
        "passport_number",
        "drivers_license",
        "basic_pension_number",
        "health_insurance_number",
        "bank_account",
        "ip_address",
        "mac_address",
        "person_name",
        "name_kana",
    } <= kinds


def test_yaml_adds_a_company_identifier_and_disables_one(tmp_path: Path) -> None:
    path = tmp_path / "company.yaml"
    path.write_text(EMPLOYEE, encoding="utf-8")
    registry = load_registry(extra_files=[path])
    assert registry.get("employee_number").category is Category.CUSTOM
    assert "mac_address" not in registry.kinds()
    matcher = Re2Matcher(registry)
    buf = "社員番号 EMP-004211 MAC 00:1A:2B:3C:4D:5E".encode()
    assert [(m.kind, buf[m.start : m.end]) for m in matcher.scan(buf)] == [
        ("employee_number", b"EMP-004211")
    ]


def test_yaml_replaces_a_builtin_of_the_same_kind(tmp_path: Path) -> None:
    path = tmp_path / "strict.yaml"
    path.write_text(
        "detectors:\n  - kind: email\n    category: contact\n"
        "    patterns: [{name: corp, regex: '[a-z]+@corp\\.example', score: 0.9}]\n",
        encoding="utf-8",
    )
    matcher = Re2Matcher(load_registry(extra_files=[path]))
    assert [m.kind for m in matcher.scan(b"a@other.example b@corp.example")] == ["email"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("detectors: [{kind: x, category: custom, patterns: []}]", "patterns"),
        (
            "detectors: [{kind: Bad-Kind, category: custom, patterns: [{name: a, regex: a}]}]",
            "kind",
        ),
        ("detectors: [{kind: x, category: nope, patterns: [{name: a, regex: a}]}]", "category"),
        (
            "detectors: [{kind: x, category: custom, patterns: [{name: a, regex: '(?<=a)b'}]}]",
            "RE2",
        ),
        (
            "detectors: [{kind: x, category: custom, patterns: [{name: a, regex: '\\p{Han}'}]}]",
            "Python",
        ),
        (
            "detectors: [{kind: x, category: custom, patterns: [{name: a, regex: '(?P<v>a)'}]}]",
            "value",
        ),
        ("disable: [no_such_kind]", "no_such_kind"),
        ("detectors: [unclosed", "YAML"),
    ],
)
def test_bad_detector_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_registry(extra_files=[path])
    assert message in caught.value.message
    assert str(path) in caught.value.message


def test_missing_detector_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read detector file"):
        load_registry(extra_files=[tmp_path / "absent.yaml"])


@pytest.mark.parametrize(
    ("regex", "value"),
    [
        ("plain[0-9]", "plain[0-9]"),
        ("口座[ :：]*(?P<value>[0-9]{7})", "[0-9]{7}"),
        ("x(?P<value>[(（][0-9](?:a|b)\\))y", "[(（][0-9](?:a|b)\\)"),
    ],
)
def test_value_regex(regex: str, value: str) -> None:
    assert value_regex(regex) == value


def test_builtin_patterns_compile_under_re2_and_python() -> None:
    """The built-in file skips the regex check at start-up: it must pass it here."""
    checked = parse_detector_file(builtin_detector_text(), source="builtin_detectors.yaml")
    assert checked.detectors == builtin_registry().detectors
