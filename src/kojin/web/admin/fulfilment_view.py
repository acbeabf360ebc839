"""What a request's staff page shows of its fulfilment in the company's systems.

The section is built from the request's latest job (:mod:`kojin.fulfilment.service`) and the
configured data map: the job's progress; while an erasure or a correction waits for approval,
its preview (every row to delete, every field to change with its value before and after, the
rows masked instead of deleted and the rows kept under a retention hold); once it is done, its
result. Staff handling the request see the person's values here, escaped by the templates;
nothing of them is logged.

:func:`held_statement` writes what an erasure kept, in the person's language, for the
explanation that reaches them when staff approve the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from sqlalchemy.orm import Session

from kojin.connectors.base import Scalar
from kojin.crypto.cipher import FieldCipher
from kojin.datamap.graph import edges
from kojin.datamap.load import load_datamap
from kojin.datamap.model import DataMap, LocalText
from kojin.errors import KojinError
from kojin.fulfilment.cessation import NotifyList
from kojin.fulfilment.job_schemas import JobKind, JobOut, JobState
from kojin.fulfilment.jobs import read_payload
from kojin.fulfilment.plans import CollectionPlan, HeldRows
from kojin.fulfilment.service import JOB_KINDS, job_result, latest_job
from kojin.fulfilment.work import APPLY_STAGE, FulfilmentResult, HeldCollection, WorkPayload
from kojin.policy.model_base import Lang
from kojin.requests.kinds import RequestKind
from kojin.requests.records import lang_of, load
from kojin.settings import Settings
from kojin.web.i18n import catalog, format_date

#: rows of one collection a preview shows; the rest are counted
PREVIEW_ROWS: Final = 200
#: rows of item changes a correction form starts with, adds at a time, and may have at most
CHANGE_ROWS: Final = 3
MAX_CHANGE_ROWS: Final = 30
#: what the ``done`` notice of the request page may say after a fulfilment post
DONE: Final = frozenset(
    {"fulfilment_start", "fulfilment_approve", "fulfilment_cancel", "fulfilment_retry"}
)


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One row of the correction form, as shown (blank) or as posted."""

    index: int
    target: str = ""
    value: str = ""
    delete: bool = False

    @property
    def blank(self) -> bool:
        return not (self.target or self.value or self.delete)


@dataclass(frozen=True, slots=True)
class DeletedRow:
    key: str
    #: the row's values in the order of the preview's columns (None: empty)
    cells: list[str | None]


@dataclass(frozen=True, slots=True)
class FieldChange:
    key: str
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class Held:
    """Rows kept under a retention hold, with the reason in the page's language."""

    count: int
    until: date
    reason: str
    citation: str | None
    address: str = ""


@dataclass(frozen=True, slots=True)
class CollectionPreview:
    """What one collection's task will write once staff approve."""

    system: str
    address: str
    columns: list[str]
    deletes: list[DeletedRow]
    deletes_total: int
    changes: list[FieldChange]
    changes_total: int
    masked: int
    held: list[Held]
    #: rows (deleted or changed) the preview leaves out
    hidden: int


@dataclass(frozen=True, slots=True)
class Count:
    """Rows of one collection: found (access), or planned and written (erasure, correction)."""

    system: str
    address: str
    rows: int
    written: int = 0


@dataclass(slots=True)
class FulfilmentSection:
    """Everything the section of the request page needs."""

    #: the request's kind is fulfilled in the company's stores
    applies: bool
    #: a data map is configured (KOJIN_DATAMAP_FILE)
    configured: bool = False
    #: the configured map could be read
    map_readable: bool = True
    job: JobOut | None = None
    kind: JobKind | None = None
    may_act: bool = False
    #: the request is under review (a job may be started, approved or retried)
    in_review: bool = False
    #: a job can be started now (the request is in review, no job or a cancelled one)
    can_start: bool = False
    targets: list[tuple[str, str]] = field(default_factory=list)
    rows: list[ChangeRow] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    preview: list[CollectionPreview] = field(default_factory=list)
    #: the figures of the locate task (collections searched, rows found, queries)
    result: FulfilmentResult | None = None
    counts: list[Count] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    notify: NotifyList | None = None
    done: str | None = None
    #: what is appended to the explanation when staff approve an erasure (person's language)
    statement: str | None = None
    #: a value of the page's own (its time), so that the refresh link is a new address
    refresh: str = ""

    @property
    def form_errors(self) -> dict[str, str]:
        """The errors tied to the start form's fields (a page-wide one is shown above)."""
        return {name: text for name, text in self.errors.items() if name != "_form"}

    @property
    def preview_limit(self) -> int:
        return PREVIEW_ROWS

    @property
    def max_rows(self) -> int:
        return MAX_CHANGE_ROWS

    @property
    def correction(self) -> bool:
        return self.kind is JobKind.CORRECTION

    @property
    def unfinished(self) -> bool:
        """The company's systems have not been handled for the request yet (no job done)."""
        return self.configured and (self.job is None or self.job.state is not JobState.DONE)

    @property
    def running(self) -> bool:
        """The job is still moving: a reload of the page shows its progress."""
        return self.job is not None and self.job.state in (JobState.QUEUED, JobState.RUNNING)


def blank_rows(count: int = CHANGE_ROWS, start: int = 1) -> list[ChangeRow]:
    """`count` empty rows of the correction form, numbered from `start`."""
    return [ChangeRow(index=i) for i in range(start, start + count)]


def read_datamap(settings: Settings) -> DataMap | None:
    """The configured data map, or None when none is configured or it cannot be read (the
    section says so; ``kojin datamap check`` names the errors)."""
    if settings.datamap_file is None:
        return None
    try:
        return load_datamap(settings.datamap_file)
    except (KojinError, OSError):
        return None


def target_options(datamap: DataMap, lang: Lang = "en") -> list[tuple[str, str]]:
    """The targets a correction may name: every field of a kind (``kind:<kind>``), then each
    field of the map (``dataset.collection.field``, with its description). Keys and fields that
    link collections are left out: the plan refuses to change them."""
    linked = {end.address for edge in edges(datamap) for end in (edge.source, edge.target)}
    fields: list[tuple[str, str]] = []
    kinds: dict[str, None] = {}
    for loc in datamap.locations():
        for item in loc.collection.fields:
            address = f"{loc.address}.{item.name}"
            if item.primary_key or address in linked:
                continue
            label = f"{address} — {item.description}" if item.description else address
            fields.append((address, label))
            kinds.update(dict.fromkeys(item.kinds))
    every = [
        (f"kind:{kind}", catalog().text(lang, "admin.fulfilment.start.every_kind", kind=kind))
        for kind in sorted(kinds)
    ]
    return every + fields


def local(text: LocalText | None, lang: Lang, fallback: str) -> str:
    if text is None:
        return fallback
    return text.ja if lang == "ja" else text.en


def system_names(datamap: DataMap | None, lang: Lang) -> dict[str, str]:
    """System names by key in `lang`; collection addresses map to their system's name too."""
    names: dict[str, str] = {}
    if datamap is None:
        return names
    for loc in datamap.locations():
        name = local(loc.system.name, lang, loc.system.key)
        names[loc.system.key] = name
        names[loc.address] = name
    return names


def shown(value: Scalar) -> str | None:
    """A store's value as text (None stays None: the page says "empty")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _key_text(columns: Sequence[str], key: Sequence[Scalar]) -> str:
    if len(columns) != len(key):
        return ", ".join(str(shown(part)) for part in key)
    return ", ".join(f"{name} {shown(part)}" for name, part in zip(columns, key, strict=True))


def _held(held: HeldRows | HeldCollection, lang: Lang, address: str = "") -> Held:
    return Held(
        count=held.count,
        until=held.until,
        reason=local(held.reason, lang, ""),
        citation=held.citation,
        address=address,
    )


def collection_preview(
    plan: CollectionPlan, work: WorkPayload, datamap: DataMap | None, lang: Lang
) -> CollectionPreview:
    """What `plan` writes in its collection, with the located rows of `work` for the rows it
    deletes (at most :data:`PREVIEW_ROWS` rows, deleted ones first; the rest are counted)."""
    loc = datamap.find(plan.dataset, plan.collection) if datamap is not None else None
    key_columns = list(loc.collection.primary_key) if loc is not None else []
    located = work.located.rows_in(plan.dataset, plan.collection) if work.located else []
    by_key = {tuple(shown(row.get(c)) for c in key_columns): row for row in located}
    columns = list(dict.fromkeys(name for row in located for name in row)) or key_columns
    deletes: list[DeletedRow] = []
    for key in plan.deletes[:PREVIEW_ROWS]:
        found = by_key.get(tuple(shown(part) for part in key))
        row = found if found is not None else dict(zip(key_columns, key, strict=False))
        deletes.append(
            DeletedRow(key=_key_text(key_columns, key), cells=[shown(row.get(c)) for c in columns])
        )
    shown_changes = plan.changes[: PREVIEW_ROWS - len(deletes)]
    changes = [
        FieldChange(
            key=_key_text(key_columns, change.key),
            field=name,
            before=shown(change.before.get(name)),
            after=shown(after),
        )
        for change in shown_changes
        for name, after in change.values.items()
    ]
    system = loc.system if loc is not None else None
    return CollectionPreview(
        system=local(system.name, lang, system.key) if system is not None else plan.system,
        address=plan.address,
        columns=columns,
        deletes=deletes,
        deletes_total=len(plan.deletes),
        changes=changes,
        changes_total=len(plan.changes),
        masked=plan.masked,
        held=[_held(held, lang) for held in plan.held],
        hidden=len(plan.deletes) - len(deletes) + len(plan.changes) - len(shown_changes),
    )


def _work(session: Session, cipher: FieldCipher, job: JobOut) -> WorkPayload | None:
    data = read_payload(session=session, cipher=cipher, job_id=job.id)
    return None if data is None else WorkPayload.model_validate_json(data)


def build_section(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    request_id: str,
    kind: RequestKind,
    in_review: bool,
    lang: Lang,
    person_lang: Lang,
    may_act: bool,
) -> FulfilmentSection:
    """The section for the request `request_id` of `kind`, in the page language `lang`
    (`person_lang`: the request's, for the statement of what an erasure kept)."""
    job_kind = JOB_KINDS.get(kind)
    if job_kind is None:
        return FulfilmentSection(applies=False)
    section = FulfilmentSection(applies=True, kind=job_kind, may_act=may_act, in_review=in_review)
    if settings.datamap_file is None:
        return section
    section.configured = True
    datamap = read_datamap(settings)
    section.map_readable = datamap is not None
    names = system_names(datamap, lang)
    job = latest_job(session=session, request_id=request_id)
    section.job = job
    section.can_start = (
        may_act
        and in_review
        and datamap is not None
        and (job is None or job.state is JobState.CANCELLED)
    )
    if section.can_start and job_kind is JobKind.CORRECTION and datamap is not None:
        section.targets = target_options(datamap, lang)
    if job is None:
        return section
    result = job_result(session=session, cipher=cipher, job_id=job.id)
    section.result = result
    if job.state is JobState.AWAITING_APPROVAL:
        work = _work(session, cipher, job)
        if work is not None and work.plan is not None:
            section.preview = [
                collection_preview(c, work, datamap, lang) for c in work.plan.collections
            ]
        return section
    if result is None or job.state is not JobState.DONE:
        return section
    if job.kind is JobKind.ACCESS:
        section.counts = [
            Count(system=names.get(c.system, c.system_name), address=c.address, rows=len(c.rows))
            for c in result.stores
        ]
    elif job.kind in (JobKind.ERASURE, JobKind.CORRECTION):
        section.counts = [
            Count(
                system=names.get(task.name, ""),
                address=task.name,
                rows=task.rows_planned,
                written=task.rows_written,
            )
            for task in job.tasks
            if task.stage == APPLY_STAGE
        ]
        section.held = [_held(h, lang, h.address) for h in result.held]
        if job.kind is JobKind.ERASURE:
            section.statement = held_statement(result.held, person_lang)
    else:
        section.notify = result.notify
        if result.notify is not None:
            for system in result.notify.systems:
                system.name = names.get(system.system, system.name)
    return section


def held_statement(held: Sequence[HeldCollection], lang: Lang) -> str | None:
    """What an erasure kept, for the person, in `lang`: one sentence per reason (the rows of
    every collection kept for the same reason and citation counted together, with the latest
    date they are kept until); None when nothing was kept."""
    merged: dict[tuple[str, str | None], tuple[int, date]] = {}
    for entry in held:
        key = (local(entry.reason, lang, ""), entry.citation)
        count, until = merged.get(key, (0, entry.until))
        merged[key] = (count + entry.count, max(until, entry.until))
    messages = catalog()
    lines = []
    for (reason, citation), (count, until) in merged.items():
        records = messages.text(
            lang,
            "admin.fulfilment.statement.records_one"
            if count == 1
            else "admin.fulfilment.statement.records_other",
            count=f"{count:,}",
        )
        lines.append(
            messages.text(
                lang,
                "admin.fulfilment.statement.cited"
                if citation
                else "admin.fulfilment.statement.uncited",
                reason=reason,
                citation=citation or "",
                records=records,
                until=format_date(until, lang),
            )
        )
    return "\n".join(lines) or None


def erasure_statement(*, session: Session, cipher: FieldCipher, request_id: str) -> str | None:
    """The statement of what the request's erasure kept, in the request's language: when the
    request is an erasure whose latest job is done and kept rows under a hold; else None."""
    row = load(session, request_id)
    if row.kind != RequestKind.ERASURE.value:
        return None
    job = latest_job(session=session, request_id=request_id)
    if job is None or job.kind is not JobKind.ERASURE or job.state is not JobState.DONE:
        return None
    result = job_result(session=session, cipher=cipher, job_id=job.id)
    return None if result is None else held_statement(result.held, lang_of(row))
