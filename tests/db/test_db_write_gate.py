"""The SQLite write gate: one holder at a time across open files (as across worker processes)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from kojin.db.write_gate import LOCK_SUFFIX, write_gate_for


def test_a_second_holder_waits_for_the_first(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'kojin.sqlite3').as_posix()}"
    first, second = write_gate_for(url, home=tmp_path), write_gate_for(url, home=tmp_path)
    assert first.path == tmp_path / f"kojin.sqlite3{LOCK_SUFFIX}"
    events: list[str] = []

    def contender() -> None:
        with second():
            events.append("second in")

    with first():
        thread = threading.Thread(target=contender)
        thread.start()
        time.sleep(0.2)
        events.append("first out")
    thread.join(timeout=5)
    assert events == ["first out", "second in"]
    first.close()
    second.close()


def test_a_server_database_gets_its_gate_in_the_home_folder(tmp_path: Path) -> None:
    gate = write_gate_for("postgresql+psycopg://postgres@127.0.0.1:5432/test", home=tmp_path)
    assert gate.path.parent == tmp_path
    with gate():
        assert gate.path.exists()
    gate.close()
