"""The number guard as a pytest plugin: a test fails when a My Number shows where it must not.

Loaded for every run by ``tests/conftest.py`` (``pytest_plugins``). While a test runs (setup,
call and teardown), every log record, HTTP response and CLI output is inspected (see
:mod:`number_guard.logs`, :mod:`number_guard.responses`, :mod:`number_guard.commands`), and
so is what the test printed and left for pytest to capture. A phase with findings gets a failed
report whose message says where each number appeared, masked; the report's captured sections
are redacted so the terminal does not show the number either. Findings outside any test fail
the session.

A test whose harness echoes its own input (never kojin's output) may be exempted, narrowly:
``@pytest.mark.number_guard_exempt(reason="...", channel="output", where="regex")``. An
exemption that exempted nothing in a passing test fails it, so exemptions do not outlive the
echo they were written for.

Run without the guard (to measure its cost, say) with ``-p no:number_guard.plugin``.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import pytest

from number_guard import commands, logs, responses, sink
from number_guard.detect import redact

MARKER = "number_guard_exempt"
MARKER_HELP = (
    f"{MARKER}(reason, channel=None, where=None): the number guard lets this test's own input, "
    "echoed by the test harness, through (channel: log|http|cli|output|process; where: a "
    "regular expression searched in the place the guard names)"
)
CHANNELS = frozenset({"log", "http", "cli", "output", "process"})
_GUARD = pytest.StashKey[sink.Guard]()
_USED = pytest.StashKey[set[int]]()
_EXEMPTIONS = pytest.StashKey[list["Exemption"]]()
_installed = 0


@dataclass(frozen=True)
class Exemption:
    reason: str
    channel: str | None
    where: re.Pattern[str] | None

    def covers(self, finding: sink.Finding) -> bool:
        if self.channel is not None and finding.channel != self.channel:
            return False
        return self.where is None or self.where.search(finding.where) is not None


def _exemptions(item: pytest.Item) -> list[Exemption]:
    exemptions = []
    for mark in item.iter_markers(MARKER):
        reason = mark.kwargs.get("reason", mark.args[0] if mark.args else "")
        channel = mark.kwargs.get("channel")
        where = mark.kwargs.get("where")
        if not isinstance(reason, str) or not reason.strip():
            pytest.fail(f"number guard: {MARKER} needs a reason", pytrace=False)
        if channel is not None and channel not in CHANNELS:
            pytest.fail(f"number guard: {MARKER} channel must be one of {CHANNELS}", pytrace=False)
        pattern = re.compile(where) if isinstance(where, str) else None
        exemptions.append(Exemption(reason=reason, channel=channel, where=pattern))
    return exemptions


@pytest.hookimpl(trylast=True)  # after tests/conftest.py, which registers the marker
def pytest_configure(config: pytest.Config) -> None:
    global _installed
    if not any(line.startswith(f"{MARKER}(") for line in config.getini("markers")):
        config.addinivalue_line("markers", MARKER_HELP)
    _installed += 1
    if _installed == 1:
        logs.install()
        responses.install()
        commands.install()
    guard = sink.Guard()
    config.stash[_GUARD] = guard
    sink.push(guard)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _installed
    guard = config.stash.get(_GUARD, None)
    if guard is None:
        return
    sink.pop(guard)
    del config.stash[_GUARD]
    _installed -= 1
    if _installed == 0:
        commands.uninstall()
        responses.uninstall()
        logs.uninstall()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    guard = item.config.stash[_GUARD]
    guard.test = sink.Collector(item.nodeid)
    item.stash[_USED] = set()
    item.stash[_EXEMPTIONS] = []
    try:
        return (yield)
    finally:
        guard.test = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_EXEMPTIONS] = _exemptions(item)


def _message(during: str, findings: Sequence[sink.Finding], dropped: int) -> str:
    lines = [
        f"number guard: a valid individual number (My Number) was shown {during}, outside the "
        "vault's authorized responses (numbers masked):"
    ]
    lines += [f"  - {finding.describe()}" for finding in findings]
    if dropped:
        lines.append(f"  - and {dropped} more places")
    lines.append(
        "Only a response carrying 'Kojin-Contains-My-Number: authorized' may hold a number. If "
        f"the number is this test's own input echoed by the harness, see the {MARKER} marker."
    )
    return "\n".join(lines)


def _fail(report: pytest.TestReport, message: str) -> None:
    report.sections = [(title, redact(content)) for title, content in report.sections]
    if report.failed:
        if report.longrepr is not None:
            report.longrepr = redact(str(report.longrepr))
        report.sections.append(("number guard", message))
        return
    report.outcome = "failed"
    report.longrepr = message
    if hasattr(report, "wasxfail"):
        del report.wasxfail


def _exempt(item: pytest.Item, findings: list[sink.Finding]) -> list[sink.Finding]:
    exemptions = item.stash[_EXEMPTIONS]
    if not exemptions:
        return findings
    kept = []
    for finding in findings:
        covering = [i for i, exemption in enumerate(exemptions) if exemption.covers(finding)]
        item.stash[_USED].update(covering)
        if not covering:
            kept.append(finding)
    return kept


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    guard = item.config.stash.get(_GUARD, None)
    if guard is None or guard.test is None:
        return report
    for title, content in report.sections:
        if title in (f"Captured stdout {call.when}", f"Captured stderr {call.when}"):
            sink.inspect("output", f"{title.lower()} (printed, left to pytest)", content)
    collector = guard.test
    findings, dropped = _exempt(item, collector.drain()), collector.dropped
    collector.dropped = 0
    if findings:
        _fail(report, _message(f"during {call.when}", findings, dropped))
    elif call.when == "call" and report.passed:
        exemptions = item.stash[_EXEMPTIONS]
        unused = [e for i, e in enumerate(exemptions) if i not in item.stash[_USED]]
        if unused:
            report.outcome = "failed"
            report.longrepr = (
                f"number guard: {MARKER} exempted nothing ({unused[0].reason!r}); remove it or "
                "narrow it to what the test echoes"
            )
    return report


_SESSION_MESSAGE = pytest.StashKey[str]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    guard = session.config.stash.get(_GUARD, None)
    findings = guard.session.drain() if guard is not None else []
    if findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        session.config.stash[_SESSION_MESSAGE] = _message("outside any test", findings, 0)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    message = terminalreporter.config.stash.get(_SESSION_MESSAGE, None)
    if message is not None:
        terminalreporter.write_sep("=", "number guard", red=True)
        terminalreporter.write_line(message)
