"""Signed checkpoints of the audit chain: the head's seq and hash, signed with an Ed25519 key
kept outside the database, one JSON line each, appended to a file an auditor can copy away.

A line holds ``format``, ``seq``, ``hash``, ``ts``, ``key_id``, ``public_key`` and
``signature``: the Ed25519 signature (base64) of the canonical JSON (the chain's own encoding,
see :mod:`kojin.audit.canonical`) of every other field. Someone who can write to the database
but has not the key cannot make a checkpoint, so a chain later cut short with its head moved
back, or rewritten consistently up to a checkpoint, no longer matches what was signed.

Appends hold an exclusive ``flock`` on the file and are fsync'd, so that processes writing at
the same time never interleave lines. A new checkpoint is signed only when the chain still
extends the file's last checkpoint (the entries since then are walked first): kojin never signs
a chain that contradicts what it signed before.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from kojin.audit.canonical import canonical_json, format_ts
from kojin.audit.models import GENESIS_HASH
from kojin.audit.signing import PublicKey, SigningKey
from kojin.audit.verify import Expected, walk_chain
from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.errors import ConfigurationError, InputError, IntegrityError
from kojin.settings import Settings

FORMAT = "kojin-audit-checkpoint/1"
CHECKPOINTS_NAME = "audit-checkpoints.jsonl"
_FIELDS = ("format", "seq", "hash", "ts", "key_id", "public_key", "signature")
_HEX = frozenset("0123456789abcdef")


def default_checkpoints_path(settings: Settings) -> Path:
    """Where checkpoints go unless told otherwise: ``<home>/audit-checkpoints.jsonl``."""
    return settings.home / CHECKPOINTS_NAME


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One signed checkpoint; `line` is its line number in the file it was read from (0 when
    it was just made)."""

    seq: int
    hash: str
    ts: str
    key_id: str
    public_key: str
    signature: str
    line: int = 0

    @property
    def label(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"checkpoint {self.seq}{where}"

    def signed_body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "ts": self.ts,
            "key_id": self.key_id,
            "public_key": self.public_key,
        }

    def to_line(self) -> bytes:
        return canonical_json({**self.signed_body(), "signature": self.signature}) + b"\n"


def sign_checkpoint(
    *, key: SigningKey, seq: int, head_hash: str, now: datetime | None = None
) -> Checkpoint:
    """A checkpoint of the entry `seq` with hash `head_hash`, signed now with `key`."""
    unsigned = Checkpoint(
        seq=seq,
        hash=head_hash,
        ts=format_ts(now or utcnow()),
        key_id=key.public.key_id,
        public_key=key.public.text,
        signature="",
    )
    signature = key.sign(canonical_json(unsigned.signed_body()))
    return Checkpoint(
        seq=seq,
        hash=head_hash,
        ts=unsigned.ts,
        key_id=unsigned.key_id,
        public_key=unsigned.public_key,
        signature=base64.b64encode(signature).decode("ascii"),
    )


def parse_checkpoint(raw: bytes, *, line: int, trusted: PublicKey) -> Checkpoint:
    """Parse one line and check its signature against `trusted`; IntegrityError naming the
    checkpoint's seq (or the line, when the seq cannot be read) otherwise."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise IntegrityError(f"checkpoint line {line} is not JSON") from None
    seq = data.get("seq") if isinstance(data, dict) else None
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise IntegrityError(f"checkpoint line {line} has no valid seq")
    name = f"checkpoint {seq} (line {line})"
    if set(data) != set(_FIELDS) or not all(
        isinstance(data[f], str) for f in _FIELDS if f != "seq"
    ):
        raise IntegrityError(f"{name} does not have the fields of a checkpoint")
    if data["format"] != FORMAT:
        raise IntegrityError(f"{name} is not in the format {FORMAT}")
    if len(data["hash"]) != 64 or not set(data["hash"]) <= _HEX:
        raise IntegrityError(f"{name} does not hold a SHA-256 hash")
    checkpoint = Checkpoint(
        seq=seq,
        hash=data["hash"],
        ts=data["ts"],
        key_id=data["key_id"],
        public_key=data["public_key"],
        signature=data["signature"],
        line=line,
    )
    if checkpoint.public_key != trusted.text or checkpoint.key_id != trusted.key_id:
        raise IntegrityError(
            f"{name} was signed by another key ({checkpoint.key_id}, expected {trusted.key_id})"
        )
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except (binascii.Error, ValueError):
        raise IntegrityError(f"{name}: its signature is not base64") from None
    if not trusted.verifies(signature, canonical_json(checkpoint.signed_body())):
        raise IntegrityError(f"{name}: its signature does not verify (forged or altered)")
    return checkpoint


def read_checkpoints(path: Path, *, trusted: PublicKey) -> list[Checkpoint]:
    """Every checkpoint in `path`, each signature checked against `trusted`; IntegrityError at
    the first line that does not hold, or when two checkpoints sign different hashes for the
    same seq."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise InputError(
            f"cannot read the checkpoints file {path} ({exc.strerror})", field="checkpoints"
        ) from None
    checkpoints: list[Checkpoint] = []
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            checkpoints.append(parse_checkpoint(raw, line=number, trusted=trusted))
    expected_hashes(checkpoints)
    return checkpoints


def expected_hashes(checkpoints: Iterable[Checkpoint]) -> dict[int, Expected]:
    """The hash each checkpointed seq must have; IntegrityError when two checkpoints disagree."""
    expected: dict[int, Expected] = {}
    for checkpoint in checkpoints:
        seen = expected.get(checkpoint.seq)
        if seen is not None and seen.hash != checkpoint.hash:
            raise IntegrityError(
                f"{checkpoint.label} and {seen.label} sign different hashes for entry "
                f"{checkpoint.seq}: the chain was rewritten between them"
            )
        if seen is None:
            expected[checkpoint.seq] = Expected(
                seq=checkpoint.seq, hash=checkpoint.hash, label=checkpoint.label
            )
    return expected


def write_checkpoint(
    *,
    database: Database,
    key: SigningKey,
    path: Path,
    only_if_moved: bool = False,
    now: datetime | None = None,
) -> Checkpoint | None:
    """Sign the chain head and append the checkpoint to `path` (created 0600 if missing).

    Under the file's lock: the file's last checkpoint is read (it must be signed by `key`),
    the entries since it are walked (all of them for a new file), and the head is signed only
    if the chain still extends that checkpoint (IntegrityError otherwise). With
    `only_if_moved`, nothing is written (None is returned) when the head is still the last
    checkpoint's.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot open the checkpoints file {path} ({exc.strerror})"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_checkpoint(fd, path=path, trusted=key.public)
        start_seq, start_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
        with database.read() as session:
            result = walk_chain(session=session, start_seq=start_seq, start_hash=start_hash)
        if not result.ok:
            where = f"since {last.label}" if last else "from its start"
            raise IntegrityError(
                f"not signing: the audit chain does not hold {where}: {result.reason}"
            )
        if only_if_moved and last is not None and result.head_seq == last.seq:
            return None
        checkpoint = sign_checkpoint(
            key=key, seq=result.head_seq, head_hash=result.head_hash or GENESIS_HASH, now=now
        )
        try:
            _append(fd, checkpoint.to_line())
        except OSError as exc:
            raise ConfigurationError(
                f"cannot write the checkpoints file {path} ({exc.strerror})"
            ) from None
        return checkpoint
    finally:
        os.close(fd)  # releases the lock


def _append(fd: int, line: bytes) -> None:
    written = 0
    while written < len(line):
        written += os.write(fd, line[written:])
    os.fsync(fd)


def _last_checkpoint(fd: int, *, path: Path, trusted: PublicKey) -> Checkpoint | None:
    raw, offset = _last_line(fd)
    if not raw.strip():
        return None
    try:
        return parse_checkpoint(raw, line=0, trusted=trusted)
    except IntegrityError:
        number = _count_newlines(fd, offset) + 1  # counted only to name the line
        try:
            parse_checkpoint(raw, line=number, trusted=trusted)
        except IntegrityError as exc:
            message = exc.message
        else:  # pragma: no cover - the same bytes fail the same way
            message = f"checkpoint line {number} does not hold"
        raise IntegrityError(
            f"not signing: the last checkpoint in {path} does not hold ({message}); "
            "start a new checkpoints file"
        ) from None


def _last_line(fd: int) -> tuple[bytes, int]:
    """The file's last non-empty line and the offset where it starts (read from the end)."""
    end = os.fstat(fd).st_size
    data, offset = b"", end
    while offset > 0:
        step = min(1 << 16, offset)
        offset -= step
        data = os.pread(fd, step, offset) + data
        if b"\n" in data.rstrip(b"\n"):
            break
    body = data.rstrip(b"\n")
    cut = body.rfind(b"\n") + 1
    return body[cut:], offset + cut


def _count_newlines(fd: int, upto: int) -> int:
    count, position = 0, 0
    while position < upto:
        block = os.pread(fd, min(1 << 20, upto - position), position)
        if not block:
            break
        count += block.count(b"\n")
        position += len(block)
    return count


def checkpoints_summary(checkpoints: Sequence[Checkpoint]) -> str:
    """``N checkpoint(s), newest at entry S`` for messages."""
    if not checkpoints:
        return "no checkpoints"
    newest = max(c.seq for c in checkpoints)
    return f"{len(checkpoints)} checkpoint(s) hold, the newest at entry {newest}"
