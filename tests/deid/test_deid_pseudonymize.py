"""Pseudonymization (R-PS-1, R-PS-2): keyed tokens, deletions, coding down, key file, rotation."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from deid_checker import read_rows
from typer.testing import CliRunner

from kojin.cli import app
from kojin.deid.choices import TokenAlgorithm
from kojin.deid.column_roles import RolesSpec, load_roles
from kojin.deid.pseudonym_tokens import PseudonymKey, open_key_ring, tokenize
from kojin.deid.pseudonymize import pseudonymize_table
from kojin.deid.results import published_items
from kojin.deid.service import pseudonymize_file, rekey_file
from kojin.deid.table_source import TableSource
from kojin.errors import ConfigurationError, InputError

# valid check digits (MIC Ord. 85/2014 Art. 5), generated for the tests, not real people's numbers
MY_NUMBERS = ["123456789018", "987654321018", "555555555557", "246813579021", "314159265352"]
CARDS = [
    "4111111111111111",
    "5555555555554444",
    "4012888888881881",
    "378282246310005",
    "6011111111111117",
]

runner = CliRunner()


def _table() -> pa.Table:
    return pa.table(
        {
            "customer_id": ["c1", "c2", "c3", "c1", "c5"],
            "name": ["Sato Hanako", "Suzuki Ichiro", "Tanaka Ken", "Sato Hanako", "Ito Yui"],
            "my_number": MY_NUMBERS,
            "card": CARDS,
            "age": ["34", "101", "45", "34", "17"],
            "job": ["clerk", "clerk", "astronaut", "clerk", "clerk"],
            "note": ["a", "b", "c", "d", "e"],
        }
    )


ROLES: dict[str, Any] = {
    "columns": {
        "customer_id": "direct_identifier",
        "name": "direct_identifier",
        "my_number": "identification_code",
        "card": "unauthorized_use_risk",
        "age": "quasi_identifier",
        "job": "other",
        "note": "sensitive",
    },
    "coding": {"age": {"top": 90, "bottom": 18}, "job": {"min_count": 2, "other": "other job"}},
}


def _key(
    algorithm: TokenAlgorithm = TokenAlgorithm.BLAKE2B, secret: bytes = b"k" * 32
) -> PseudonymKey:
    return PseudonymKey("k1", algorithm, secret, "2026-11-29T00:00:00+00:00")


def test_roles_are_applied_column_by_column() -> None:
    done = pseudonymize_table(table=_table(), roles=RolesSpec.model_validate(ROLES), key=_key())
    out = done.table
    assert out.column_names == ["customer_id", "name", "age", "job", "note"]  # R-PS-1(2), (3)
    ids = out.column("customer_id").to_pylist()
    assert ids[0] == ids[3]
    assert ids[0] != ids[1]
    assert all(len(t) == 32 and "c1" not in t for t in ids)
    assert out.column("age").to_pylist() == ["34", ">=90", "45", "34", "<18"]
    assert out.column("job").to_pylist() == ["clerk", "clerk", "other job", "clerk", "clerk"]
    lines = published_items_for(done.items)
    assert "my_number" not in " ".join(lines)
    assert "card" not in " ".join(lines)


def published_items_for(items: tuple[object, ...]) -> list[str]:
    from kojin.deid.results import ItemTreatment

    return [i.describe() for i in items if isinstance(i, ItemTreatment) and i.published]


@pytest.mark.parametrize("algorithm", list(TokenAlgorithm))
def test_tokens_are_keyed_hashes(algorithm: TokenAlgorithm) -> None:
    secret = bytes(range(32))
    tokens = tokenize(pa.array(["alice", "bob"]), key=_key(algorithm, secret)).to_pylist()
    if algorithm is TokenAlgorithm.HMAC_SHA256:
        want = hmac.new(secret, b"alice", "sha256").hexdigest()[:32]
    else:
        want = hashlib.blake2b(b"alice", key=secret, digest_size=16).hexdigest()
    assert tokens[0] == want
    other = tokenize(pa.array(["alice"]), key=_key(algorithm, bytes(32))).to_pylist()
    assert other[0] != tokens[0]
    assert hashlib.sha256(b"alice").hexdigest()[:32] != tokens[0]  # not an unsalted hash (R-PS-1)


def test_undeclared_my_number_column_is_refused_without_printing_it() -> None:
    roles = dict(ROLES)
    roles["columns"] = {**ROLES["columns"], "my_number": "other"}
    with pytest.raises(InputError) as caught:
        pseudonymize_table(table=_table(), roles=RolesSpec.model_validate(roles), key=_key())
    assert "'my_number'" in caught.value.message
    assert "row 1" in caught.value.message
    assert not any(number in caught.value.message for number in MY_NUMBERS)


def test_undeclared_card_column_is_refused() -> None:
    roles = dict(ROLES)
    roles["columns"] = {**ROLES["columns"], "card": "sensitive"}
    with pytest.raises(InputError, match="row 1: the value is a payment card number") as caught:
        pseudonymize_table(table=_table(), roles=RolesSpec.model_validate(roles), key=_key())
    assert not any(card in caught.value.message for card in CARDS)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"customer_id": "direct_identifier"}, "column 'name' has no role"),
        ({**ROLES["columns"], "zip": "other"}, "names column 'zip'"),
    ],
)
def test_roles_must_cover_the_table(columns: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        pseudonymize_table(
            table=_table(), roles=RolesSpec.model_validate({"columns": columns}), key=_key()
        )


def test_roles_file_errors_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text(yaml.safe_dump({"columns": {"a": "secret_sauce"}}))
    with pytest.raises(InputError, match=r"columns\.a"):
        load_roles(path)


def test_key_file_is_private_and_rotation_adds_a_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ring.json"
    ring = open_key_ring(path=path, algorithm=TokenAlgorithm.BLAKE2B)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        open_key_ring(path=path, algorithm=TokenAlgorithm.BLAKE2B).active.secret
        == ring.active.secret
    )
    rotated = open_key_ring(path=path, algorithm=TokenAlgorithm.HMAC_SHA256, rotate=True)
    assert rotated.current == "k2"
    assert [k.key_id for k in rotated.keys] == ["k1", "k2"]
    assert rotated.active.secret != ring.active.secret
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        open_key_ring(path=path, algorithm=TokenAlgorithm.BLAKE2B)


def _write_input(folder: Path) -> Path:
    source = folder / "in.csv"
    table = _table()
    lines = [",".join(table.column_names)]
    lines += [",".join(str(v) for v in row.values()) for row in table.to_pylist()]
    source.write_text("\n".join(lines) + "\n")
    return source


def test_file_run_keeps_deletion_info_apart(tmp_path: Path) -> None:
    data, secure = tmp_path / "data", tmp_path / "secure"
    data.mkdir()
    source = _write_input(data)
    spec = RolesSpec.model_validate(ROLES)
    first = pseudonymize_file(
        source=TableSource(str(source)),
        output=data / "out" / "pseudo.csv",
        roles=spec,
        key_file=secure / "keys.json",
        keep_mapping=True,
        purposes=["develop_services"],
    )
    info_path = Path(first.deletion_info)
    assert info_path.parent == secure / "deletion-info"
    assert stat.S_IMODE(info_path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(info_path.stat().st_mode) == 0o600
    info = orjson.loads(info_path.read_bytes())
    assert info["key_id"] == "k1"
    assert set(info["deleted"]) == {"my_number", "card"}
    assert not any(number in info_path.read_text() for number in MY_NUMBERS)
    mapping = pq.read_table(info_path.parent / info["mappings"]["customer_id"])
    released = read_rows(data / "out" / "pseudo.csv", delimiter=",")
    assert (
        dict(
            zip(
                mapping.column("token").to_pylist(),
                mapping.column("value").to_pylist(),
                strict=True,
            )
        )[released[0]["customer_id"]]
        == "c1"
    )
    assert first.purposes == ("develop_services",)
    assert "customer_id (replaced by a keyed pseudonym)" in published_items(first)
    # rotation re-tokenizes with a new key id recorded in the deletion info
    second = pseudonymize_file(
        source=TableSource(str(source)),
        output=data / "out" / "pseudo2.csv",
        roles=spec,
        key_file=secure / "keys.json",
        rotate=True,
    )
    assert second.key_id == "k2"
    assert orjson.loads(Path(second.deletion_info).read_bytes())["key_id"] == "k2"
    again = read_rows(data / "out" / "pseudo2.csv", delimiter=",")
    assert again[0]["customer_id"] != released[0]["customer_id"]


def test_key_file_beside_the_output_is_refused(tmp_path: Path) -> None:
    source = _write_input(tmp_path)
    with pytest.raises(InputError, match="kept apart"):
        pseudonymize_file(
            source=TableSource(str(source)),
            output=tmp_path / "out.csv",
            roles=RolesSpec.model_validate(ROLES),
            key_file=tmp_path / "keys.json",
        )
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "keys.json").exists()


def test_pseudonymize_command(tmp_path: Path) -> None:
    data, secure = tmp_path / "data", tmp_path / "secure"
    data.mkdir()
    source = _write_input(data)
    roles = data / "roles.yaml"
    roles.write_text(yaml.safe_dump({**ROLES, "key_file": str(secure / "keys.json")}))
    out = tmp_path / "release" / "p.parquet"
    result = runner.invoke(
        app, ["pseudonymize", str(source), "--roles", str(roles), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).column_names == ["customer_id", "name", "age", "job", "note"]
    summary = orjson.loads(result.stdout.strip().splitlines()[-1])
    assert summary["key_id"] == "k1"
    assert summary["items"]["my_number"] == "deleted"


def test_deletion_info_folder_open_to_others_is_refused(tmp_path: Path) -> None:
    data, shared = tmp_path / "data", tmp_path / "shared"
    data.mkdir()
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    source = _write_input(data)
    with pytest.raises(ConfigurationError, match="open to other users"):
        pseudonymize_file(
            source=TableSource(str(source)),
            output=data / "out" / "p.csv",
            roles=RolesSpec.model_validate(ROLES),
            key_file=tmp_path / "secure" / "keys.json",
            deletion_dir=shared,
        )
    assert not (data / "out" / "p.csv").exists()


def test_retokenize_with_kept_token_tables(tmp_path: Path) -> None:
    data, secure, release = tmp_path / "data", tmp_path / "secure", tmp_path / "release"
    data.mkdir()
    source = _write_input(data)
    first = pseudonymize_file(
        source=TableSource(str(source)),
        output=release / "p1.csv",
        roles=RolesSpec.model_validate(ROLES),
        key_file=secure / "keys.json",
        keep_mapping=True,
    )
    result = runner.invoke(
        app,
        [
            "pseudonymize",
            str(release / "p1.csv"),
            "--retokenize-from",
            first.deletion_info,
            "--output",
            str(release / "p2.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    old, new = (
        read_rows(release / "p1.csv", delimiter=","),
        read_rows(release / "p2.csv", delimiter=","),
    )
    summary = orjson.loads(result.stdout.strip().splitlines()[-1])
    assert summary["key_id"] == "k2"
    info = orjson.loads(Path(summary["deletion_info"]).read_bytes())
    assert info["rotated_from"] == "k1"
    # new tokens, same linkage, other columns untouched
    assert [r["customer_id"] for r in new] != [r["customer_id"] for r in old]
    assert new[0]["customer_id"] == new[3]["customer_id"]
    assert [r["age"] for r in new] == [r["age"] for r in old]
    # the same value tokenized afresh from the source with key k2 gives the same token
    ring = open_key_ring(path=secure / "keys.json", algorithm=TokenAlgorithm.BLAKE2B)
    assert tokenize(pa.array(["c1"]), key=ring.active).to_pylist()[0] == new[0]["customer_id"]


def test_retokenize_needs_kept_token_tables(tmp_path: Path) -> None:
    data, secure, release = tmp_path / "data", tmp_path / "secure", tmp_path / "release"
    data.mkdir()
    first = pseudonymize_file(
        source=TableSource(str(_write_input(data))),
        output=release / "p1.csv",
        roles=RolesSpec.model_validate(ROLES),
        key_file=secure / "keys.json",
    )

    with pytest.raises(InputError, match="no kept token table"):
        rekey_file(
            source=TableSource(str(release / "p1.csv")),
            deletion_info=Path(first.deletion_info),
            output=release / "p2.csv",
        )
    assert not (release / "p2.csv").exists()
