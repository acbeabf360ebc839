"""What ``kojin incidents`` shows and reads: Rich tables of incidents and one incident, due dates
with the days left, an incident's fields from a YAML or JSON file, and private draft files.

Errors name the file, the line or the field, never a value read from the file. Rich, PyYAML and
pydantic are imported inside the functions, so that ``kojin --help`` stays light.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from kojin.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from kojin.incidents.schemas import IncidentFields, IncidentSummary, IncidentView

TOKYO: Final = ZoneInfo("Asia/Tokyo")
#: files the command writes are readable by their owner alone
FILE_MODE: Final = 0o600
#: an unknown key of a fields file is shown only when it reads like one of kojin's field names
_KEY_SHOWN = re.compile(r"[a-z][a-z0-9_]{0,39}")
_MAX_FIELD_ERRORS = 10


def due_text(day: date | None, left: int | None, *, done_on: date | None = None) -> str:
    """``2026-12-04 (3 days left / あと3日)``, ``(due today / 本日期限)``, ``(2 days overdue /
    2日超過)``, ``reported 2026-12-02 / 報告済`` when the step is done, ``-`` without a clock."""
    if done_on is not None:
        return f"done {done_on.isoformat()} / 済"
    if day is None:
        return "-"
    if left is None:
        return day.isoformat()
    if left > 0:
        return f"{day.isoformat()} ({left} day{'s' if left != 1 else ''} left / あと{left}日)"
    if left == 0:
        return f"{day.isoformat()} (due today / 本日期限)"
    late = -left
    return f"{day.isoformat()} ({late} day{'s' if late != 1 else ''} overdue / {late}日超過)"


def yes_no(value: bool) -> str:
    return "yes / 要" if value else "no / 不要"


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def print_summaries(rows: list[IncidentSummary]) -> None:
    """The incident list as a table: reference, title, status, kind, must report, clocks."""
    from rich.table import Table

    table = Table(title=f"{len(rows)} incident(s) / インシデント {len(rows)}件")
    for header in (
        "reference / 参照番号",
        "title / 件名",
        "status / 状態",
        "kind / 種別",
        "must report / 報告要否",
        "preliminary / 速報",
        "final / 確報",
        "persons / 人数",
        "requests / 請求",
    ):
        table.add_column(header)
    for row in rows:
        table.add_row(
            row.reference,
            row.title,
            row.status.value,
            f"{row.kind.value} ({row.certainty.value})",
            yes_no(row.must_report),
            due_text(row.preliminary_by, row.days_left_preliminary),
            due_text(row.final_due, row.days_left_final),
            str(row.persons),
            str(row.request_count),
        )
    _console().print(table)


def _tokyo(moment: datetime) -> str:
    """A stored (UTC) moment as Tokyo time, to the minute."""
    return moment.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M JST")


def _field_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_field_text(item) for item in value) or "-"
    if hasattr(value, "department") and hasattr(value, "known_on"):
        return f"{value.department} {value.known_on.isoformat()}"
    return str(value)


def print_incident(view: IncidentView) -> None:
    """One incident: the assessment and its reasons, the clocks, the people's counts, the linked
    requests, the recorded fields and the history."""
    from rich.table import Table

    console = _console()
    assessment = view.assessment
    console.print(
        f"[bold]{view.reference}[/bold]  {view.fields.title or ''}  "
        f"({view.status.value}; id {view.id})"
    )
    clocks = Table(title="assessment and clocks / 判定と期限", show_header=False)
    clocks.add_column("item")
    clocks.add_column("value")
    clocks.add_row("must report / 報告義務", yes_no(assessment.must_report))
    clocks.add_row(
        "reportable / 報告対象",
        f"APPI {yes_no(assessment.reportable_appi)}; My Number {yes_no(assessment.reportable_mn)}",
    )
    clocks.add_row("notify the people / 本人通知", yes_no(assessment.notify_individuals))
    opens = "open / 請求可" if assessment.opens_article_35_5 else "no / なし"
    clocks.add_row("Art. 35(5) grounds / 利用停止等の請求", opens)
    clocks.add_row("known on / 覚知日", _field_text(view.known_on))
    clocks.add_row(
        "preliminary / 速報",
        due_text(
            assessment.preliminary_by,
            view.days_left_preliminary,
            done_on=view.preliminary_reported_on,
        ),
    )
    clocks.add_row(
        "final / 確報",
        due_text(assessment.final_due, view.days_left_final, done_on=view.final_reported_on),
    )
    clocks.add_row("people notified / 本人通知日", _field_text(view.people_notified_on))
    clocks.add_row("published / 公表日", _field_text(view.published_on))
    clocks.add_row("closed / 終結日", _field_text(view.closed_on))
    clocks.add_row(
        "people / 本人",
        f"{view.people_total} listed, {view.people_notified} notified, "
        f"{view.people_unreachable} unreachable",
    )
    clocks.add_row("linked requests / 関連請求", str(len(view.linked_requests)))
    console.print(clocks)
    if assessment.findings:
        reasons = Table(title="reasons / 判定理由")
        for header in ("rule", "citation / 根拠", "reason / 理由"):
            reasons.add_column(header)
        for finding in assessment.findings:
            reasons.add_row(finding.rule, finding.citation, f"{finding.en}\n{finding.ja}")
        console.print(reasons)
    if view.linked_requests:
        linked = Table(title="requests / 関連請求")
        for header in ("id", "kind", "state", "ground", "submitted"):
            linked.add_column(header)
        for request in view.linked_requests:
            linked.add_row(
                request.id,
                request.kind.value,
                request.state.value,
                request.stop_ground.value if request.stop_ground else "-",
                _tokyo(request.submitted_at),
            )
        console.print(linked)
    fields = Table(title="recorded facts / 記録事項", show_header=False)
    fields.add_column("field")
    fields.add_column("value", overflow="fold")
    for name in type(view.fields).model_fields:
        value = getattr(view.fields, name)
        if value is not None and value != []:  # what is not recorded yet is left out
            fields.add_row(name, _field_text(value))
    console.print(fields)
    history = Table(title="history / 履歴")
    for header in ("at", "actor", "action", "fields"):
        history.add_column(header)
    for event in view.history:
        history.add_row(
            _tokyo(event.at),
            event.actor,
            event.action,
            ", ".join(event.fields),
        )
    console.print(history)


# --- reading an incident's fields ----------------------------------------------------------------


def _parse(path: Path, text: str) -> object:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno})", field="file"
            ) from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise InputError(f"{path}: not valid YAML or JSON{where}", field="file") from None


def _location(loc: tuple[int | str, ...], kind: str) -> str:
    parts: list[str] = []
    for index, segment in enumerate(loc):
        if isinstance(segment, int):
            parts.append(str(segment))
        elif kind != "extra_forbidden" or index < len(loc) - 1 or _KEY_SHOWN.fullmatch(segment):
            parts.append(segment)
        else:
            parts.append("<key>")
    return ".".join(parts) or "file"


def read_fields(path: Path) -> IncidentFields:
    """The incident fields in `path` (YAML, or JSON when it ends in ``.json``): only the keys
    given are set. InputError names the file, the line or the fields, never a value."""
    from pydantic import ValidationError

    from kojin.incidents.schemas import IncidentFields

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text", field="file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})", field="file") from None
    data = _parse(path, text)
    if not isinstance(data, dict):
        raise InputError(f"{path}: must hold a mapping of incident fields", field="file")
    try:
        return IncidentFields.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{_location(tuple(error['loc']), error['type'])}: {error['msg']}"
            for error in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        more = len(problems) - _MAX_FIELD_ERRORS
        shown = "; ".join(problems[:_MAX_FIELD_ERRORS]) + (
            f" (and {more} more)" if more > 0 else ""
        )
        first = _location(tuple(exc.errors()[0]["loc"]), exc.errors()[0]["type"])
        raise InputError(f"{path}: {shown}", field=first) from None


# --- writing drafts ------------------------------------------------------------------------------


def write_private(path: Path, data: bytes, *, force: bool) -> None:
    """Write `data` to `path` readable by its owner alone (0600), through a temporary file in
    the same folder: whole or not at all. An existing file is replaced only with `force`
    (InputError otherwise, the file untouched)."""
    folder = path.parent
    if path.is_dir():
        raise InputError(f"{path} is a folder: name a file", field="out")
    if path.exists() and not force:
        raise InputError(
            f"{path} exists: choose another name, or replace it with --force", field="out"
        )
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise InputError(
            f"{folder}: cannot write a file there ({exc.strerror})", field="out"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise InputError(
                    f"{path} exists: choose another name, or replace it with --force", field="out"
                ) from None
            except OSError as exc:  # e.g. a file system without hard links
                raise InputError(
                    f"{folder}: cannot create the file there ({exc.strerror})", field="out"
                ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
