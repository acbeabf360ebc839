"""The disclosure package in the form the person chose (Art. 33(1); R-RT-3).

Electronic: a ZIP holding ``disclosure.json`` (the whole record, machine-readable and portable),
one CSV per table (UTF-8 with a byte-order mark, so that Excel in Japan reads it as UTF-8), one
CSV per collection of the company's stores in which the person's rows were found
(``stores/<system>/<dataset>.<collection>.csv``, the field names as the header) and
``report.html`` (readable in the person's language, self-contained). The ZIP is deterministic:
fixed member order, every timestamp the record's own time, fixed permissions, so the same record
always gives the same bytes. Paper: the same report as a PDF for printing (Japanese fonts).

Every CSV goes through :func:`csv_bytes`: RFC 4180 (every cell quoted, CRLF line ends), and a
text cell that starts like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, tab, carriage
return) gets a leading apostrophe, so that opening the file never runs anything; numbers are
written as numbers. The JSON keeps every value exactly as stored.

The store tables of the report are laid out for print as well as for the screen: long tables
break across pages with their header repeated, and a table's font shrinks with its number of
columns, its columns get widths from their contents, and the widest go on landscape pages.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from kojin import countries
from kojin.errors import InputError
from kojin.policy.model_base import Lang
from kojin.requests.disclosure_labels import CODE_ALIASES, CODES, COLUMNS, KINDS, TEXTS
from kojin.requests.disclosure_record import (
    DisclosedStoreCollection,
    DisclosureRecord,
    StoreValue,
)
from kojin.requests.kinds import DisclosureMethod
from kojin.requests.package import Package
from kojin.requests.pdf import html_to_pdf
from kojin.requests.print_templates import TOKYO, format_datetime, render

#: the order of the tables, in the report and in the ZIP
SECTIONS: Final = ("subject", "purposes", "ledger_entries", "consents", "third_party_records")
ZIP_MEDIA_TYPE: Final = "application/zip"
PDF_MEDIA_TYPE: Final = "application/pdf"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
#: the layouts of tables too wide for a portrait page (see :func:`_size` and ``print.css``)
_LANDSCAPE: Final = frozenset({"cols-l", "cols-xl"})


@dataclass(frozen=True)
class Table:
    """One section as rows of text: for the CSV and for the report."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    #: said instead of an empty table (no records, or not asked for)
    note: str | None = None


Cell = Callable[[object, str], str]


def _cells(lang: Lang, *, for_csv: bool) -> Cell:
    """A function giving the text of a value of field `name` in `lang` (see :func:`tables`)."""
    texts, codes = TEXTS[lang], CODES[lang]
    empty = "" if for_csv else texts["empty"]

    def cell(value: object, name: str) -> str:
        if value is None:
            return empty
        if isinstance(value, bool):
            return texts["yes"] if value else texts["no"]
        if isinstance(value, datetime):
            return value.astimezone(TOKYO).isoformat() if for_csv else format_datetime(value, lang)
        if isinstance(value, list):
            return " / ".join(cell(v, name) for v in value)
        text = str(value)
        if name in ("country", "recipient_country", "storage_country") and countries.is_country(
            text
        ):
            return f"{countries.name(text, lang)} ({text})"
        return codes.get(CODE_ALIASES.get(name, name), {}).get(text, text)

    return cell


def tables(record: DisclosureRecord, *, for_csv: bool) -> list[Table]:
    """The record's sections as tables in the record's language.

    For CSV, an absent value is an empty cell and times are ISO 8601 in Tokyo time; for the
    report, an absent value is a dash and times are written out.
    """
    lang = record.lang
    texts, columns = TEXTS[lang], COLUMNS[lang]
    cell = _cells(lang, for_csv=for_csv)
    subject = record.subject
    fields = columns["subject_fields"]
    pairs: list[tuple[str, object]] = [
        ("id", subject.id),
        ("category", subject.category_title),
        ("registered_at", subject.registered_at),
        ("stop_use", subject.stop_use),
        ("stop_provision", subject.stop_provision),
        ("flags_updated_at", subject.flags_updated_at),
    ]
    if subject.identifiers is not None:
        pairs += [(name, value) for name, value in subject.identifiers if value is not None]
    result = [
        Table(
            key="subject",
            title=texts["subject"],
            headers=list(columns["subject"].values()),
            rows=[[fields[name], cell(value, name)] for name, value in pairs],
        )
    ]
    result.append(
        Table(
            key="purposes",
            title=texts["purposes"],
            headers=list(columns["purposes"].values()),
            rows=[[str(n), p.text] for n, p in enumerate(record.purposes, start=1)],
            note=None if record.purposes else texts["none"],
        )
    )
    sources: list[tuple[str, Sequence[object]]] = [
        ("ledger_entries", record.ledger_entries),
        ("consents", record.consents),
        ("third_party_records", record.third_party_records),
    ]
    for key, items in sources:
        names = list(columns[key])
        rows = [[cell(getattr(item, name), name) for name in names] for item in items]
        note = None if rows else texts["none"]
        if key == "third_party_records" and not record.third_party_records_included:
            note = texts["not_requested"]
        result.append(
            Table(
                key=key, title=texts[key], headers=list(columns[key].values()), rows=rows, note=note
            )
        )
    return result


def _safe(text: str) -> str:
    """`text` as a CSV cell that a spreadsheet shows and never evaluates."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_cell(value: StoreValue) -> str:
    """The text of a CSV cell: None is empty, booleans are ``true``/``false``, numbers are
    written as Python writes them (they cannot be formulas), text is guarded (:func:`_safe`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _safe(value)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[StoreValue]]) -> bytes:
    """A CSV file: UTF-8 with a byte-order mark, CRLF line ends, every cell quoted (RFC 4180),
    every cell through :func:`csv_cell`. The one writer of every CSV in a package."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def to_csv(table: Table) -> bytes:
    """A registry section as CSV (see :func:`csv_bytes`)."""
    return csv_bytes(table.headers, table.rows)


def _path_part(text: str) -> str:
    """`text` as one safe component of a path in the ZIP (data map keys already are)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text) or "_"


def store_files(record: DisclosureRecord) -> list[str]:
    """The ZIP member of each collection of `record.stores`, in order:
    ``stores/<system>/<dataset>.<collection>.csv`` (a repeated name gets a number)."""
    names: list[str] = []
    for found in record.stores:
        stem = (
            f"stores/{_path_part(found.system)}/"
            f"{_path_part(found.dataset)}.{_path_part(found.collection)}"
        )
        name, n = f"{stem}.csv", 1
        while name in names:
            n += 1
            name = f"{stem}-{n}.csv"
        names.append(name)
    return names


def store_csv(found: DisclosedStoreCollection) -> bytes:
    """One collection's rows as CSV: the field names as the header, a cell per column."""
    columns = found.columns()
    return csv_bytes(columns, ([row.get(name) for name in columns] for row in found.rows))


@dataclass(frozen=True)
class StoreCell:
    """One value of a store row as the report shows it."""

    text: str
    #: "text", "number" (aligned right) or "empty" (no value)
    kind: str


@dataclass(frozen=True)
class StoreTable:
    """One collection of the company's stores, as the report draws it."""

    title: str
    #: ``dataset.collection``
    address: str
    category_title: str | None
    #: "Records found: 3" in the record's language
    count_text: str
    #: the CSV in the ZIP with the same rows (electronic report only)
    file: str | None
    #: (field, description, kinds of personal data), when the map says anything about them
    legend: list[tuple[str, str, str]]
    headers: list[str]
    #: each column's share of the table's width, in per cent
    widths: list[float]
    rows: list[list[StoreCell]]
    #: the layout class for its number of columns (font size, page orientation)
    size: str


@dataclass(frozen=True)
class StoreSystem:
    """One system of the company and the collections in which the person's rows were found."""

    name: str
    tables: list[StoreTable]

    @property
    def landscape(self) -> bool:
        """Whether the system is printed on landscape pages: when one of its tables is wide
        (the whole system, so that its heading stays with its first table)."""
        return any(t.size in _LANDSCAPE for t in self.tables)


def _size(columns: int) -> str:
    """The layout of a table of `columns` columns (see ``print.css``)."""
    if columns <= 6:
        return "cols-s"
    if columns <= 9:
        return "cols-m"
    return "cols-l" if columns <= 14 else "cols-xl"


def _widths(headers: Sequence[str], rows: Sequence[Sequence[StoreCell]]) -> list[float]:
    """Column widths in per cent, by the longest text of each column (header included; long
    texts count as 40 characters, so that one long value does not starve the other columns)."""
    weights = [min(max(len(h), 4), 40) for h in headers]
    for row in rows:
        for n, cell in enumerate(row):
            weights[n] = max(weights[n], min(len(cell.text), 40))
    total = sum(weights) or 1
    return [round(100 * w / total, 2) for w in weights]


def _store_cell(value: StoreValue, lang: Lang) -> StoreCell:
    texts = TEXTS[lang]
    if value is None:
        return StoreCell(texts["empty"], "empty")
    if isinstance(value, bool):
        return StoreCell(texts["yes"] if value else texts["no"], "text")
    if isinstance(value, int | float):
        return StoreCell(str(value), "number")
    return StoreCell(value, "text")


def _store_table(found: DisclosedStoreCollection, file: str | None, lang: Lang) -> StoreTable:
    texts, kinds = TEXTS[lang], KINDS[lang]
    columns = found.columns()
    separator = "、" if lang == "ja" else ", "
    legend = [
        (f.name, f.description or "", separator.join(kinds.get(k, k) for k in f.kinds))
        for f in found.fields
    ]
    rows = [[_store_cell(row.get(name), lang) for name in columns] for row in found.rows]
    return StoreTable(
        title=found.description or found.collection,
        address=found.address,
        category_title=found.category_title,
        count_text=texts["store_rows"].format(count=len(found.rows)),
        file=file,
        legend=legend if any(d or k for _, d, k in legend) else [],
        headers=columns,
        widths=_widths(columns, rows),
        rows=rows,
        size=_size(len(columns)),
    )


def store_systems(record: DisclosureRecord, *, electronic: bool) -> list[StoreSystem]:
    """The record's store collections for the report, grouped by system in the order first
    met; the electronic report names each collection's CSV."""
    grouped: dict[str, StoreSystem] = {}
    for found, file in zip(record.stores, store_files(record), strict=True):
        system = grouped.setdefault(found.system, StoreSystem(name=found.system_name, tables=[]))
        system.tables.append(_store_table(found, file if electronic else None, record.lang))
    return list(grouped.values())


def render_report(record: DisclosureRecord, *, electronic: bool = True) -> str:
    """The readable report: one self-contained HTML page in the record's language; the
    electronic one says which files come with it. The company's stores get a section when
    they were searched: a part per system, a table per collection, or a sentence saying that
    nothing was found."""
    lang = record.lang
    texts = TEXTS[lang]
    intro = texts["intro"].format(organization=record.organization)
    if record.third_party_records_included:
        intro += texts["intro_third_party"] if lang == "ja" else " " + texts["intro_third_party"]
    files_note = None
    if electronic:
        files_note = texts["files_note"]
        if record.stores:
            files_note += ("" if lang == "ja" else " ") + texts["files_note_stores"]
    return render(
        "disclosure_report.html.j2",
        lang=lang,
        title=texts["title"],
        organization=record.organization,
        intro=intro,
        generated_label=texts["generated_at"],
        generated_at=format_datetime(record.generated_at, lang),
        tables=tables(record, for_csv=False),
        stores_searched=record.stores_searched or bool(record.stores),
        systems=store_systems(record, electronic=electronic),
        texts=texts,
        files_note=files_note,
    )


def _member(name: str, when: datetime) -> zipfile.ZipInfo:
    local = when.astimezone(TOKYO)
    stamp = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # Unix, so the permissions above are read as such
    return info


def _zip(record: DisclosureRecord) -> bytes:
    members: list[tuple[str, bytes]] = [
        ("disclosure.json", record.model_dump_json(indent=2).encode("utf-8") + b"\n")
    ]
    members += [(f"{t.key}.csv", to_csv(t)) for t in tables(record, for_csv=True)]
    members += [
        (name, store_csv(found))
        for found, name in zip(record.stores, store_files(record), strict=True)
    ]
    members.append(("report.html", render_report(record).encode("utf-8")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            archive.writestr(_member(name, record.generated_at), data)
    return out.getvalue()


def build_package(record: DisclosureRecord, *, method: DisclosureMethod, lang: Lang) -> Package:
    """The package for `method`: a ZIP (electronic) or a PDF (paper).

    `lang` must be the record's language (its texts were gathered in it); a record in another
    language is gathered again by the caller, not translated here.
    """
    if lang != record.lang:
        raise InputError("the record was gathered in another language", field="lang")
    stem = f"disclosure-{record.generated_at.astimezone(TOKYO):%Y%m%d}"
    if method is DisclosureMethod.ELECTRONIC:
        return Package(filename=f"{stem}.zip", media_type=ZIP_MEDIA_TYPE, content=_zip(record))
    return Package(
        filename=f"{stem}.pdf",
        media_type=PDF_MEDIA_TYPE,
        content=html_to_pdf(render_report(record, electronic=False)),
    )
