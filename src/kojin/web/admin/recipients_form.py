"""The recipient form and the check form: reading what was posted into
:class:`~kojin.registry.recipients.schemas.RecipientFields` or
:class:`~kojin.registry.recipients.schemas.CheckInput`, and a recipient's fields back into the
form.

What the browser posts is kept as typed (:class:`Posted`) so the page can show it again after an
error, except a text holding an individual number, which is emptied (and said so). Errors map a
form key to an error key (``recipients.form.error.<key>``), never to a value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from pydantic import ValidationError

from kojin.law.check_digits import holds_my_number
from kojin.registry.recipients.schemas import (
    CheckInput,
    ContractItem,
    RecipientFields,
    Statement,
)

#: one-line texts
LINE_FIELDS: Final = ("name", "country", "contract_reference")
#: free texts
NARRATIVE_FIELDS: Final = ("entrusted", "evaluation_notes")
#: lists, one entry per line
LIST_FIELDS: Final = ("categories", "permitted_subentrustees")
DATE_FIELDS: Final = ("contract_date", "evaluated_on")
CHOICE_FIELDS: Final = ("evaluation_result", "rule16_basis")
BOOL_FIELDS: Final = ("entrustee", "foreign_rule16", "my_number_affairs", "sub_entrustment_allowed")
STATEMENT_ITEMS: Final = tuple(Statement.model_fields)
STATEMENT_FIELDS: Final = tuple(
    f"statement_{lang}_{item}" for lang in ("ja", "en") for item in STATEMENT_ITEMS
)
TEXT_FIELDS: Final = (
    *LINE_FIELDS,
    *NARRATIVE_FIELDS,
    *LIST_FIELDS,
    *DATE_FIELDS,
    *CHOICE_FIELDS,
    "check_interval_days",
    *STATEMENT_FIELDS,
)
CHECK_TEXTS: Final = ("kind", "checked_on", "result", "next_due", "notes", "actions")


@dataclass
class Posted:
    """A form as typed: texts, the ticked boxes and contract items."""

    texts: dict[str, str] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    items: list[str] = field(default_factory=list)
    #: the text fields emptied because they held an individual number
    scrubbed: set[str] = field(default_factory=set)

    def text(self, name: str) -> str:
        return self.texts.get(name, "")


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _scrub(texts: dict[str, str]) -> set[str]:
    """Empty every text holding an individual number; the names emptied."""
    found = {name for name, value in texts.items() if value and holds_my_number(value)}
    for name in found:
        texts[name] = ""
    return found


def read_posted(form: Any) -> Posted:
    """What the browser posted to the recipient form."""
    texts = {name: _text(form, name) for name in TEXT_FIELDS}
    scrubbed = _scrub(texts)
    items = [v for v in form.getlist("contract_items") if isinstance(v, str) and v]
    return Posted(
        texts=texts,
        checked={name for name in BOOL_FIELDS if _text(form, name) == "1"},
        items=items[: len(ContractItem)],
        scrubbed=scrubbed,
    )


def read_check(form: Any) -> Posted:
    """What the browser posted to the check form."""
    texts = {name: _text(form, name) for name in CHECK_TEXTS}
    return Posted(texts=texts, scrubbed=_scrub(texts))


def blank() -> Posted:
    """The form of a new recipient: an entrustee in Japan."""
    return Posted(texts={"country": "JP", "check_interval_days": "365"}, checked={"entrustee"})


def posted_from(fields: RecipientFields) -> Posted:
    """The form filled with a recipient's fields (the edit form)."""
    texts: dict[str, str] = {}
    for name in (*LINE_FIELDS, *NARRATIVE_FIELDS):
        texts[name] = getattr(fields, name) or ""
    for name in LIST_FIELDS:
        texts[name] = "\n".join(getattr(fields, name) or [])
    for name in DATE_FIELDS:
        day = getattr(fields, name)
        texts[name] = day.isoformat() if day else ""
    for name in CHOICE_FIELDS:
        chosen = getattr(fields, name)
        texts[name] = "" if chosen is None else str(chosen)
    texts["check_interval_days"] = str(fields.check_interval_days or 365)
    for lang in ("ja", "en"):
        given: Statement | None = getattr(fields, f"statement_{lang}")
        for item in STATEMENT_ITEMS:
            texts[f"statement_{lang}_{item}"] = (getattr(given, item) if given else None) or ""
    return Posted(
        texts=texts,
        checked={name for name in BOOL_FIELDS if getattr(fields, name)},
        items=[str(item) for item in fields.contract_items or []],
    )


def _day(value: str) -> date | None:
    return date.fromisoformat(unicodedata.normalize("NFKC", value)) if value else None


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def form_key(loc: tuple[int | str, ...]) -> str:
    """The form key of a schema error's location (``statement_ja.setup`` ->
    ``statement_ja_setup``; a list entry -> the list's field)."""
    head = str(loc[0]) if loc else "_form"
    if head.startswith("statement_") and len(loc) > 1 and isinstance(loc[1], str):
        return f"{head}_{loc[1]}"
    return head


def _schema_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        key = form_key(tuple(error["loc"]))
        kind = "too_long" if error["type"] == "string_too_long" else "invalid"
        errors.setdefault(key, kind)
    return errors


def recipient_fields(posted: Posted) -> tuple[RecipientFields | None, dict[str, str]]:
    """The recipient's fields from the form (every field set, so that an edit can clear one),
    or the errors (form key -> error key)."""
    errors: dict[str, str] = dict.fromkeys(posted.scrubbed, "my_number")
    values: dict[str, Any] = {}
    for name in (*LINE_FIELDS, *NARRATIVE_FIELDS, *CHOICE_FIELDS):
        values[name] = posted.text(name) or None
    for name in LIST_FIELDS:
        values[name] = _lines(posted.text(name))
    for name in DATE_FIELDS:
        try:
            values[name] = _day(posted.text(name))
        except ValueError:
            errors[name] = "date"
    interval = unicodedata.normalize("NFKC", posted.text("check_interval_days"))
    if interval and not interval.isdigit():
        errors["check_interval_days"] = "number"
    values["check_interval_days"] = int(interval) if interval.isdigit() else None
    for name in BOOL_FIELDS:
        values[name] = name in posted.checked
    values["contract_items"] = posted.items
    for lang in ("ja", "en"):
        items = {item: posted.text(f"statement_{lang}_{item}") or None for item in STATEMENT_ITEMS}
        values[f"statement_{lang}"] = items if any(items.values()) else None
    for name in ("name", "country"):
        if not values[name] and name not in errors:
            errors[name] = "required"
    if errors:
        return None, errors
    try:
        return RecipientFields.model_validate(values), {}
    except ValidationError as exc:
        return None, _schema_errors(exc)


def check_input(posted: Posted, today: date) -> tuple[CheckInput | None, dict[str, str]]:
    """The check from the form (its date defaults to today), or the errors."""
    errors: dict[str, str] = dict.fromkeys(posted.scrubbed, "my_number")
    values: dict[str, Any] = {
        "kind": posted.text("kind") or None,
        "result": posted.text("result") or None,
        "notes": posted.text("notes") or None,
        "actions": posted.text("actions") or None,
    }
    for name, default in (("checked_on", today), ("next_due", None)):
        try:
            values[name] = _day(posted.text(name)) or default
        except ValueError:
            errors[name] = "date"
    for name in ("kind", "result"):
        if values[name] is None:
            errors[name] = "required"
    if errors:
        return None, errors
    try:
        return CheckInput.model_validate(values), {}
    except ValidationError as exc:
        return None, _schema_errors(exc)


def messages(translate: Any, errors: Mapping[str, str]) -> dict[str, str]:
    """Form key -> the message of its error key, in the page's language."""
    return {key: translate(f"recipients.form.error.{value}") for key, value in errors.items()}
