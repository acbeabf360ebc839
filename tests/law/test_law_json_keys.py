"""A key given twice in a JSON request is found, however the JSON is spaced or nested."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kojin.cli import app
from kojin.law.json_keys import duplicate_key, duplicate_key_message, may_repeat_keys

REPEATED = [
    ('{"action": "use", "action": "use", "category": "customer"}', "action"),
    ('{"action":"use","category":"customer","consent":{"given":false,"given":true}}', "given"),
    ('{"action": "use", "category": "customer", "consent": {"given" : false, "given" : true}}',
     "given"),
    ('{"action": "use", "category": "customer", "recipient": {"country"\t:"JP", "country":"US"}}',
     "country"),
    ('{"action": "use",\n"category": "customer",\n"category"\n: "customer"}', "category"),
]  # fmt: skip
SINGLE = [
    '{"action": "use", "category": "customer", "purpose": "a\\": b"}',
    '{"action" : "use", "category" : "customer"}',
    '{"action": "use", "category": "customer", "items": ["x\\":", "y"]}',
]


@pytest.mark.parametrize(("raw", "key"), REPEATED)
def test_repeated_keys_are_found(raw: str, key: str) -> None:
    assert duplicate_key(raw) == key
    distinct = len(set(json.loads(raw))) + sum(
        len(v) for v in json.loads(raw).values() if isinstance(v, dict)
    )
    assert may_repeat_keys(raw, distinct)


@pytest.mark.parametrize("raw", SINGLE)
def test_keys_given_once_are_not_reported(raw: str) -> None:
    assert duplicate_key(raw) is None


def test_not_json_is_left_to_the_validator() -> None:
    assert duplicate_key('{"action": ') is None


def test_the_message_names_only_field_like_keys() -> None:
    assert "'given'" in duplicate_key_message("given")
    assert "taro@example.jp" not in duplicate_key_message("taro@example.jp")


@pytest.mark.parametrize(("raw", "key"), REPEATED)
def test_the_command_refuses_every_spelling(raw: str, key: str) -> None:
    lines = '{"action": "use", "category": "customer"}\n' + raw.replace("\n", " ") + "\n"
    result = CliRunner().invoke(app, ["decide"], input=lines)
    assert result.exit_code == 2, result.output
    assert f"line 2: the key '{key}' appears twice" in result.stderr


@pytest.mark.parametrize("raw", SINGLE)
def test_the_command_decides_keys_given_once(raw: str) -> None:
    lines = '{"action": "use", "category": "customer"}\n' + raw + "\n"
    result = CliRunner().invoke(app, ["decide"], input=lines)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2
