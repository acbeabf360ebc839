"""The incident form: reading what was posted into :class:`~kojin.incidents.schemas.IncidentFields`,
and writing an incident's fields back into the form.

One form serves recording and editing. What the browser posts is kept as it was typed
(:class:`Posted`) so that the page can show it again after an error; :func:`parse` turns it into
typed values and the errors of the form's own checks (a date that is not one, a count that is
not a number, a department without the day it learned). The service checks everything again
and names the field of anything it refuses; :func:`form_key` finds that field in the form.

Departments are rows of two fields (``knowledge_<n>_department``, ``knowledge_<n>_known_on``):
the form always offers a few empty rows, so a department is added without any script. Lists
(data items, systems, entrustees, people in charge) are one entry per line. An unchecked box
sends nothing, so on an edit every box the form shows counts as unchecked when it is absent;
only the fields whose value changed are sent to the service (:func:`changed_fields`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from pydantic import ValidationError

from kojin.incidents.schemas import IncidentFields, KnowledgeInput
from kojin.law.breach_vocabulary import BreachRole, Certainty, IncidentKind
from kojin.law.check_digits import holds_my_number

#: one-line texts
LINE_FIELDS: Final = ("title", "counterpart", "data_medium", "subjects_kind", "discoverer")
#: free texts (Rule 8(1) items and the encryption exemption's justification)
NARRATIVE_FIELDS: Final = (
    "summary",
    "cause",
    "caused_by",
    "actions_taken",
    "secondary_damage",
    "response_to_persons",
    "publication",
    "recurrence_prevention",
    "other",
    "encryption_justification",
)
#: lists written one entry per line
LIST_FIELDS: Final = ("entrustees", "data_items", "systems", "people_in_charge")
DATE_FIELDS: Final = ("occurred_on", "entruster_notified_on", "entrustee_notice_received_on")
COUNT_FIELDS: Final = ("persons", "persons_upper")
#: the facts the law's categories turn on (checkboxes, each with its explanation)
FACT_FIELDS: Final = (
    "special_care",
    "property_damage_risk",
    "wrongful_purpose",
    "acquisition_stage",
    "my_number",
    "number_systems",
    "unspecified_exposure",
    "retrieved_unseen",
    "intact_copy_exists",
)
BOOL_FIELDS: Final = (*FACT_FIELDS, "encrypted")
CHOICES: Final[dict[str, Any]] = {
    "kind": IncidentKind,
    "certainty": Certainty,
    "role": BreachRole,
}
#: every field of IncidentFields the form holds, in the form's order
ALL_FIELDS: Final = (
    "title",
    "kind",
    "certainty",
    "role",
    "counterpart",
    "entruster_notified_on",
    "entrustee_notice_received_on",
    "occurred_on",
    "knowledge",
    "data_items",
    "ledger_rows",
    "data_medium",
    "subjects_kind",
    "persons",
    "persons_upper",
    *BOOL_FIELDS,
    "systems",
    "entrustees",
    "discoverer",
    *NARRATIVE_FIELDS,
    "people_in_charge",
)
#: empty department rows the form offers beyond the filled ones, and the most rows it reads
SPARE_ROWS: Final = 3
MAX_ROWS: Final = 30
#: the longest list a line field may hold (the service bounds each entry)
MAX_LINES: Final = 100
_NUMBER: Final = re.compile(r"[0-9]+")


@dataclass
class Posted:
    """The form as typed: texts, the chosen boxes and ledger rows, the department rows."""

    texts: dict[str, str] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    ledger_rows: list[str] = field(default_factory=list)
    knowledge: list[tuple[str, str]] = field(default_factory=list)
    #: the text fields emptied because they held an individual number
    scrubbed: set[str] = field(default_factory=set)

    def text(self, name: str) -> str:
        return self.texts.get(name, "")

    def rows(self) -> list[tuple[int, str, str]]:
        """The department rows to show: the typed ones, then empty ones (numbered from 1)."""
        filled = [row for row in self.knowledge if row[0] or row[1]]
        shown = [*filled, *[("", "")] * SPARE_ROWS]
        return [(n, department, known) for n, (department, known) in enumerate(shown, start=1)]


def blank() -> Posted:
    """The form of a new incident: a suspected incident of the company's own data."""
    return Posted(texts={"certainty": Certainty.SUSPECTED.value, "role": BreachRole.OPERATOR.value})


def _lines(values: list[str] | None) -> str:
    return "\n".join(values or [])


def posted_from(fields: IncidentFields) -> Posted:
    """The form filled with an incident's fields (the edit form)."""
    texts: dict[str, str] = {}
    for name in (*LINE_FIELDS, *NARRATIVE_FIELDS):
        texts[name] = getattr(fields, name) or ""
    for name in LIST_FIELDS:
        texts[name] = _lines(getattr(fields, name))
    for name in DATE_FIELDS:
        day = getattr(fields, name)
        texts[name] = day.isoformat() if day else ""
    for name in COUNT_FIELDS:
        count = getattr(fields, name)
        texts[name] = "" if count is None else str(count)
    for name in CHOICES:
        chosen = getattr(fields, name)
        texts[name] = "" if chosen is None else str(chosen)
    return Posted(
        texts=texts,
        checked={name for name in BOOL_FIELDS if getattr(fields, name)},
        ledger_rows=list(fields.ledger_rows or []),
        knowledge=[(k.department, k.known_on.isoformat()) for k in fields.knowledge or []],
    )


def scrub(values: dict[str, str]) -> set[str]:
    """Empty every value of `values` that holds an individual number (My Number), so that a
    form sent back after an error never shows one; returns the names emptied."""
    emptied = {name for name, value in values.items() if value and holds_my_number(value)}
    for name in emptied:
        values[name] = ""
    return emptied


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def read_posted(form: Any) -> Posted:
    """What the browser posted (a Starlette form), texts stripped."""
    texts = {name: _text(form, name) for name in (*LINE_FIELDS, *NARRATIVE_FIELDS, *LIST_FIELDS)}
    texts.update({name: _text(form, name) for name in (*DATE_FIELDS, *COUNT_FIELDS, *CHOICES)})
    scrubbed = scrub(texts)
    knowledge = []
    for n in range(1, MAX_ROWS + 1):
        department = _text(form, f"knowledge_{n}_department")
        known_on = _text(form, f"knowledge_{n}_known_on")
        if holds_my_number(department):
            department = ""  # the row then asks for the department again
        if department or known_on:
            knowledge.append((department, known_on))
    ledger = [v for v in form.getlist("ledger_rows") if isinstance(v, str) and v.strip()]
    return Posted(
        texts=texts,
        checked={name for name in BOOL_FIELDS if _text(form, name) == "1"},
        ledger_rows=[v.strip() for v in ledger][:MAX_LINES],
        knowledge=knowledge,
        scrubbed=scrubbed,
    )


def _date(value: str) -> date | None:
    """A day typed as YYYY-MM-DD (ValueError for anything else; None when empty)."""
    if not value:
        return None
    return date.fromisoformat(unicodedata.normalize("NFKC", value))


def _count(value: str) -> int | None:
    """A count, full-width digits, thousands separators and spaces allowed (ValueError for
    anything else; None when empty)."""
    if not value:
        return None
    digits = re.sub(r"[,\s]", "", unicodedata.normalize("NFKC", value))
    if not _NUMBER.fullmatch(digits):
        raise ValueError("not a count")
    return int(digits)


def _split(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


@dataclass(frozen=True)
class Parsed:
    """Typed values of every field the form holds (None or empty when not given), the form's
    own errors (form key -> error key) and, per department entry, its row number."""

    values: dict[str, Any]
    errors: dict[str, str]
    knowledge_rows: tuple[int, ...]


def parse(posted: Posted) -> Parsed:
    """The typed values of `posted`, and what is wrong with it before the service is asked."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in (*LINE_FIELDS, *NARRATIVE_FIELDS):
        values[name] = posted.text(name) or None
    for name in LIST_FIELDS:
        lines = _split(posted.text(name))
        if len(lines) > MAX_LINES:
            errors[name] = "lines"
        values[name] = lines
    for name in DATE_FIELDS:
        try:
            values[name] = _date(posted.text(name))
        except ValueError:
            errors[name] = "date"
            values[name] = None
    for name in COUNT_FIELDS:
        try:
            values[name] = _count(posted.text(name))
        except ValueError:
            errors[name] = "count"
            values[name] = None
    for name, choices in CHOICES.items():
        typed = posted.text(name)
        values[name] = typed if typed in {c.value for c in choices} else None
        if typed and values[name] is None:
            errors[name] = name
    for name in BOOL_FIELDS:
        values[name] = name in posted.checked
    values["ledger_rows"] = list(dict.fromkeys(posted.ledger_rows))
    knowledge: list[KnowledgeInput] = []
    rows: list[int] = []
    for n, department, known_on in posted.rows():
        if not department and not known_on:
            continue
        try:
            day = _date(known_on)
        except ValueError:
            day = None
        if not department:
            errors[f"knowledge_{n}_department"] = "department"
        elif day is None:
            errors[f"knowledge_{n}_known_on"] = "known_on"
        else:
            knowledge.append(KnowledgeInput.model_construct(department=department, known_on=day))
            rows.append(n)
    values["knowledge"] = knowledge
    for name in posted.scrubbed:
        errors[name] = "my_number"
    upper, persons = values["persons_upper"], values["persons"]
    if upper is not None and upper < (persons or 0) and "persons_upper" not in errors:
        errors["persons_upper"] = "persons_upper"
    return Parsed(values=values, errors=errors, knowledge_rows=tuple(rows))


def _plain(value: Any) -> Any:
    """A value as the service's model holds it, for comparing (departments as pairs)."""
    if value == [] or value == "":
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, KnowledgeInput):
        return (value.department, value.known_on)
    return value


def _as_input(name: str, value: Any) -> Any:
    if name == "knowledge":
        return [{"department": k.department, "known_on": k.known_on} for k in value]
    if name in LIST_FIELDS or name == "ledger_rows":
        return value or None
    return value


def new_fields(values: Mapping[str, Any]) -> IncidentFields:
    """The fields of a new incident: everything given (ValidationError from the schema)."""
    given = {
        name: _as_input(name, value)
        for name, value in values.items()
        if value not in (None, [], "") and not (name in BOOL_FIELDS and value is False)
    }
    return IncidentFields.model_validate(given)


def changed_fields(values: Mapping[str, Any], current: IncidentFields) -> IncidentFields:
    """Only the fields whose value differs from the incident's `current` ones (an emptied
    field is sent as None; ValidationError from the schema)."""
    changed = {
        name: _as_input(name, value)
        for name, value in values.items()
        if _plain(value) != _plain(_current(current, name))
    }
    return IncidentFields.model_validate(changed)


def _current(current: IncidentFields, name: str) -> Any:
    value = getattr(current, name)
    if name in BOOL_FIELDS:
        return bool(value)
    if name in CHOICES and value is not None:
        return str(value)
    return value


def form_key(name: str, knowledge_rows: tuple[int, ...] = ()) -> str:
    """The form's key for a field the service or the schema named (``knowledge.1.known_on``:
    the second entry's row); ``_form`` for a name the form does not hold."""
    parts = [p for p in re.split(r"[.\[\]]+", name) if p]
    if not parts:
        return "_form"
    head = parts[0]
    if head == "knowledge":
        index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        row = knowledge_rows[index] if index < len(knowledge_rows) else 1
        column = "known_on" if parts[-1] == "known_on" else "department"
        return f"knowledge_{row}_{column}"
    return head if head in ALL_FIELDS else "_form"


def error_key(key: str) -> str:
    """The message (under ``incidents.form.error``) for an error on the form's `key`."""
    if key.startswith("knowledge_"):
        return "known_on" if key.endswith("known_on") else "department"
    if key in NARRATIVE_FIELDS or (key in LINE_FIELDS and key != "title"):
        return "text"
    if key in DATE_FIELDS:
        return "date"
    if key in LIST_FIELDS:
        return "lines"
    if key in BOOL_FIELDS:
        return "fact"
    return key


def _position(key: str) -> tuple[int, int]:
    """Where the field of a form key stands in the form (department rows by their number)."""
    if key.startswith("knowledge_"):
        row = key.split("_")[1]
        return ALL_FIELDS.index("knowledge"), int(row) if row.isdigit() else 0
    return (ALL_FIELDS.index(key), 0) if key in ALL_FIELDS else (-1, 0)


def in_form_order(errors: Mapping[str, str]) -> dict[str, str]:
    """`errors` in the order of the form's fields (the page's own error first)."""
    return dict(sorted(errors.items(), key=lambda item: _position(item[0])))


def schema_errors(exc: ValidationError, knowledge_rows: tuple[int, ...]) -> dict[str, str]:
    """Form key -> error key for each field the schema refused (never the value)."""
    found: dict[str, str] = {}
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"])
        key = form_key(loc, knowledge_rows) if loc else "_form"
        found.setdefault(key, error_key(key) if key != "_form" else "generic")
    return found or {"_form": "generic"}


def checked(
    parsed: Parsed, current: IncidentFields | None = None
) -> tuple[IncidentFields | None, dict[str, str]]:
    """The fields to send the service (a new incident's, or only those changed from
    `current`), or None and every error the form and the schema find, in the form's order.
    Both need a title, what happened and at least one department with its day."""
    errors = dict(parsed.errors)
    values = parsed.values
    if not values["title"]:
        errors.setdefault("title", "title")
    if not values["kind"]:
        errors.setdefault("kind", "kind")
    if not values["knowledge"] and not any(key.startswith("knowledge_") for key in errors):
        errors["knowledge_1_department"] = "knowledge"
    fields: IncidentFields | None = None
    try:
        fields = new_fields(values) if current is None else changed_fields(values, current)
    except ValidationError as exc:
        for key, message in schema_errors(exc, parsed.knowledge_rows).items():
            errors.setdefault(key, message)
    if errors:
        return None, in_form_order(errors)
    return fields, {}


def refused(field: str | None, knowledge_rows: tuple[int, ...]) -> dict[str, str]:
    """Form key -> error key for a field the service refused (an InputError's `field`)."""
    key = form_key(field or "", knowledge_rows)
    return {key: error_key(key) if key != "_form" else "generic"}
