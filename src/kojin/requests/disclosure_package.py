"""The disclosure package in the form the person chose (Art. 33(1); R-RT-3).

Electronic: a ZIP holding ``disclosure.json`` (the whole record, machine-readable and portable),
one CSV per table (UTF-8 with a byte-order mark, so that Excel in Japan reads it as UTF-8) and
``report.html`` (readable in the person's language, self-contained). The ZIP is deterministic:
fixed member order, every timestamp the record's own time, fixed permissions, so the same record
always gives the same bytes. Paper: the same report as a PDF for printing (Japanese fonts).

A CSV cell that starts like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, tab, carriage
return) gets a leading apostrophe, so that opening the file never runs anything; the JSON keeps
every value exactly as stored.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from kojin import countries
from kojin.errors import InputError
from kojin.policy.model_base import Lang
from kojin.requests.disclosure_labels import CODE_ALIASES, CODES, COLUMNS, TEXTS
from kojin.requests.disclosure_record import DisclosureRecord
from kojin.requests.kinds import DisclosureMethod
from kojin.requests.package import Package
from kojin.requests.pdf import html_to_pdf
from kojin.requests.print_templates import TOKYO, format_datetime, render

#: the order of the tables, in the report and in the ZIP
SECTIONS: Final = ("subject", "purposes", "ledger_entries", "consents", "third_party_records")
ZIP_MEDIA_TYPE: Final = "application/zip"
PDF_MEDIA_TYPE: Final = "application/pdf"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


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


def to_csv(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark, CRLF line ends, every cell quoted."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([_safe(h) for h in table.headers])
    writer.writerows([[_safe(c) for c in row] for row in table.rows])
    return out.getvalue().encode("utf-8-sig")


def render_report(record: DisclosureRecord, *, electronic: bool = True) -> str:
    """The readable report: one self-contained HTML page in the record's language; the
    electronic one says which files come with it."""
    lang = record.lang
    texts = TEXTS[lang]
    intro = texts["intro"].format(organization=record.organization)
    if record.third_party_records_included:
        intro += texts["intro_third_party"] if lang == "ja" else " " + texts["intro_third_party"]
    return render(
        "disclosure_report.html.j2",
        lang=lang,
        title=texts["title"],
        organization=record.organization,
        intro=intro,
        generated_label=texts["generated_at"],
        generated_at=format_datetime(record.generated_at, lang),
        tables=tables(record, for_csv=False),
        files_note=texts["files_note"] if electronic else None,
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
