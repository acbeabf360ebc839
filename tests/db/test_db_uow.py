"""The unit of work: writes commit at the end of the block; reads never wait for a writer."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from kojin.audit import append_entry
from kojin.audit.models import AuditEntry
from kojin.db.uow import Database


def _count(database: Database) -> int:
    with database.read() as session:
        return int(session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def test_reader_does_not_wait_for_an_open_writer(database: Database) -> None:
    writing = threading.Event()
    finish = threading.Event()

    def writer() -> None:
        with database.uow() as session:
            append_entry(session=session, actor="w", action="x", object_type="t", object_id="1")
            writing.set()
            finish.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        start = time.perf_counter()
        assert _count(database) == 0  # the open transaction is not visible yet
        assert time.perf_counter() - start < 2
    finally:
        finish.set()
        thread.join()
    assert _count(database) == 1  # visible once the block has exited
