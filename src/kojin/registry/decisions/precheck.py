"""What is checked before a decision joins a shared transaction: that its subject and dataset
exist, and that the caller may ask about them (R-MN-9).

A request naming a subject or a dataset the registry does not hold cannot succeed. Without this
check it would fail inside the group it was written with, roll the whole group back and make
every other request of the group retry alone. :func:`precheck` answers such requests first, for
a whole group in one indexed read (primary keys of ``subjects`` and ``deidentified_datasets``),
so that only requests that can be recorded share the transaction.

The same read gives each subject's category, on which My Number authority depends: a caller
without it asking about a subject of specific personal information gets exactly the answer for
an unknown subject ("subject not found"), so that a decision is not a membership test; a caller
who may ask only about specific personal information (``mynumber_handler``) is refused (403)
for any other subject. A dataset is held to the same rule with its own category. Nothing is
cached: every group reads the registry as it is when the group is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Executable, bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from kojin.errors import KojinError, NotFoundError, PermissionDeniedError
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.datasets.models import DeidentifiedDataset
from kojin.registry.subjects.models import Subject

SUBJECT_NOT_FOUND = "subject not found"
DATASET_NOT_FOUND = "dataset not found"


@dataclass(frozen=True, slots=True)
class SubjectAccess:
    """Which recorded subjects (and datasets) a caller may ask about, by their category."""

    #: subjects of a category the policy marks as specific personal information (My Number)
    specific: bool = True
    #: subjects of any other category
    other: bool = True


#: a caller inside the server, not bound by a role (tests, services)
UNRESTRICTED: Final = SubjectAccess()

_SUBJECT, _DATASET = 0, 1
_SUBJECTS = select(literal(_SUBJECT), Subject.id, Subject.category).where(
    Subject.id.in_(bindparam("subject_ids", expanding=True))
)
_DATASETS = select(literal(_DATASET), DeidentifiedDataset.id, DeidentifiedDataset.category).where(
    DeidentifiedDataset.id.in_(bindparam("dataset_ids", expanding=True))
)
_BOTH = union_all(_SUBJECTS, _DATASETS)


def _categories(
    session: Session, subject_ids: set[str], dataset_ids: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The category of each subject and dataset that exists, in one query."""
    statement: Executable
    if subject_ids and dataset_ids:
        statement, params = _BOTH, {"subject_ids": subject_ids, "dataset_ids": dataset_ids}
    elif subject_ids:
        statement, params = _SUBJECTS, {"subject_ids": subject_ids}
    else:
        statement, params = _DATASETS, {"dataset_ids": dataset_ids}
    found: tuple[dict[str, str], dict[str, str]] = ({}, {})
    for kind, row_id, category in session.connection().execute(statement, params):
        found[kind][row_id] = category
    return found


def _refusal(
    category: str | None, access: SubjectAccess, policy: PolicyFacts, missing: str
) -> KojinError | None:
    if category is None:
        return NotFoundError(missing)
    declared = policy.categories.get(category)
    if declared is not None and declared.specific_personal:
        return None if access.specific else NotFoundError(missing)
    if access.other:
        return None
    what = "subjects" if missing == SUBJECT_NOT_FOUND else "datasets"
    return PermissionDeniedError(
        f"this role may ask only about {what} of specific personal information (R-MN-9)"
    )


def precheck(
    *,
    session: Session,
    requests: Sequence[tuple[DecisionRequest, SubjectAccess]],
    policy: PolicyFacts,
) -> list[KojinError | None]:
    """For each (request, caller's access): None when the request may be recorded, else the
    error to answer it with (404 "subject not found" / "dataset not found", or 403). No query
    when no request names a subject or a dataset."""
    subject_ids = {r.subject_id for r, _ in requests if r.subject_id is not None}
    dataset_ids = {r.dataset_id for r, _ in requests if r.dataset_id is not None}
    if not subject_ids and not dataset_ids:
        return [None] * len(requests)
    subjects, datasets = _categories(session, subject_ids, dataset_ids)
    verdicts: list[KojinError | None] = []
    for request, access in requests:
        refusal = None
        if request.subject_id is not None:
            category = subjects.get(request.subject_id)
            refusal = _refusal(category, access, policy, SUBJECT_NOT_FOUND)
        if refusal is None and request.dataset_id is not None:
            category = datasets.get(request.dataset_id)
            refusal = _refusal(category, access, policy, DATASET_NOT_FOUND)
        verdicts.append(refusal)
    return verdicts
