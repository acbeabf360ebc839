"""``kojin decide``: stdin JSON (or JSON lines) in, one JSON decision per request out."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from law_support import ask
from pydantic import ValidationError
from typer.testing import CliRunner

from kojin.cli import app
from kojin.law import DecisionRequest, Facts, decide
from kojin.law.json_keys import duplicate_key
from kojin.policy import load_policy, to_facts
from kojin.policy.load import default_policy_text

US_PROVISION = {
    "action": "provide",
    "category": "customer",
    "recipient": {"name": "US Analytics Inc", "country": "US"},
    "consent": {"given": True},
}
STORE_SG = {"action": "store_abroad", "category": "customer", "recipient": {"country": "SG"}}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return CliRunner()


def run(runner: CliRunner, stdin: str, *args: str) -> Any:
    return runner.invoke(app, ["decide", *args], input=stdin)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON lines validated and decided two at a time, so that a few lines cross chunks."""
    monkeypatch.setattr(importlib.import_module("kojin.cli.decide"), "CHUNK_LINES", 2)


def test_one_request_gives_one_decision(runner: CliRunner) -> None:
    result = run(runner, json.dumps(US_PROVISION, indent=2))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    decision = json.loads(lines[0])
    assert decision["allowed"] is False
    assert decision["rules"][0] == "R-TP-FX-2"
    assert "APPI Art. 28(2)" in decision["citations"]
    assert decision["explanation"]["en"]
    assert decision["explanation"]["ja"]


def test_json_lines_keep_order_and_skip_blank_lines(runner: CliRunner) -> None:
    bodies = [
        {"action": "use", "category": "customer", "purpose": "provide_services"},
        US_PROVISION,
        {
            "action": "provide",
            "category": "specific_personal",
            "exception": "mna_19",
            "mna_19_item": "2",
            "recipient": {"country": "JP"},
        },
    ]
    stdin = json.dumps(bodies[0]) + "\n\n" + "\n".join(json.dumps(b) for b in bodies[1:]) + "\n"
    result = run(runner, stdin)
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["allowed"] for d in decisions] == [True, False, True]
    policy = to_facts(load_policy(None))
    for body, got in zip(bodies, decisions, strict=True):
        request = DecisionRequest.model_validate(body)
        expected = decide(request, policy, Facts.from_request(request))
        assert got == expected.model_dump(mode="json")


@pytest.mark.usefixtures("small_chunks")
def test_json_lines_across_chunks_are_all_decided_in_order(runner: CliRunner) -> None:
    bodies = [
        {"action": "use", "category": "customer", "purpose": "provide_services"},
        US_PROVISION,
        STORE_SG,
        {
            "action": "provide",
            "category": "specific_personal",
            "exception": "mna_19",
            "mna_19_item": "2",
            "recipient": {"country": "JP"},
        },
        {"action": "use", "category": "retired_employee", "purpose": "x"},
    ]
    result = run(runner, "\n".join(json.dumps(b) for b in bodies) + "\n")
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    policy = to_facts(load_policy(None))
    expected = []
    for body in bodies:
        request = DecisionRequest.model_validate(body)
        expected.append(
            decide(request, policy, Facts.from_request(request)).model_dump(mode="json")
        )
    assert decisions == expected


EDGE_VALUES = ["NaN", "Infinity", "-Infinity", "1e400", "1.0", "0.0", "1e0", "2", "1" + "0" * 30]
EDGE_VALUES += ['"yes"', '"off"', '"\\ud800"', '"\\udc00x"', '"\\ud83d\\ude00"', '"a\\u0000b"']
EDGE_VALUES += ["true", "null", "[]", "{}", '"x", "special_care": true', '"x", "purpose": "y"']
EDGE_LINES = [
    f'{{"action": "use", "category": "customer", "{field}": {value}}}'
    for field in ("special_care", "purpose")
    for value in EDGE_VALUES
]
EDGE_LINES += [
    '\ufeff{"action": "use", "category": "customer"}',
    '{"action": "use", "category": "customer"}\t',
    '{"action": "use", "category": "customer"} x',
    '{"action": "use", "category": "customer"}{}',
    '{"action": "use", "category": "customer",}',
    "{'action': 'use', 'category': 'customer'}",
    '{"action": "use", "category": "customer", "recipient": {"country": " us "}}',
    '{"action": "use", "category": "customer", "consent": {"given": "on", "given": false}}',
]


@pytest.mark.parametrize("line", EDGE_LINES)
def test_json_lines_are_read_as_orjson_reads_them(runner: CliRunner, line: str) -> None:
    """Lines are parsed by pydantic for speed: every line must still be accepted, refused and
    read exactly as orjson reads it, except that a key given twice is refused."""
    result = run(runner, '{"action": "use", "category": "customer"}\n' + line + "\n")
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError:
        assert result.exit_code == 2
        assert "line 2: not valid JSON" in result.stderr
        return
    repeated = duplicate_key(line)
    if repeated is not None:  # orjson keeps the last value; kojin refuses the line
        assert result.exit_code == 2
        assert f"line 2: the key '{repeated}' appears twice" in result.stderr
        return
    try:
        request = DecisionRequest.model_validate(document)
    except ValidationError as error:
        field = ".".join(str(part) for part in error.errors()[0]["loc"])
        assert result.exit_code == 2
        assert f"line 2: {field}: " in result.stderr
        return
    assert result.exit_code == 0, result.output
    expected = decide(request, to_facts(load_policy(None)), Facts.from_request(request))
    assert json.loads(result.stdout.splitlines()[1]) == expected.model_dump(mode="json")


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            '{"action": "use", "category": "customer", "recipient": {"country": "USA"}}',
            "line 4: recipient.country:",
        ),
        ('{"action": "use"', "line 4: not valid JSON"),
        ('{"action": "use", "category": "x"}', "line 4: category: not a category the policy"),
        ('{"action": "use", "category": "customer", "a": 1, "a": 2}', "line 4: the key 'a'"),
    ],
)
def test_the_first_bad_line_stops_the_stream_after_the_decisions_before_it(
    runner: CliRunner, bad: str, message: str
) -> None:
    """Decisions are written as they are made, two lines at a time here: a bad fourth line
    (invalid, or valid but undecidable) stops the command after the first three decisions,
    and nothing after it is decided, not even a worse error further on."""
    good = [
        {"action": "use", "category": "customer", "purpose": "provide_services"},
        US_PROVISION,
        STORE_SG,
    ]
    lines = [json.dumps(body) for body in good] + [bad, '{"action": "use", "category": "y"}']
    result = run(runner, "\n".join(lines) + "\n{\n")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "line 5" not in result.stderr
    policy = to_facts(load_policy(None))
    expected = []
    for body in good:
        request = DecisionRequest.model_validate(body)
        expected.append(
            decide(request, policy, Facts.from_request(request)).model_dump(mode="json")
        )
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected


def _lines_before(message: str) -> int:
    """How many decisions precede the line an error message names (0 without a line)."""
    numbered = re.match(r"line (\d+):", message)
    return int(numbered.group(1)) - 1 if numbered else 0


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (
            '{"action": "use", "category": "customer"}\n{"action": "use", "category": "customer", '
            '"recipient": {"country": "USA"}}\n',
            "line 2: recipient.country:",
        ),
        ('{"category": "customer"}', "action: Field required"),
        ('{"action": "delete", "category": "customer"}', "action: Input should be"),
        ('{"action": "use", "category": "customer", "colour": "red"}', "colour: Extra inputs"),
        ('{"action": "use", "category": "customer"}\n{"action": "use"\n', "line 2: not valid JSON"),
        (
            '{"action": "use", "category": "suppliers"}',
            "category: not a category the policy declares",
        ),
        (
            '{"action": "use", "category": "customer"}\n{"action": "use", "category": "x"}\n',
            "line 2: category: not a category the policy declares",
        ),
        ("[1, 2]", "a request must be a JSON object"),
        ("   \n", "no request on standard input"),
    ],
)
def test_malformed_input_exits_2_naming_the_field(
    runner: CliRunner, stdin: str, message: str
) -> None:
    result = run(runner, stdin)
    assert result.exit_code == 2
    assert message in result.stderr
    # the decisions before the bad line, and nothing half-written
    assert len(result.stdout.splitlines()) == _lines_before(message)
    assert result.stdout.endswith("\n") or result.stdout == ""
    assert "Traceback" not in result.output


def test_error_messages_do_not_echo_values(runner: CliRunner) -> None:
    body = {"action": "use", "category": "customer", "subject_id": 123456789018}
    result = run(runner, json.dumps(body))
    assert result.exit_code == 2
    assert "subject_id" in result.stderr
    assert "123456789018" not in result.stderr


def test_policy_option_changes_the_decision(runner: CliRunner, tmp_path: Path) -> None:
    text = default_policy_text()
    text = text.replace(
        "countries: [US]\n        purposes: [provide_services]",
        "countries: [US, SG]\n        purposes: [provide_services]",
        1,
    )
    text = text.replace(
        "    country_systems:\n",
        "    country_systems:\n"
        "      - country: SG\n"
        "        name: {en: Singapore, ja: シンガポール}\n"
        "        summary: {en: Singapore has a data protection act., ja: 個人情報保護法がある。}\n",
        1,
    )
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    default = run(runner, json.dumps(STORE_SG))
    assert json.loads(default.stdout)["allowed"] is False
    custom = run(runner, json.dumps(STORE_SG), "--policy", str(path))
    assert custom.exit_code == 0, custom.output
    decision = json.loads(custom.stdout)
    assert decision["allowed"] is True
    assert [o["code"] for o in decision["obligations"]] == ["understand_foreign_system"]


def test_missing_policy_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, json.dumps(STORE_SG), "--policy", str(tmp_path / "none.yaml"))
    assert result.exit_code == 2
    assert "file not found" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "body",
    [
        {"action": "use", "category": "commissioned", "purpose": "x", "consent": {"given": True}},
        {
            "action": "use",
            "category": "retired_employee",
            "purpose": "x",
            "consent": {"given": True},
        },
        {
            "action": "provide",
            "category": "specific_personal",
            "recipient": {"relation": "joint_user", "country": "JP"},
        },
        {
            "action": "provide",
            "category": "customer",
            "recipient": {"relation": "joint_user", "country": "JP"},
        },
        {"action": "store_abroad", "category": "partner_employee", "recipient": {"country": "US"}},
        {"action": "store_abroad", "category": "retired_employee", "recipient": {"country": "US"}},
        {
            "action": "provide",
            "category": "commissioned",
            "recipient": {"relation": "entrustee", "country": "JP"},
        },
        {
            "action": "acquire",
            "category": "specific_personal",
            "purpose": "real_estate_fee_records",
        },
        {
            "action": "provide",
            "category": "customer",
            "form": "anonymized",
            "recipient": {"country": "JP"},
        },
        {"action": "use", "category": "customer", "form": "pseudonymized", "purpose": "x"},
    ],
)
def test_compiled_default_policy_agrees_with_the_seed_fixture(body: dict[str, Any]) -> None:
    """The embedded policy, compiled by kojin.policy, decides as the hand-built seed facts do."""
    compiled = to_facts(load_policy(None))
    request = DecisionRequest.model_validate(body)
    from_policy = decide(request, compiled, Facts.from_request(request))
    assert from_policy == ask(body)


def test_an_undeclared_category_is_refused_without_echoing_it(runner: CliRunner) -> None:
    body = '{"action": "use", "category": "probe.user@example.com", "purpose": "123456789018"}'
    result = run(runner, body + "\n")
    assert result.exit_code == 2
    assert "category: not a category the policy declares" in result.stderr
    assert "probe.user@example.com" not in result.stderr + result.stdout
    assert "123456789018" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"action": "provide", "category": "customer", "consent": {"given": true}}', "recipient"),
        ('{"action": "store_abroad", "category": "customer", "recipient": {}}', "recipient"),
        (
            '{"action": "provide", "category": "customer", "recipient": {"country": "XX"}}',
            "recipient.country",
        ),
        ('{"action": "acquire", "category": "customer", "special_care": "yes"}', "special_care"),
        (
            '{"action": "provide", "category": "customer", "recipient": {"country": "JP"}, '
            '"consent": {"given": 1}}',
            "consent.given",
        ),
        (
            '{"action": "provide", "category": "customer", "recipient": {"country": "JP"}, '
            '"consent": {"given": false, "given": true}}',
            "the key 'given' appears twice",
        ),
    ],
    ids=["no-recipient", "no-country", "unassigned-country", "yes", "one", "duplicate"],
)
def test_bad_or_missing_facts_exit_2(runner: CliRunner, body: str, field: str) -> None:
    """Never silently Japan, never "yes" for true, never the last of two keys."""
    for before, stdin in enumerate(
        (body + "\n", '{"action": "use", "category": "customer"}\n' + body + "\n")
    ):
        result = run(runner, stdin)
        assert result.exit_code == 2, result.output
        assert field in result.stderr
        assert len(result.stdout.splitlines()) == before  # the decision of the line before
