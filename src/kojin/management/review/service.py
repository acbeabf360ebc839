"""The management review's service functions (JIS Q 15001; R-PM-8).

Keyword-only, on the caller's session; none commits (the unit of work does). A review is made
for a period with a snapshot of its inputs (:func:`kojin.management.review.inputs.
gather_inputs`); while it is a draft the office enters changes in law and improvement
opportunities and may gather the inputs again; recording the top manager's decisions makes it
``decided`` (the inputs are then kept as the top manager saw them). Every change is one
``review.*`` entry in the audit chain with its actor, naming fields, counts and dates, never
what was typed.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry, lock_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.management.review.inputs import gather_inputs
from kojin.management.review.models import ManagementReview
from kojin.management.review.periods import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    calendar_year,
    check_period,
    last_twelve_months,
)
from kojin.management.review.periods import fiscal_year as fiscal_year_period
from kojin.management.review.schemas import (
    MAX_PERIOD_DAYS,
    LawChange,
    ReviewCreate,
    ReviewDecision,
    ReviewInputs,
    ReviewOutcome,
    ReviewStatus,
    ReviewSummary,
    ReviewUpdate,
    ReviewView,
)
from kojin.registry.subjects.text import is_row_id

#: the audit chain's object type
OBJECT_TYPE: Final = "management_review"
REVIEW_NOT_FOUND: Final = "management review not found"
#: the encrypted column's context prefix
_TABLE: Final = "management_reviews"
#: what a recorded report may be called: ``report.ja.pdf`` ...
_REPORTS: Final = frozenset(
    f"report.{lang}.{fmt}" for lang in ("ja", "en") for fmt in ("html", "pdf")
)


def reference_for(year: int, number: int) -> str:
    """``MR-2027-01``: the year the review was prepared and its number in that year."""
    return f"MR-{year}-{number:02d}"


def _context(row_id: str) -> str:
    return f"{_TABLE}.details:{row_id}"


def seal_details(cipher: FieldCipher, row_id: str, key_id: str, details: dict[str, Any]) -> str:
    text = json.dumps(details, ensure_ascii=False, sort_keys=True)
    return cipher.encrypt(text, context=_context(row_id), key_id=key_id)


def unseal_details(cipher: FieldCipher, row_id: str, stored: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cipher.decrypt(stored, context=_context(row_id)))
    return data


def _load(session: Session, review_id: str, *, for_update: bool = False) -> ManagementReview:
    row = (
        session.get(ManagementReview, review_id, with_for_update=for_update)
        if is_row_id(review_id)
        else None
    )
    if row is None:
        raise NotFoundError(REVIEW_NOT_FOUND)
    return row


def review_id_for(*, session: Session, reference: str) -> str | None:
    """The id of the review with this reference (``MR-2027-01``), or None."""
    found = session.execute(
        select(ManagementReview.id).where(ManagementReview.reference == reference.strip().upper())
    )
    return found.scalar_one_or_none()


def _chain(
    session: Session, row: ManagementReview, actor: str, action: str, details: dict[str, Any]
) -> None:
    append_entry(
        session=session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details={"reference": row.reference, **details},
        now=utcnow(),
    )


def _period(review_in: ReviewCreate, today: date) -> tuple[date, date]:
    if (review_in.since is None) != (review_in.until is None):
        missing = "until" if review_in.until is None else "since"
        raise InputError("since and until go together", field=missing)
    if review_in.since is None or review_in.until is None:
        return last_twelve_months(today)
    check_period(review_in.since, review_in.until, longest_days=MAX_PERIOD_DAYS)
    return review_in.since, review_in.until


def _default_title(since: date, until: date) -> str:
    return f"{since.isoformat()} – {until.isoformat()}"


def create_review(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    review_in: ReviewCreate,
    today: date,
) -> ReviewView:
    """Prepare a review of the period (default: the twelve full months before `today`'s month)
    with its inputs gathered now; ``review.created``."""
    since, until = _period(review_in, today)
    lock_chain(session=session)  # one writer at a time: two reviews never share a number
    year = today.year
    last = session.execute(
        select(func.max(ManagementReview.number)).where(ManagementReview.year == year)
    ).scalar_one()
    number = int(last or 0) + 1
    inputs = gather_inputs(session=session, cipher=cipher, since=since, until=until, today=today)
    now = utcnow()
    row_id = uuid.uuid4().hex
    details: dict[str, Any] = {
        "title": review_in.title or _default_title(since, until),
        "law_changes": [],
        "improvements": [],
        "notes": "",
        "top_manager": None,
        "decisions": [],
    }
    row = ManagementReview(
        id=row_id,
        reference=reference_for(year, number),
        year=year,
        number=number,
        status=ReviewStatus.DRAFT.value,
        period_from=since,
        period_to=until,
        inputs=inputs.model_dump(mode="json"),
        inputs_at=inputs.gathered_at,
        details_enc=seal_details(cipher, row_id, cipher.current_key_id, details),
        created_at=now,
        updated_at=now,
        key_id=cipher.current_key_id,
    )
    session.add(row)
    _chain(
        session,
        row,
        actor,
        "review.created",
        {"since": since.isoformat(), "until": until.isoformat(), **_input_counts(inputs)},
    )
    return build_view(cipher=cipher, row=row)


def _input_counts(inputs: ReviewInputs) -> dict[str, int]:
    """A few totals of the inputs for the audit chain (counts only)."""
    return {
        "requests_received": inputs.requests.total.received,
        "incidents_known": inputs.incidents.known,
        "opportunities": len(inputs.opportunities),
    }


def _draft(row: ManagementReview) -> None:
    if row.status != ReviewStatus.DRAFT.value:
        raise ConflictError("the review's decisions are recorded: its inputs no longer change")


def refresh_inputs(
    *, session: Session, cipher: FieldCipher, actor: str, review_id: str, today: date
) -> ReviewView:
    """Gather a draft review's inputs again (the records changed since); ``review.refreshed``.
    ConflictError once the decisions are recorded."""
    row = _load(session, review_id, for_update=True)
    _draft(row)
    inputs = gather_inputs(
        session=session, cipher=cipher, since=row.period_from, until=row.period_to, today=today
    )
    row.inputs = inputs.model_dump(mode="json")
    row.inputs_at = inputs.gathered_at
    row.updated_at = utcnow()
    _chain(session, row, actor, "review.refreshed", _input_counts(inputs))
    return build_view(cipher=cipher, row=row)


def _dump(value: object) -> Any:
    if isinstance(value, list):
        return [_dump(item) for item in value]
    if isinstance(value, LawChange | ReviewDecision):
        return value.model_dump(mode="json")
    return value


def update_review(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    review_id: str,
    changes: ReviewUpdate,
) -> ReviewView:
    """Change what the office entered (the fields set; lists replaced whole);
    ``review.updated`` names the fields changed and the lists' lengths. Nothing changed:
    nothing recorded."""
    row = _load(session, review_id, for_update=True)
    details = unseal_details(cipher, row.id, row.details_enc)
    changed = []
    for name in sorted(changes.model_fields_set):
        value = getattr(changes, name)
        if value is None:
            if name == "title":
                raise InputError("title must not be empty", field="title")
            value = "" if name == "notes" else []
        dumped = _dump(value)
        if details.get(name) != dumped:
            details[name] = dumped
            changed.append(name)
    if not changed:
        return build_view(cipher=cipher, row=row)
    row.details_enc = seal_details(cipher, row.id, cipher.current_key_id, details)
    row.key_id = cipher.current_key_id
    row.updated_at = utcnow()
    _chain(
        session,
        row,
        actor,
        "review.updated",
        {
            "fields": changed,
            "law_changes": len(details["law_changes"]),
            "improvements": len(details["improvements"]),
        },
    )
    return build_view(cipher=cipher, row=row)


def record_outcome(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    review_id: str,
    outcome: ReviewOutcome,
    today: date,
) -> ReviewView:
    """Record the review held (the day, the top manager) and the decisions taken; the review
    becomes ``decided``. Recording again replaces the decisions (``review.decided`` each time,
    with the count of decisions by kind)."""
    row = _load(session, review_id, for_update=True)
    if outcome.held_on > today:
        raise InputError("held_on must not be after today", field="held_on")
    if outcome.held_on < row.period_from:
        raise InputError("held_on must not be before the period", field="held_on")
    details = unseal_details(cipher, row.id, row.details_enc)
    details["top_manager"] = outcome.top_manager
    details["decisions"] = _dump(list(outcome.decisions))
    if outcome.notes is not None:
        details["notes"] = outcome.notes
    again = row.status == ReviewStatus.DECIDED.value
    now = utcnow()
    row.details_enc = seal_details(cipher, row.id, cipher.current_key_id, details)
    row.key_id = cipher.current_key_id
    row.status = ReviewStatus.DECIDED.value
    row.held_on = outcome.held_on
    row.decided_at = now
    row.updated_at = now
    kinds: dict[str, int] = {}
    for decision in outcome.decisions:
        kinds[decision.kind.value] = kinds.get(decision.kind.value, 0) + 1
    _chain(
        session,
        row,
        actor,
        "review.decided",
        {
            "held_on": outcome.held_on.isoformat(),
            "decisions": len(outcome.decisions),
            "by_kind": kinds,
            "replaced": again,
        },
    )
    return build_view(cipher=cipher, row=row)


def record_report(*, session: Session, actor: str, review_id: str, what: str) -> None:
    """Chain that a report was produced (``review.reported``): which one (``report.ja.pdf``
    ...), never its content."""
    if what not in _REPORTS:
        raise InputError("what must be report.<ja|en>.<html|pdf>", field="what")
    row = _load(session, review_id)
    _chain(session, row, actor, "review.reported", {"what": what})


def build_view(*, cipher: FieldCipher, row: ManagementReview) -> ReviewView:
    details = unseal_details(cipher, row.id, row.details_enc)
    return ReviewView(
        id=row.id,
        reference=row.reference,
        title=details["title"],
        status=ReviewStatus(row.status),
        since=row.period_from,
        until=row.period_to,
        inputs=ReviewInputs.model_validate(row.inputs),
        law_changes=[LawChange.model_validate(c) for c in details["law_changes"]],
        improvements=list(details["improvements"]),
        notes=details.get("notes") or "",
        held_on=row.held_on,
        top_manager=details.get("top_manager"),
        decisions=[ReviewDecision.model_validate(d) for d in details["decisions"]],
        decided_at=row.decided_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def get_review(*, session: Session, cipher: FieldCipher, review_id: str) -> ReviewView:
    """The review `review_id` (NotFoundError when there is none)."""
    return build_view(cipher=cipher, row=_load(session, review_id))


def list_reviews(*, session: Session, cipher: FieldCipher) -> list[ReviewSummary]:
    """Every review, newest first."""
    rows = session.execute(
        select(ManagementReview).order_by(
            ManagementReview.year.desc(), ManagementReview.number.desc()
        )
    ).scalars()
    return [
        ReviewSummary(
            id=row.id,
            reference=row.reference,
            title=unseal_details(cipher, row.id, row.details_enc)["title"],
            status=ReviewStatus(row.status),
            since=row.period_from,
            until=row.period_to,
            held_on=row.held_on,
            created_at=row.created_at,
        )
        for row in rows
    ]


def period_choice(
    *, today: date, year: int | None = None, fiscal_year: int | None = None
) -> tuple[date, date]:
    """The period of a calendar `year`, a `fiscal_year` (April to March) or, with neither, the
    twelve full months before `today`'s month."""
    if year is not None and fiscal_year is not None:
        raise InputError("choose a calendar year or a fiscal year, not both", field="year")
    if year is not None:
        chosen = calendar_year(year) if EARLIEST_YEAR <= year <= LATEST_YEAR else None
        field = "year"
    elif fiscal_year is not None:
        chosen = (
            fiscal_year_period(fiscal_year) if EARLIEST_YEAR <= fiscal_year < LATEST_YEAR else None
        )
        field = "fiscal_year"
    else:
        return last_twelve_months(today)
    if chosen is None:
        raise InputError(
            f"the year must fall between {EARLIEST_YEAR} and {LATEST_YEAR}", field=field
        )
    return chosen
