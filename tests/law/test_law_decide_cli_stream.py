"""``kojin decide`` streams: JSON lines are read, decided and written a chunk at a time, so its
memory stays flat however large the input, and decisions come out while input is still read."""

from __future__ import annotations

import importlib
import io
import json
import os
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest
from typer.testing import CliRunner

from kojin.cli import app
from kojin.errors import RequestError
from kojin.law import DecisionRequest, Facts, decide
from kojin.policy import load_policy, to_facts

decide_module = importlib.import_module("kojin.cli.decide")

BODIES: list[dict[str, Any]] = [
    {"action": "use", "category": "customer", "purpose": "provide_services"},
    {
        "action": "provide",
        "category": "customer",
        "recipient": {"name": "US Analytics Inc", "country": "US"},
        "consent": {"given": True},
    },
    {"action": "store_abroad", "category": "customer", "recipient": {"country": "SG"}},
    {"action": "use", "category": "retired_employee", "purpose": "marketing"},
]
LINES = [json.dumps(body).encode() + b"\n" for body in BODIES]


def _generated(count: int) -> Iterator[bytes]:
    """`count` request lines, made as they are read (the input never exists whole)."""
    for n in range(count):
        yield LINES[n % len(LINES)]


class _Generated(io.RawIOBase):
    """A binary stream over a generator of byte strings."""

    def __init__(self, chunks: Iterator[bytes], on_read: Any = None) -> None:
        self._chunks = chunks
        self._left = b""
        self._on_read = on_read
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._left:
            if self._on_read is not None:
                self._on_read()
            self._left = next(self._chunks, b"")
            self.size += len(self._left)
        count = min(len(buffer), len(self._left))
        buffer[:count] = self._left[:count]
        self._left = self._left[count:]
        return count


class _CountingSink(io.RawIOBase):
    """Output that keeps only how many lines were written."""

    def __init__(self) -> None:
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.lines += bytes(data).count(b"\n")
        return len(data)


def _peak_while_deciding(count: int) -> tuple[int, int, int]:
    """(tracemalloc peak bytes, input bytes, decisions written) for `count` generated lines."""
    policy = to_facts(load_policy(None))
    source = _Generated(_generated(count))
    sink = _CountingSink()
    tracemalloc.start()
    try:
        written = decide_module.decide_stream(
            cast(BinaryIO, io.BufferedReader(source)), cast(BinaryIO, sink), policy
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == sink.lines == count
    return peak, source.size, written


def test_memory_stays_flat_however_long_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten times the lines, same peak: memory holds one block of input (16 kB here) and one chunk
    of requests (256), never the input (read at once, as before, it would peak above its own
    size)."""
    monkeypatch.setattr(decide_module, "CHUNK_LINES", 256)
    monkeypatch.setattr(decide_module, "MAX_LINE_BYTES", 32_768)
    monkeypatch.setattr(decide_module, "BLOCK_BYTES", 16_384)
    small, _, _ = _peak_while_deciding(2_500)
    large, size, _ = _peak_while_deciding(25_000)
    assert size > 2_000_000
    assert large < small * 1.25 + 200_000, (small, large)
    assert large < size / 2, (large, size)


def test_the_command_streams_in_constant_memory(tmp_path: Path) -> None:
    """The whole command as a process, fed from a generator through a pipe: the largest
    resident set with 150,000 lines (about 13 MB) is within a few MB of that with 15,000."""

    def peak_rss_kb(count: int) -> int:
        command = [sys.executable, "-c", "from kojin.cli import main; main()", "decide"]
        env = {**os.environ, "KOJIN_HOME": str(tmp_path)}
        with open(os.devnull, "wb") as devnull:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=devnull, stderr=subprocess.PIPE, env=env
            )
            assert process.stdin is not None

            def feed() -> None:
                assert process.stdin is not None
                for line in _generated(count):
                    process.stdin.write(line)
                process.stdin.close()

            feeder = threading.Thread(target=feed)
            feeder.start()
            _, status, usage = os.wait4(process.pid, 0)
            feeder.join()
            process.returncode = os.waitstatus_to_exitcode(status)
            assert process.stderr is not None
            assert process.returncode == 0, process.stderr.read()
            process.stderr.close()
        return int(usage.ru_maxrss)

    small = peak_rss_kb(15_000)
    large = peak_rss_kb(150_000)
    input_kb = sum(len(line) for line in _generated(150_000)) // 1024
    assert input_kb > 12_000
    assert large - small < 6_000, (small, large)


def test_decisions_are_written_while_input_is_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decide_module, "CHUNK_LINES", 3)
    monkeypatch.setattr(decide_module, "MAX_LINE_BYTES", 200)
    monkeypatch.setattr(decide_module, "BLOCK_BYTES", 100)
    out = io.BytesIO()
    written_at_read: list[int] = []
    source = _Generated(
        iter(LINES * 3), on_read=lambda: written_at_read.append(out.getvalue().count(b"\n"))
    )
    policy = to_facts(load_policy(None))
    reader = io.BufferedReader(source, buffer_size=1)  # one line per read of the source
    assert decide_module.decide_stream(cast(BinaryIO, reader), out, policy) == 12
    # the decisions of the first chunks are out before the last lines are read
    assert written_at_read[-1] >= 9
    expected = []
    for body in BODIES * 3:
        request = DecisionRequest.model_validate(body)
        expected.append(
            decide(request, policy, Facts.from_request(request)).model_dump(mode="json")
        )
    assert [json.loads(line) for line in out.getvalue().splitlines()] == expected


def test_a_line_beyond_the_limit_stops_the_stream_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(decide_module, "MAX_LINE_BYTES", 1_000)
    monkeypatch.setattr(decide_module, "BLOCK_BYTES", 100)
    long_line = b'{"action": "use", "category": "customer", "purpose": "' + b"p" * 2_000 + b'"}\n'
    out = io.BytesIO()
    with pytest.raises(RequestError, match=r"^line 3: longer than 1,000 bytes$"):
        decide_module.decide_stream(
            io.BytesIO(LINES[0] + LINES[1] + long_line + LINES[0]),
            out,
            to_facts(load_policy(None)),
        )
    assert out.getvalue().count(b"\n") == 2


def test_bytes_that_are_not_utf8_name_their_line() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["decide"], input=LINES[0] + LINES[1] + b"\xff\xfe\n")
    assert result.exit_code == 2
    assert "line 3: standard input is not UTF-8 text" in result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_a_request_spanning_lines_is_one_document() -> None:
    runner = CliRunner()
    pretty = json.dumps(BODIES[1], indent=2)
    result = runner.invoke(app, ["decide"], input="\n\n" + pretty + "\n\n")
    assert result.exit_code == 0, result.output
    request = DecisionRequest.model_validate(BODIES[1])
    expected = decide(request, to_facts(load_policy(None)), Facts.from_request(request))
    assert json.loads(result.stdout) == expected.model_dump(mode="json")


def test_a_file_argument_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b"".join(LINES) + b"\n" + b"".join(LINES))
    runner = CliRunner()
    from_file = runner.invoke(app, ["decide", str(path)])
    from_stdin = runner.invoke(app, ["decide", "-"], input=path.read_bytes())
    assert from_file.exit_code == from_stdin.exit_code == 0, from_file.output
    assert from_file.stdout == from_stdin.stdout
    assert len(from_file.stdout.splitlines()) == 2 * len(LINES)
    missing = runner.invoke(app, ["decide", str(tmp_path / "absent.jsonl")])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output
