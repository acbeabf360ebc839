"""Bad policy files: each kind of error is reported once, as FILE:LINE:COLUMN: field.path: message.

Each case edits the default policy at one place; the expected line and column are found by
searching the edited text for the edited token, so the test checks the loader's positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kojin.errors import PolicyError
from kojin.policy.load import PolicyIssue, default_policy_text, parse_policy

SOURCE = "bad-policy.yaml"
BASE = default_policy_text()


def edit(old: str, new: str) -> str:
    assert BASE.count(old) >= 1, old
    return BASE.replace(old, new, 1)


def locate(text: str, needle: str, *, after: str = "") -> tuple[int, int]:
    """1-based line and column of `needle` (first occurrence after `after`)."""
    start = text.index(after) + len(after) if after else 0
    offset = text.index(needle, start)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def issues_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source=SOURCE)
    issues = caught.value.issues
    assert all(isinstance(issue, PolicyIssue) for issue in issues)
    return [str(issue) for issue in issues]


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    needle: str
    after: str
    path: str
    message: str


CASES = [
    Case(
        "yaml syntax error",
        edit("version: 1\n", "version: 1: 2\n"),
        ": 2",
        "",
        "<document>",
        "YAML syntax error: mapping values are not allowed",  # "here" or "in this context"
    ),
    Case(
        "unknown key",
        edit("  academic_institution: false\n", "  academic_institution: false\n  colour: blue\n"),
        "colour",
        "",
        "organization.colour",
        "unknown key 'colour'",
    ),
    Case(
        "wrong type",
        edit("established_on: 1999-02-15", "established_on: [1999]"),
        "[1999]",
        "",
        "organization.established_on",
        "Input should be a valid date",
    ),
    Case(
        "wrong type of a flag",
        edit("  academic_institution: false\n", "  academic_institution: maybe\n"),
        "maybe",
        "",
        "organization.academic_institution",
        "Input should be a valid boolean, unable to interpret input",
    ),
    Case(
        "duplicate purpose id",
        edit("      - id: develop_services\n", "      - id: provide_services\n"),
        "provide_services",
        "- id: provide_services\n",
        "categories[0].purposes[1].id",
        "duplicate purpose id 'provide_services' in category 'customer'",
    ),
    Case(
        "duplicate category id",
        edit("  - id: retired_employee\n", "  - id: commissioned\n"),
        "commissioned\n    scope: retired_employee",
        "",
        "categories[4].id",
        "duplicate category id 'commissioned'",
    ),
    Case(
        "undefined category reference",
        edit(
            "categories: [customer, partner_employee, commissioned]",
            "categories: [customer, nobody]",
        ),
        "nobody",
        "",
        "general.foreign_provision.categories[1]",
        "undefined category 'nobody'",
    ),
    Case(
        "undefined purpose reference",
        edit("purposes: [security_measures]", "purposes: [skill_check, no_such_purpose]"),
        "no_such_purpose",
        "",
        "general.external_environment.storage[1].purposes[1]",
        "undefined purpose 'no_such_purpose' for category 'partner_employee'",
    ),
    Case(
        "yaml duplicate mapping key",
        edit("  academic_institution: false\n", "  academic_institution: false\n  website: x\n"),
        "website: x",
        "",
        "organization.website",
        "duplicate key 'website' (first defined at line {first})",
    ),
    Case(
        "undefined contact",
        edit("  contact: personnel_affairs\n", "  contact: payroll\n"),
        "payroll",
        "",
        "retired_employees.contact",
        "undefined contact 'payroll'",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_error_is_reported_at_its_position(case: Case) -> None:
    line, column = locate(case.text, case.needle, after=case.after)
    message = case.message
    if "{first}" in message:
        message = message.format(first=locate(case.text, "  website:")[0])
    expected = f"{SOURCE}:{line}:{column}: {case.path}: {message}"
    issues = issues_of(case.text)
    assert len(issues) == 1
    if case.name in {"wrong type", "yaml syntax error"}:  # the library adds detail after these
        assert issues[0].startswith(expected)
    else:
        assert issues[0] == expected


def test_fee_for_correction_is_refused() -> None:
    """R-RT-9: a fee may be set only for purpose notification and disclosure."""
    text = edit("- request_type: disclosure", "- request_type: correction")
    line, column = locate(text, "1000", after="request_type: correction")
    issues = issues_of(text)
    # the fee list is shared (a YAML alias) by both inquiry sections: both are reported there
    assert [i.split(": ", 2)[0] for i in issues] == [f"{SOURCE}:{line}:{column}"] * 2
    assert "general.inquiries.fees[0].amount_yen" in issues[0]
    assert "no fee may be charged for correction requests" in issues[0]


def test_fee_for_purpose_notification_is_accepted() -> None:
    text = edit("- request_type: disclosure", "- request_type: purpose_notification")
    policy = parse_policy(text, source=SOURCE)
    assert policy.general.inquiries.fees[0].request_type == "purpose_notification"


def test_missing_security_family_is_reported() -> None:
    start = BASE.index("      - family: external_environment")
    end = BASE.index("  established_label:")
    issues = issues_of(BASE[:start] + BASE[end:])
    assert len(issues) == 1
    assert issues[0].endswith(
        "basic_policy.security.controls: the security controls (R-SEC-2) must include: "
        "external_environment"
    )


def test_several_problems_are_all_reported_in_file_order() -> None:
    text = edit("  academic_institution: false\n", "  academic_institution: maybe\n")
    text = text.replace("purposes: [provide_services]", "purposes: [nothing]", 1)
    issues = issues_of(text)
    assert [i.split(": ")[1] for i in issues] == [
        "organization.academic_institution",
    ]  # schema errors stop before reference checks
    fixed = text.replace("academic_institution: maybe", "academic_institution: false", 1)
    assert [i.split(": ")[1] for i in issues_of(fixed)] == [
        "general.external_environment.storage[0].purposes[0]"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "basic_policy: required field is missing"),
        ("- a list\n", "<document>: Input should be a valid dictionary or instance of Policy"),
        ("a: b\n\tc: d\n", f"{SOURCE}:2:1: <document>: YAML syntax error: found "),
    ],
)
def test_degenerate_documents(text: str, message: str) -> None:
    issues = issues_of(text)
    assert any(message in issue for issue in issues)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    position=st.integers(min_value=0, max_value=len(BASE) - 1),
    junk=st.text(alphabet=" :-[]{}\"'#&*!|>\t\nabc0\\", min_size=1, max_size=4),
)
def test_any_corruption_gives_positioned_issues_or_a_policy(position: int, junk: str) -> None:
    """Whatever is inserted, loading returns a policy or PolicyIssues inside the file."""
    text = BASE[:position] + junk + BASE[position:]
    lines = text.count("\n") + 2
    issues: list[object] = []
    try:
        parse_policy(text, source=SOURCE)
    except PolicyError as error:
        issues = error.issues or [None]
    for issue in issues:
        assert isinstance(issue, PolicyIssue)
        assert 1 <= issue.line <= lines
        assert issue.column >= 1
        assert str(issue).startswith(f"{SOURCE}:{issue.line}:{issue.column}: ")
        assert "\n" not in str(issue)


def test_alias_bomb_is_refused_quickly() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        levels.append(f"a{level}: &a{level} [{refs}]")
    issues = issues_of("\n".join(levels) + "\n")
    assert len(issues) == 1
    assert "expands to more than" in issues[0]


def test_unusual_keys_keep_the_issue_on_one_line() -> None:
    text = edit(
        "  academic_institution: false\n", '  academic_institution: false\n  "a\\nb c": 1\n'
    )
    line, column = locate(text, '"a\\nb c"')
    assert issues_of(text) == [
        f"{SOURCE}:{line}:{column}: organization[\"a\\nb c\"]: unknown key 'a\\nb c'"
    ]
