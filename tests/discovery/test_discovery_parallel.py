"""Text scanned by worker processes: the same findings, in the same order, as in one process."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from kojin.discovery import parallel
from kojin.discovery.batches import TextFindings
from kojin.discovery.detector_catalogue import builtin_registry
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import TextLocation
from kojin.discovery.service import build_scanner, text_workers
from kojin.discovery.text_scan import text_file_batches
from kojin.errors import InputError

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="worker processes need fork")

LINES = [
    "本日は晴天なり。",
    "氏名：山田 太郎、メールはtaro@example.comまで。",
    "",
    "The quick brown fox. Call 03-1234-5678 today.",
    "マイナンバー １２３４ ５６７８ ９０１８ を提出",
    "カード番号 4111 1111 1111 1111 で決済、〒100-0005",
]


@pytest.fixture(scope="module")
def matcher() -> Re2Matcher:
    return Re2Matcher(builtin_registry())


def _rows(batches: Iterable[TextFindings]) -> list[dict[str, object]]:
    return [finding.as_dict() for batch in batches for finding in batch]


def _json(batches: Iterable[TextFindings]) -> str:
    return "".join(batch.json_lines() for batch in batches)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Three text files several blocks long (blocks made small), one of them Shift_JIS, and a
    binary file between them."""
    monkeypatch.setattr(parallel, "PARALLEL_CHUNK_SIZE", 700)
    text = "\n".join(LINES) + "\n"
    first = tmp_path / "a.txt"
    first.write_text(text * 40, encoding="utf-8")
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\x00\x01" + text.encode() * 3)
    sjis = tmp_path / "c.txt"
    sjis.write_bytes(("顧客メモ\n電話は090-1234-5678です\n" * 60).encode("cp932"))
    last = tmp_path / "d.txt"
    last.write_text(text * 25 + LINES[1], encoding="utf-8")  # no newline at the end
    return [first, binary, sjis, last]


def test_workers_find_what_one_process_finds(matcher: Re2Matcher, files: list[Path]) -> None:
    expected = [batch for path in files for batch in text_file_batches(path, matcher=matcher)]
    with parallel.TextWorkers(matcher, jobs=2, render_json=True) as workers:
        found = list(workers.batches(files))
    assert len(found) > len(expected)  # smaller blocks: the files were split between workers
    assert _rows(found) == _rows(expected)
    assert _json(found) == _json(expected)
    assert all(batch.rendered is not None for batch in found)
    last = [f.location for batch in found for f in batch if str(files[3]) in f.location.render()]
    assert isinstance(last[-1], TextLocation)
    assert last[-1].line == 25 * len(LINES) + 1


def test_progress_counts_every_text_byte(matcher: Re2Matcher, files: list[Path]) -> None:
    seen: list[int] = []
    with parallel.TextWorkers(matcher, jobs=2) as workers:
        list(workers.batches(files, on_bytes=seen.append))
    text_files = [files[0], files[2], files[3]]
    assert sum(seen) == sum(path.stat().st_size for path in text_files)


def test_an_unreadable_file_fails_after_the_findings_before_it(
    matcher: Re2Matcher, files: list[Path]
) -> None:
    missing = files[0].with_name("gone.txt")
    found: list[TextFindings] = []
    with parallel.TextWorkers(matcher, jobs=2) as workers, pytest.raises(InputError) as caught:
        found.extend(workers.batches([files[0], missing]))
    assert caught.value.field == "path"
    assert "gone.txt" in caught.value.message
    assert _rows(found) == _rows(text_file_batches(files[0], matcher=matcher))


def test_workers_start_only_when_they_help(tmp_path: Path) -> None:
    scanner = build_scanner()
    small = tmp_path / "small.txt"
    small.write_text("\n".join(LINES), encoding="utf-8")
    assert text_workers(scanner, files=[small], jobs=4) is None  # too little text
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * parallel.PARALLEL_MIN_BYTES)
    assert text_workers(scanner, files=[big], jobs=1) is None
    table = tmp_path / "big.csv"
    table.write_bytes(b"a\n" * parallel.PARALLEL_MIN_BYTES)
    assert text_workers(scanner, files=[table], jobs=4) is None  # tables are read by DuckDB
    with text_workers(scanner, files=[big], jobs=2) as workers:  # type: ignore[union-attr]
        assert workers.jobs == 2
    with pytest.raises(InputError) as caught:
        text_workers(scanner, files=[big], jobs=0)
    assert caught.value.field == "jobs"


def test_default_jobs_follow_the_processors() -> None:
    assert 1 <= parallel.default_jobs() <= parallel.MAX_DEFAULT_JOBS
