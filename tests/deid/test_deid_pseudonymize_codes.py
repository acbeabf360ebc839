"""``kojin pseudonymize`` keeps no column in which any value is a My Number or a card number
(R-PS-1(2), R-PS-1(3)), however few such values there are and wherever they are."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from deid_data import pseudonymize_args, write_roles
from typer.testing import CliRunner

from kojin.cli import app
from kojin.deid.choices import TokenAlgorithm
from kojin.deid.column_roles import RolesSpec
from kojin.deid.pseudonym_tokens import PseudonymKey
from kojin.deid.pseudonymize import pseudonymize_table
from kojin.errors import InputError

runner = CliRunner()

ROWS = 2000
KEY = PseudonymKey("k1", TokenAlgorithm.BLAKE2B, b"k" * 32, "2026-12-01T00:00:00+00:00")


def _memo_table(value: str, row: int) -> pa.Table:
    """2,000 records whose memo is text, except `value` at the 1-based `row`."""
    memos = [f"called back, note {i}" for i in range(ROWS)]
    memos[row - 1] = value
    return pa.table({"member": [f"m{i}" for i in range(ROWS)], "memo": memos})


ROLES = RolesSpec.model_validate({"columns": {"member": "direct_identifier", "memo": "other"}})


@pytest.mark.parametrize(
    "value", ["123456789018", "1234-5678-9018", "1234 5678 9018", "１２３４５６７８９０１８"]
)
def test_one_my_number_among_many_other_values_is_refused(value: str) -> None:
    with pytest.raises(InputError) as caught:
        pseudonymize_table(table=_memo_table(value, 1500), roles=ROLES, key=KEY)
    message = caught.value.message
    assert caught.value.field == "memo"
    assert message.startswith(
        "column 'memo' (role other), row 1500: the value is an individual number (My Number)"
    )
    assert "identification_code" in message
    assert "5678" not in message
    assert "５６７８" not in message


@pytest.mark.parametrize("value", ["4111111111111111", "4111-1111-1111-1111", "378282246310005"])
def test_one_card_number_among_many_other_values_is_refused(value: str) -> None:
    with pytest.raises(InputError) as caught:
        pseudonymize_table(table=_memo_table(value, 700), roles=ROLES, key=KEY)
    message = caught.value.message
    assert message.startswith(
        "column 'memo' (role other), row 700: the value is a payment card number"
    )
    assert "unauthorized_use_risk" in message
    assert "1111" not in message
    assert "8282" not in message


@pytest.mark.parametrize(
    "value",
    [
        "123456789012",  # twelve digits, wrong check digit
        "4111111111111112",  # sixteen digits, Luhn fails
        "20261201123045",  # a timestamp: Luhn-valid or not, no card starts with 2
        "03-1234-5678",  # a telephone number
    ],
)
def test_numbers_that_are_neither_pass(value: str) -> None:
    done = pseudonymize_table(table=_memo_table(value, 3), roles=ROLES, key=KEY)
    assert done.table.column("memo")[2].as_py() == value


def test_the_command_refuses_before_a_key_or_an_output_exists(tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    lines = ["member,memo"] + [f"m{i},note {i}" for i in range(1, 1200)] + ["m1200,123456789018"]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roles = write_roles(tmp_path / "roles.yaml", {"member": "direct_identifier", "memo": "other"})
    keys, out = tmp_path / "secret", tmp_path / "out"
    result = runner.invoke(
        app,
        pseudonymize_args(source, roles=roles, output=out / "p.csv", key_file=keys / "k.json"),
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "kojin: error: column 'memo' (role other), row 1200: the value is an individual number "
        "(My Number), which a kept column may not hold (R-PS-1(2)); give the column the role "
        "identification_code so that it is deleted"
    ]
    assert not keys.exists()
    assert not out.exists()
