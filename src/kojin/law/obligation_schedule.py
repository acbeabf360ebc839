"""When each duty a decision creates falls due, and what makes two decisions' duties one task.

Every duty constant of :mod:`kojin.law.obligations` is listed here, keyed by its
(:class:`~kojin.law.vocabulary.ObligationCode`, rule id), with

- its :class:`Timing`: before the act decided (the provision, acquisition or use), promptly
  (速やかに), without delay (遅滞なく) or periodically;
- the days from the first decision to the first due date, and for periodic duties the interval
  between rounds (365 days: R-TP-FX-3 "about once a year or more"; R-SEC-4 / R-PM-11 customary
  yearly supervision of entrustees);
- the :class:`Scope` parts that identify the task: the same duty for the same recipient (and
  purpose, dataset or subject, as the duty requires) is one task however many decisions create it.

The provider records of R-TP-REC-1 and R-PRI-3 create no task: kojin writes those records itself
when it records the decision (:mod:`kojin.registry.provisions`).

Day counts are kojin's working defaults where the law sets none: "promptly" takes the 3–5 days the
PPC's guidelines give for prompt steps (Rule 8(1), Rule 9; R-BR-4), the upper end, 5 days;
"without delay" has no day count for private operators (R-RT-10), and kojin allows 14 days, the
fortnight after which Art. 39 lets a person sue on a request; "before" is due the day of the first
decision, because the duty should have been met before the act.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from kojin.law import obligations as duties
from kojin.law.citations import Duty
from kojin.law.decision_schemas import Obligation
from kojin.law.vocabulary import ObligationCode

#: the interval between rounds of a periodic duty: about once a year (R-TP-FX-3, R-PM-11)
YEARLY_DAYS: Final = 365
#: "promptly" (速やかに): the upper end of the 3–5 day guide (Rule 8(1), Rule 9)
PROMPTLY_DAYS: Final = 5
#: "without delay" (遅滞なく): no statutory day count (R-RT-10); two weeks (cf. Art. 39)
WITHOUT_DELAY_DAYS: Final = 14


class Timing(StrEnum):
    """When a duty must be met, relative to the decision that created it."""

    #: before the act decided (provision, acquisition, use for a new purpose)
    BEFORE_PROVISION = "before_provision"
    #: promptly after the act (速やかに)
    PROMPTLY = "promptly"
    #: without delay after the act (遅滞なく)
    WITHOUT_DELAY = "without_delay"
    #: again and again: a round each interval
    PERIODIC = "periodic"


class Scope(StrEnum):
    """A part of what identifies one task among the decisions that create the same duty."""

    #: the recipient's normalized name and its country
    RECIPIENT = "recipient"
    #: the category of data and the purpose of use
    PURPOSE = "purpose"
    #: the de-identified dataset (its category when the request names no dataset)
    DATASET = "dataset"
    #: the data subject (each decision is its own task when the request names no subject)
    SUBJECT = "subject"


@dataclass(frozen=True, slots=True)
class Schedule:
    """The timing of one duty and what identifies its task."""

    code: ObligationCode
    rule: str
    citation: str
    timing: Timing
    #: days from the first decision to the first due date
    first_due_days: int
    #: for periodic duties: days from one round's due date (or closing) to the next
    interval_days: int | None
    scope: tuple[Scope, ...]
    #: why this timing and scope: shown in the docs and the task page
    why: str
    #: what is owed, in English and Japanese (the duty's own sentences)
    en: str
    ja: str


def _entry(
    duty: Duty,
    timing: Timing,
    scope: tuple[Scope, ...],
    why: str,
    *,
    first_due_days: int | None = None,
) -> Schedule:
    default = {
        Timing.BEFORE_PROVISION: 0,
        Timing.PROMPTLY: PROMPTLY_DAYS,
        Timing.WITHOUT_DELAY: WITHOUT_DELAY_DAYS,
        Timing.PERIODIC: YEARLY_DAYS,
    }[timing]
    return Schedule(
        code=duty.obligation.code,
        rule=duty.rule,
        citation=duty.obligation.citation,
        timing=timing,
        first_due_days=default if first_due_days is None else first_due_days,
        interval_days=YEARLY_DAYS if timing is Timing.PERIODIC else None,
        scope=scope,
        why=why,
        en=duty.obligation.text,
        ja=duty.ja,
    )


_R = (Scope.RECIPIENT,)
_ENTRIES: Final = (
    _entry(
        duties.SUPERVISE_ENTRUSTEE,
        Timing.PERIODIC,
        _R,
        "R-SEC-4: select and contract with the entrustee before entrusting (first round due on "
        "the first decision), then supervise it yearly (R-PM-11); one task per entrustee.",
        first_due_days=0,
    ),
    _entry(
        duties.SUPERVISE_ENTRUSTEE_MN,
        Timing.PERIODIC,
        _R,
        "R-MN-8: the same supervision for My Number affairs, first round before entrusting, "
        "then yearly; one task per entrustee.",
        first_due_days=0,
    ),
    _entry(
        duties.STATE_PURPOSE_IN_ADVANCE,
        Timing.BEFORE_PROVISION,
        (Scope.PURPOSE,),
        "R-ACQ-4: the purpose is shown on the form before written acquisition; one task per "
        "category and purpose (one form serves every person).",
    ),
    _entry(
        duties.NOTIFY_OR_PUBLISH_AFTER_ACQUISITION,
        Timing.PROMPTLY,
        (Scope.PURPOSE,),
        "R-ACQ-3: promptly notify or publish the purpose after acquisition; publishing once "
        "serves every person, so one task per category and purpose.",
    ),
    _entry(
        duties.NOTIFY_OR_PUBLISH_NEW_PURPOSE,
        Timing.BEFORE_PROVISION,
        (Scope.PURPOSE,),
        "R-ACQ-5: notify or announce the new purpose before using the data for it; one task per "
        "category and purpose.",
    ),
    _entry(
        duties.VERIFY_IDENTITY_MYNUMBER,
        Timing.BEFORE_PROVISION,
        (Scope.SUBJECT,),
        "R-MN-4: verify the number and the identity when receiving the number, person by "
        "person; one task per data subject.",
    ),
    _entry(
        duties.PUBLISH_ANONYMIZED_ITEMS_CREATION,
        Timing.WITHOUT_DELAY,
        (Scope.DATASET,),
        "R-AN-3: publish the items without delay after creating anonymized information; one "
        "task per dataset (repeated creation may be covered by the first notice).",
    ),
    _entry(
        duties.PUBLISH_ANONYMIZED_ITEMS_PROVISION,
        Timing.BEFORE_PROVISION,
        (Scope.DATASET, Scope.RECIPIENT),
        "R-AN-4: before providing, publish the items and method and tell the recipient; one task "
        "per dataset and recipient.",
    ),
    _entry(
        duties.ANNOUNCE_PURPOSE_CHANGE,
        Timing.BEFORE_PROVISION,
        (Scope.DATASET, Scope.PURPOSE),
        "R-PS-3: publish the changed purpose before using pseudonymized information for it; one "
        "task per dataset and purpose.",
    ),
    _entry(
        duties.PERIODIC_CHECK_FOREIGN_RECIPIENT,
        Timing.PERIODIC,
        _R,
        "R-TP-FX-3: check the foreign recipient's measures and the foreign laws about once a "
        "year; the first check a year after the first provision; one task per recipient.",
    ),
    _entry(
        duties.PERIODIC_CHECK_FOREIGN_RECIPIENT_PRI,
        Timing.PERIODIC,
        _R,
        "R-PRI-2: the same yearly check for person-related information; one task per recipient.",
    ),
    _entry(
        duties.UNDERSTAND_FOREIGN_SYSTEM,
        Timing.BEFORE_PROVISION,
        _R,
        "R-SEC-2 (external environment): understand the country's system before the data is "
        "handled there; one task per recipient and country.",
    ),
    _entry(
        duties.INFORM_ENTRUSTEE_PSEUDONYMIZED,
        Timing.BEFORE_PROVISION,
        (Scope.RECIPIENT, Scope.DATASET),
        "R-PS-3 (Art. 41(6)): tell the entrustee the data is pseudonymized information when "
        "entrusting it; one task per entrustee and dataset.",
    ),
)

#: the schedule of every duty that becomes a task, keyed by (code, rule id)
SCHEDULE: Final[Mapping[tuple[ObligationCode, str], Schedule]] = MappingProxyType(
    {(e.code, e.rule): e for e in _ENTRIES}
)
#: the duties that never become a task: provider records are written automatically
NO_TASK: Final = frozenset(
    {
        (duties.RECORD_PROVISION.obligation.code, duties.RECORD_PROVISION.rule),
        (duties.RECORD_PRI_PROVISION.obligation.code, duties.RECORD_PRI_PROVISION.rule),
    }
)
_BY_CITATION: Final[Mapping[tuple[ObligationCode, str], Schedule]] = MappingProxyType(
    {(e.code, e.citation): e for e in _ENTRIES}
)


def schedule_for(obligation: Obligation) -> Schedule | None:
    """The schedule of a decision's obligation (matched by code and citation), or None when it
    creates no task (provider records)."""
    return _BY_CITATION.get((obligation.code, obligation.citation))


def normalized_name(name: str | None) -> str:
    """A recipient's name for matching: NFKC, case-folded, spaces collapsed (``ＡＢＣ 株式会社``
    and ``abc  株式会社`` are one recipient)."""
    if not name:
        return ""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def task_key(
    schedule: Schedule,
    *,
    category: str,
    purpose: str | None = None,
    recipient_name: str | None = None,
    recipient_country: str | None = None,
    dataset_id: str | None = None,
    subject_id: str | None = None,
    decision_id: str | None = None,
) -> str:
    """The dedup key of the task a decision's duty belongs to: the SHA-256 (hex) of the duty's
    code and rule and of the scope parts the schedule names. A subject-scoped duty with no subject
    falls back on the decision itself, so unrelated persons never share a task."""
    parts: dict[str, str | None] = {"code": schedule.code.value, "rule": schedule.rule}
    for part in schedule.scope:
        if part is Scope.RECIPIENT:
            parts["recipient"] = normalized_name(recipient_name)
            parts["country"] = (recipient_country or "").upper()
        elif part is Scope.PURPOSE:
            parts["category"] = category
            parts["purpose"] = " ".join((purpose or "").split())
        elif part is Scope.DATASET:
            parts["dataset"] = dataset_id if dataset_id is not None else f"category:{category}"
        else:
            parts["subject"] = subject_id if subject_id is not None else f"decision:{decision_id}"
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
