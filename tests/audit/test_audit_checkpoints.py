"""Signed checkpoints against someone who can write to the database but has not the signing key:
a tail cut off with the head moved back, a consistent rewrite of later entries, a forged
checkpoint line and a checkpoints file signed by another key are all detected."""

from __future__ import annotations

import base64
import json
import stat
import threading
from pathlib import Path

import pytest
from audit_attacks import fill, kojin, rewrite_after, truncate_tail
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from kojin.audit.canonical import canonical_json
from kojin.audit.checkpoints import FORMAT, read_checkpoints, write_checkpoint
from kojin.audit.signing import (
    PRIVATE_KEY_NAME,
    PUBLIC_KEY_NAME,
    PublicKey,
    SigningKey,
    load_or_create_signing_key,
)
from kojin.db.uow import Database
from kojin.errors import IntegrityError


def _keys(home: Path) -> Path:
    return home.parent / f"{home.name}-keys"


def _file(home: Path) -> Path:
    return home / "audit-checkpoints.jsonl"


def _checkpoint() -> None:
    done = kojin("audit", "checkpoint")
    assert done.exit_code == 0, done.output


def _verify_with(path: Path, *more: str) -> tuple[int, str, str]:
    done = kojin("audit", "verify", "--checkpoints", str(path), *more)
    return done.exit_code, done.stdout, done.stderr


def test_checkpoint_signs_the_head_with_a_key_kept_outside_the_data(
    home: Path, database: Database
) -> None:
    fill(database, 4)
    done = kojin("audit", "checkpoint")
    assert done.exit_code == 0, done.output
    keys = _keys(home)
    assert stat.S_IMODE((keys / PRIVATE_KEY_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    public = (keys / PUBLIC_KEY_NAME).read_text(encoding="ascii").strip()
    line = json.loads(_file(home).read_text(encoding="utf-8"))
    assert line["format"] == FORMAT
    assert line["seq"] == 4
    assert line["public_key"] == public
    assert f"entry 4, hash {line['hash']}" in done.stdout
    assert not list(home.glob("*.key")), "the private key must not live in the data folder"

    fill(database, 2, start=4)
    _checkpoint()
    code, out, err = _verify_with(_file(home))
    assert code == 0, err
    assert "audit chain intact: 6 entries" in out
    assert "2 checkpoint(s) hold, the newest at entry 6" in out
    # the key is made once and reused
    assert (keys / PUBLIC_KEY_NAME).read_text(encoding="ascii").strip() == public


def test_truncated_tail_with_head_moved_back(home: Path, database: Database, db_url: str) -> None:
    fill(database, 6)
    _checkpoint()
    truncate_tail(db_url, keep=4)

    assert kojin("audit", "verify").exit_code == 0  # the chain alone cannot tell
    code, _, err = _verify_with(_file(home))
    assert code == 1
    assert "checkpoint 6 (line 1) is beyond the chain's end (last entry 4)" in err


def test_consistent_rewrite_after_k_is_found_only_past_k(
    home: Path, database: Database, db_url: str, tmp_path: Path
) -> None:
    fill(database, 3)
    _checkpoint()  # at entry 3 = k
    up_to_k = tmp_path / "up-to-k.jsonl"
    up_to_k.write_bytes(_file(home).read_bytes())
    fill(database, 3, start=3)
    _checkpoint()  # at entry 6, past k
    rewrite_after(db_url, seq=3)

    assert kojin("audit", "verify").exit_code == 0  # consistent: every hash recomputed
    assert _verify_with(up_to_k)[0] == 0  # entries up to k are untouched
    code, _, err = _verify_with(_file(home))
    assert code == 1
    assert "entry 6 differs from checkpoint 6 (line 2)" in err


def test_kojin_refuses_to_sign_a_chain_that_contradicts_its_last_checkpoint(
    home: Path, database: Database, db_url: str
) -> None:
    fill(database, 5)
    _checkpoint()
    truncate_tail(db_url, keep=2)
    fill(database, 4, start=10)  # a new tail: the head moves past the checkpoint again
    before = _file(home).read_bytes()
    done = kojin("audit", "checkpoint")
    assert done.exit_code == 1
    assert "not signing" in done.stderr
    assert "checkpoint 5" in done.stderr
    assert _file(home).read_bytes() == before


def _forged_line(*, seq: int, head_hash: str, public: str, signer: Ed25519PrivateKey) -> str:
    body = {
        "format": FORMAT,
        "seq": seq,
        "hash": head_hash,
        "ts": "2026-12-01T00:00:00.000000Z",
        "key_id": PublicKey.from_text(public).key_id,
        "public_key": public,
    }
    signature = base64.b64encode(signer.sign(canonical_json(body))).decode("ascii")
    return json.dumps({**body, "signature": signature}) + "\n"


def test_forged_checkpoint_line_without_the_key(
    home: Path, database: Database, db_url: str
) -> None:
    fill(database, 6)
    _checkpoint()
    truncate_tail(db_url, keep=4)
    # the attacker replaces the checkpoint by one naming the shortened head, in the real key's
    # name, but can only sign it with a key of their own
    path = _file(home)
    real = json.loads(path.read_text(encoding="utf-8"))
    with database.read() as session:
        head_hash = session.execute(text("select hash from audit_head")).scalar_one()
    path.write_text(
        _forged_line(
            seq=4,
            head_hash=head_hash,
            public=real["public_key"],
            signer=Ed25519PrivateKey.generate(),
        ),
        encoding="utf-8",
    )
    code, _, err = _verify_with(path)
    assert code == 1
    assert "checkpoint 4 (line 1): its signature does not verify" in err


def test_altered_checkpoint_line_is_detected(home: Path, database: Database) -> None:
    fill(database, 3)
    _checkpoint()
    path = _file(home)
    line = json.loads(path.read_text(encoding="utf-8"))
    line["seq"] = 2
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    code, _, err = _verify_with(path)
    assert code == 1
    assert "checkpoint 2 (line 1): its signature does not verify" in err


def test_checkpoints_file_from_another_key(home: Path, database: Database, tmp_path: Path) -> None:
    fill(database, 3)
    _checkpoint()  # makes the real key
    other_dir = tmp_path / "mallory-keys"
    other = load_or_create_signing_key(other_dir)
    forged = tmp_path / "forged.jsonl"
    assert write_checkpoint(database=database, key=other, path=forged) is not None

    code, _, err = _verify_with(forged)  # trusted key: the keys folder's
    assert code == 1
    assert "checkpoint 3 (line 1) was signed by another key" in err
    # and the real file against the other key's public key
    code, _, err = _verify_with(_file(home), "--public-key", str(other_dir / PUBLIC_KEY_NAME))
    assert code == 1
    assert "was signed by another key" in err


def test_verify_with_an_auditors_copy_and_public_key(
    home: Path, database: Database, tmp_path: Path
) -> None:
    fill(database, 2)
    _checkpoint()
    copy = tmp_path / "auditor" / "checkpoints.jsonl"
    copy.parent.mkdir()
    copy.write_bytes(_file(home).read_bytes())
    public = tmp_path / "auditor" / "audit-signing.pub"
    public.write_bytes((_keys(home) / PUBLIC_KEY_NAME).read_bytes())
    code, out, err = _verify_with(copy, "--public-key", str(public))
    assert code == 0, err
    assert "1 checkpoint(s) hold" in out


def test_verify_without_any_key_asks_for_one(
    home: Path, database: Database, tmp_path: Path
) -> None:
    fill(database, 1)
    empty = tmp_path / "none.jsonl"
    empty.write_text("", encoding="utf-8")
    code, _, err = _verify_with(empty)
    assert code == 2
    assert "--public-key" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json\n", "checkpoint line 2 is not JSON"),
        (b'{"seq": "x"}\n', "checkpoint line 2 has no valid seq"),
        (b'{"seq": 3}\n', "checkpoint 3 (line 2) does not have the fields of a checkpoint"),
        (b"[1, 2]\n", "checkpoint line 2 has no valid seq"),
        (b"\xff\xfe\n", "checkpoint line 2 is not JSON"),
    ],
)
def test_malformed_checkpoint_lines_are_reported(
    home: Path, database: Database, tmp_path: Path, content: bytes, message: str
) -> None:
    fill(database, 3)
    _checkpoint()
    path = _file(home)
    path.write_bytes(path.read_bytes() + content)
    code, _, err = _verify_with(path)
    assert code == 1
    assert message in err


def test_checkpoints_on_an_empty_chain(home: Path, database: Database) -> None:
    _checkpoint()
    fill(database, 2)
    code, _, err = _verify_with(_file(home))
    assert code == 0, err


def test_concurrent_writers_never_interleave(database: Database, tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path / "keys")
    path = tmp_path / "checkpoints.jsonl"
    fill(database, 2)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(5):
                fill(database, 1, start=100 * n + i)
                write_checkpoint(database=database, key=key, path=path)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checkpoints = read_checkpoints(path, trusted=key.public)
    assert len(checkpoints) == 20
    assert [c.seq for c in checkpoints] == sorted(c.seq for c in checkpoints)
    assert max(c.seq for c in checkpoints) == 22


def test_signing_key_files_are_made_once_across_processes(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    made: list[SigningKey] = []

    def make() -> None:
        made.append(load_or_create_signing_key(keys))

    threads = [threading.Thread(target=make) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({key.public.text for key in made}) == 1
    assert sorted(p.name for p in keys.iterdir()) == [PRIVATE_KEY_NAME, PUBLIC_KEY_NAME]


def test_a_private_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    from kojin.errors import ConfigurationError

    keys = tmp_path / "keys"
    load_or_create_signing_key(keys)
    (keys / PRIVATE_KEY_NAME).chmod(0o644)
    with pytest.raises(ConfigurationError, match="0600"):
        load_or_create_signing_key(keys)


def test_read_checkpoints_refuses_disagreeing_checkpoints(
    database: Database, db_url: str, tmp_path: Path
) -> None:
    key = load_or_create_signing_key(tmp_path / "keys")
    fill(database, 3)
    first = tmp_path / "first.jsonl"
    write_checkpoint(database=database, key=key, path=first)
    rewrite_after(db_url, seq=1)
    second = tmp_path / "second.jsonl"
    write_checkpoint(database=database, key=key, path=second)
    both = tmp_path / "both.jsonl"
    both.write_bytes(first.read_bytes() + second.read_bytes())
    with pytest.raises(IntegrityError, match="sign different hashes for entry 3"):
        read_checkpoints(both, trusted=key.public)


def test_unusable_paths_are_one_line_errors(
    home: Path, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(database, 1)
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    done = kojin("audit", "checkpoint", "--file", str(blocker / "checkpoints.jsonl"))
    assert done.exit_code == 1
    assert "cannot open the checkpoints file" in done.stderr
    done = kojin("audit", "verify", "--checkpoints", str(tmp_path / "missing.jsonl"))
    assert done.exit_code == 2
    assert "cannot read the checkpoints file" in done.stderr
    monkeypatch.setenv("KOJIN_KEYS_DIR", str(blocker / "keys"))
    done = kojin("audit", "checkpoint")
    assert done.exit_code == 1
    assert "cannot use the audit signing key" in done.stderr
