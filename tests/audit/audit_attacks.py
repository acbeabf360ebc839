"""What the audit tests share: the CLI run as a user runs it, and the changes an attacker who
can write to the database makes to the chain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, create_engine, delete, select, text, update
from typer.testing import CliRunner, Result

from kojin.audit import append_entry
from kojin.audit.canonical import entry_body, entry_hash
from kojin.audit.models import AuditEntry, AuditHead
from kojin.cli import app
from kojin.db.uow import Database

ENTRIES = cast(Table, AuditEntry.__table__)
HEAD = cast(Table, AuditHead.__table__)


def kojin(*args: str) -> Result:
    """Run ``kojin ARGS`` through the Typer app; a crash (not an exit) fails the test."""
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"kojin {' '.join(args)} raised {result.exception!r}"
    )
    assert "Traceback" not in result.output
    return result


def fill(database: Database, count: int, *, start: int = 0) -> None:
    """Append `count` entries (ids and counts only)."""
    with database.uow() as session:
        for n in range(start, start + count):
            append_entry(
                session=session,
                actor="cli:tester",
                action="test.event",
                object_type="thing",
                object_id=f"id-{n}",
                details={"n": n},
            )


def run_sql(db_url: str, statements: Sequence[str]) -> None:
    """Run raw SQL as someone with write access to the database would."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def truncate_tail(db_url: str, *, keep: int) -> None:
    """Delete the entries after `keep` and move the head back to it: a consistent chain."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(ENTRIES).where(ENTRIES.c.seq > keep))
            digest = conn.execute(select(ENTRIES.c.hash).where(ENTRIES.c.seq == keep)).scalar_one()
            conn.execute(update(HEAD).values(seq=keep, hash=digest))
    finally:
        engine.dispose()


def rewrite_after(db_url: str, *, seq: int) -> None:
    """Rewrite every entry after `seq` (another actor), recomputing each hash and the head."""
    database = Database.from_url(db_url)  # the registry's own types (UTC timestamps)
    try:
        with database.engine.begin() as conn:
            rows = conn.execute(select(ENTRIES).order_by(ENTRIES.c.seq)).mappings().all()
            prev = next(r["hash"] for r in rows if r["seq"] == seq)
            for row in rows:
                if row["seq"] <= seq:
                    continue
                body = entry_body(
                    seq=row["seq"],
                    ts=row["ts"],
                    actor="mallory",
                    action=row["action"],
                    object_type=row["object_type"],
                    object_id=row["object_id"],
                    details=row["details"],
                    prev_hash=prev,
                )
                prev = entry_hash(body)
                conn.execute(
                    update(ENTRIES)
                    .where(ENTRIES.c.seq == row["seq"])
                    .values(actor="mallory", prev_hash=body["prev_hash"], hash=prev)
                )
            conn.execute(update(HEAD).values(seq=rows[-1]["seq"], hash=prev))
    finally:
        database.dispose()
