"""Scanning text on every core: blocks of whole lines handed to worker processes.

A scan of text is bound by the processor: RE2 finds candidates at about 100 MB/s, and checking,
locating and masking each finding costs a few microseconds of Python. Blocks of a file are
independent (a finding never spans a line, and blocks are cut at line ends), so worker processes
scan them side by side. This process only locates the blocks (through a memory map: line ends and
the newlines before each block, so line numbers stay exact), and each worker reads its block
itself; what comes back is written in the order of the files.

Workers are forked from this process (Linux only): they inherit the compiled matcher instead of
compiling it again, and they are started before any other thread (the progress bar's) exists.
Elsewhere, with one processor, with an extra pass (NER) or for little text, the scan stays in this
process. Workers ignore Ctrl-C: this process stops them.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import Pool
from pathlib import Path
from types import TracebackType

from kojin.discovery.batches import KindInfo, TextFindings
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.text_scan import (
    BINARY_SNIFF_BYTES,
    NEWLINE,
    SNIFF_BYTES,
    TextBlock,
    block_codec,
    kind_info,
    scan_block,
)
from kojin.errors import InputError

#: Bytes per block handed to a worker: small enough that the last block does not leave the other
#: workers idle for long, large enough that handing it over costs little beside scanning it.
PARALLEL_CHUNK_SIZE = 2 << 20
#: Less text than this is scanned in this process: starting workers would cost more than it saves.
PARALLEL_MIN_BYTES = 2 * PARALLEL_CHUNK_SIZE
#: At most this many workers by default, however many processors there are.
MAX_DEFAULT_JOBS = 8


def default_jobs() -> int:
    """One worker per processor this process may run on, at most :data:`MAX_DEFAULT_JOBS`."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity (macOS, Windows)
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_DEFAULT_JOBS))


def can_fork() -> bool:
    """Whether workers can be forked here (Linux: they inherit the compiled matcher)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@dataclass(frozen=True, slots=True)
class _Range:
    """Where a block of a file lies: a worker reads it itself, so only this crosses the pipe."""

    path: str
    offset: int
    length: int
    first_line: int
    encoding: str  # the codec (see text_scan.block_codec)


def _ranges(path: Path, chunk_size: int, encoding: str | None) -> Iterator[_Range]:
    """The blocks of one text file as :func:`~kojin.discovery.text_scan.file_blocks` cuts them
    (about `chunk_size` bytes of whole lines), located through a memory map: this process finds
    line ends and counts newlines; the text itself is read by the worker. The encoding is
    `encoding`, or detected from the file's first bytes."""
    try:
        with path.open("rb") as stream:
            if os.fstat(stream.fileno()).st_size == 0:
                return
            with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
                if data.find(b"\0", 0, BINARY_SNIFF_BYTES) >= 0:  # binary
                    return
                codec, start = block_codec(data[:SNIFF_BYTES], encoding)  # start: after a BOM
                size, line = len(data), 1
                while start < size:
                    end = start + chunk_size
                    if end >= size:
                        end = size
                    elif data[end - 1] != NEWLINE:
                        cut = data.find(b"\n", end)
                        end = size if cut < 0 else cut + 1
                    yield _Range(str(path), start, end - start, line, codec)
                    line += data[start:end].count(b"\n")  # a copy: a map cannot count
                    start = end
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", field="path") from exc


# The worker's state, set once in each worker by `_start` (a worker scans for one scan only).
_matcher: Re2Matcher | None = None
_info: dict[str, KindInfo] = {}
_render_json = False


def _start(matcher: Re2Matcher, render_json: bool) -> None:
    global _matcher, _info, _render_json
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _matcher, _info, _render_json = matcher, kind_info(matcher), render_json


def _scan(where: _Range) -> tuple[TextFindings | None, str | None, int]:
    """The findings of one block, or None when it could not be read; the problem, if any (the
    block could not be read, or is not text in its encoding: then the findings are those of the
    lines before the bad byte); and the bytes of the file the block accounts for (a byte order
    mark before the first block included)."""
    assert _matcher is not None, "the worker was started without a matcher"
    done = where.length + (where.offset if where.first_line == 1 else 0)
    try:
        with open(where.path, "rb") as stream:
            raw = os.pread(stream.fileno(), where.length, where.offset)
    except OSError as exc:
        return None, f"cannot read {where.path}: {exc.strerror}", done
    block = TextBlock(where.path, raw, where.first_line, where.encoding, where.offset)
    found, problem = scan_block(block, matcher=_matcher, info=_info)
    return (found.with_json() if _render_json and found else found), problem, done


class TextWorkers:
    """Worker processes that scan the blocks of text files, for one scan; a context manager
    that stops them on leaving."""

    def __init__(self, matcher: Re2Matcher, *, jobs: int, render_json: bool = False) -> None:
        context = multiprocessing.get_context("fork")
        self.jobs = jobs
        self._pool: Pool = context.Pool(jobs, initializer=_start, initargs=(matcher, render_json))

    def __enter__(self) -> TextWorkers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def batches(
        self,
        paths: Iterable[Path],
        *,
        on_bytes: Callable[[int], None] | None = None,
        encoding: str | None = None,
    ) -> Iterator[TextFindings]:
        """The findings of the text files `paths`, in the order of the files and their lines
        (binary files, recognised by a NUL byte, have none), each read in `encoding` or the one
        detected from its first bytes. An unreadable file, or one that is not text in its
        encoding, raises :class:`~kojin.errors.InputError` after the findings before the problem
        (the same findings, byte for byte, as a scan in one process gives)."""
        ranges = (where for path in paths for where in _ranges(path, PARALLEL_CHUNK_SIZE, encoding))
        for found, problem, size in self._pool.imap(_scan, ranges):
            if found:
                yield found
            if problem is not None:
                raise InputError(problem, field="path" if found is None else "encoding")
            if on_bytes is not None:
                on_bytes(size)


def text_workers(
    matcher: Re2Matcher,
    *,
    text_bytes: int,
    jobs: int | None = None,
    extra: object | None = None,
    render_json: bool = False,
) -> TextWorkers | None:
    """Workers for a scan of `text_bytes` of text, or None when it is better done in this process
    (one job, little text, an extra pass, or no fork on this platform). `jobs` None: one per
    processor."""
    count = default_jobs() if jobs is None else jobs
    if count < 2 or text_bytes < PARALLEL_MIN_BYTES or extra is not None or not can_fork():
        return None
    return TextWorkers(matcher, jobs=count, render_json=render_json)
