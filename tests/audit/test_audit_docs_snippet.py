"""The verification snippet published in docs/registry.md works on real exports, as written."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kojin.audit import append_entry, export_chain, verify_chain
from kojin.audit.checkpoints import write_checkpoint
from kojin.audit.signing import SigningKey, load_or_create_signing_key
from kojin.db.uow import Database

DOC = Path(__file__).resolve().parents[2] / "docs" / "registry.md"
MARKER = "<!-- audit-verify-snippet -->"


def _snippet() -> Callable[[str], tuple[Any, ...]]:
    text = DOC.read_text(encoding="utf-8")
    after = text.split(MARKER, 1)[1]
    match = re.match(r"\s*```python\n(.*?)```", after, re.DOTALL)
    assert match, "the snippet block must follow the marker"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), str(DOC), "exec"), namespace)
    verify = namespace["verify"]
    assert callable(verify)
    return verify  # type: ignore[no-any-return]


def _export(database: Database, path: Path) -> list[dict[str, Any]]:
    with database.uow() as session:
        for n in range(6):
            append_entry(
                session=session,
                actor="cli:auditor",
                action="test.event",
                object_type="thing",
                object_id=f"id-{n}",
                details={"n": n, "note": "日本語 ✓", "nested": {"b": [1, None, True], "a": "x"}},
            )
    with path.open("wb") as out, database.read() as session:
        assert export_chain(session=session, out=out) == 6
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, entries: list[dict[str, Any]]) -> None:
    lines = [json.dumps(e, ensure_ascii=False) for e in entries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_snippet_accepts_an_intact_export(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _export(database, path)
    with database.read() as session:
        head = verify_chain(session=session).head_hash
    assert _snippet()(str(path)) == (True, 6, head)


def _edit(entries: list[dict[str, Any]]) -> None:
    entries[2]["details"]["n"] = 99


def _delete(entries: list[dict[str, Any]]) -> None:
    del entries[2]


def _reorder(entries: list[dict[str, Any]]) -> None:
    entries[1], entries[2] = entries[2], entries[1]


def _insert(entries: list[dict[str, Any]]) -> None:
    entries.insert(2, dict(entries[2]))


@pytest.mark.parametrize(("tamper", "bad"), [(_edit, 3), (_delete, 3), (_reorder, 2), (_insert, 4)])
def test_snippet_detects_tampering(
    database: Database,
    tmp_path: Path,
    tamper: Callable[[list[dict[str, Any]]], None],
    bad: int,
) -> None:
    path = tmp_path / "audit.jsonl"
    entries = _export(database, path)
    tamper(entries)
    _write(path, entries)
    ok, number, reason = _snippet()(str(path))
    assert not ok
    assert number == bad
    assert reason


CHECKPOINT_MARKER = "<!-- audit-checkpoint-snippet -->"


def _checkpoint_snippet() -> Callable[[str, str, str], tuple[Any, ...]]:
    text = DOC.read_text(encoding="utf-8")
    after = text.split(CHECKPOINT_MARKER, 1)[1]
    match = re.match(r"\s*```python\n(.*?)```", after, re.DOTALL)
    assert match, "the snippet block must follow the marker"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), str(DOC), "exec"), namespace)
    check = namespace["check_checkpoints"]
    assert callable(check)
    return check  # type: ignore[no-any-return]


def _signed(database: Database, tmp_path: Path) -> tuple[Path, Path, SigningKey]:
    """Checkpoints at entries 0, 3 and 6, then an export of the 6 entries."""
    key = load_or_create_signing_key(tmp_path / "keys")
    checkpoints = tmp_path / "checkpoints.jsonl"
    write_checkpoint(database=database, key=key, path=checkpoints)
    for start in (0, 3):
        with database.uow() as session:
            for n in range(start, start + 3):
                append_entry(
                    session=session, actor="a", action="x", object_type="t", object_id=str(n)
                )
        write_checkpoint(database=database, key=key, path=checkpoints)
    export = tmp_path / "audit.jsonl"
    with export.open("wb") as out, database.read() as session:
        assert export_chain(session=session, out=out) == 6
    return export, checkpoints, key


def test_checkpoint_snippet_accepts_intact_files(database: Database, tmp_path: Path) -> None:
    export, checkpoints, key = _signed(database, tmp_path)
    check = _checkpoint_snippet()
    assert check(str(export), str(checkpoints), key.public.text + "\n") == (True, 3)


def test_checkpoint_snippet_finds_a_shortened_export(database: Database, tmp_path: Path) -> None:
    export, checkpoints, key = _signed(database, tmp_path)
    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    export.write_text("".join(lines[:-2]), encoding="utf-8")
    result = _checkpoint_snippet()(str(export), str(checkpoints), key.public.text)
    assert result == (False, 3, "beyond the end of the export")


def test_checkpoint_snippet_finds_a_rewritten_export(database: Database, tmp_path: Path) -> None:
    export, checkpoints, key = _signed(database, tmp_path)
    entries = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    entries[-1]["hash"] = "f" * 64
    _write(export, entries)
    result = _checkpoint_snippet()(str(export), str(checkpoints), key.public.text)
    assert result == (False, 3, "the chain differs from what was signed")


def test_checkpoint_snippet_finds_forgery_and_other_keys(
    database: Database, tmp_path: Path
) -> None:
    export, checkpoints, key = _signed(database, tmp_path)
    other = load_or_create_signing_key(tmp_path / "other-keys")
    check = _checkpoint_snippet()
    assert check(str(export), str(checkpoints), other.public.text) == (
        False,
        1,
        "signed by another key",
    )
    lines = [json.loads(line) for line in checkpoints.read_text(encoding="utf-8").splitlines()]
    lines[1]["seq"] = 2
    _write(checkpoints, lines)
    assert check(str(export), str(checkpoints), key.public.text) == (
        False,
        2,
        "signature does not verify",
    )
