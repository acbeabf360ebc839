"""Recording de-identified datasets, and providing anonymized ones (APPI Arts. 41, 43, 44).

A pseudonymized dataset is recorded so that decisions about it apply the Art. 41 rules (no
provision to third parties, no contact use, purpose changes announced: R-PS-3). An anonymized
dataset is recorded so that its items are published on creation (R-AN-3) and, once provided,
its method of provision too (R-AN-4): ``kojin publish --datasets`` renders them.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.registry.datasets.models import DeidentifiedDataset
from kojin.registry.datasets.schemas import (
    MAX_METHOD,
    DatasetCreate,
    DatasetForm,
    DatasetOut,
    storable,
)

#: the shape of a dataset's id; anything else names no dataset
DATASET_ID = re.compile(r"[0-9a-f]{32}")

if TYPE_CHECKING:
    from kojin.law.policy_facts import PolicyFacts


def check_recordable(*, policy: PolicyFacts, category: str, purposes: list[str]) -> None:
    """Raise InputError unless a dataset of `category` for `purposes` may be recorded: the
    category and purposes must be declared, and My Number data is never de-identified for
    other uses (R-MN-1)."""
    facts = policy.categories.get(category)
    if facts is None:
        raise InputError(
            "not a category the policy declares (the value is not repeated here); "
            "the policy declares: " + ", ".join(sorted(policy.categories)),
            field="category",
        )
    if facts.specific_personal:
        raise InputError(
            "specific personal information (My Number) is not de-identified for other uses "
            "(MNA Art. 9)",
            field="category",
        )
    undeclared = [p for p in purposes if p not in facts.purposes]
    if undeclared:
        raise InputError(
            f"{len(undeclared)} purpose(s) not declared for category {category!r} (the values "
            f"are not repeated here); it declares: {', '.join(sorted(facts.purposes))}",
            field="purposes",
        )


def checked_method(text: str) -> str:
    """The method of provision as stored: stated, storable, at most :data:`MAX_METHOD` long."""
    method = text.strip()
    if not method:
        raise InputError("the method of provision must be stated (R-AN-4)", field="method")
    if len(method) > MAX_METHOD:
        raise InputError(f"must be at most {MAX_METHOD} characters", field="method")
    try:
        storable(method)
    except ValueError as exc:
        raise InputError(str(exc), field="method") from None
    return method


def record_dataset(
    *, session: Session, dataset_in: DatasetCreate, policy: PolicyFacts, actor: str
) -> DatasetOut:
    """Record a creation; the category and purposes must be declared by the policy."""
    check_recordable(policy=policy, category=dataset_in.category, purposes=dataset_in.purposes)
    row = DeidentifiedDataset(id=uuid.uuid4().hex, **dataset_in.model_dump(), created_at=utcnow())
    session.add(row)
    append_entry(
        session=session,
        actor=actor,
        action=f"dataset.{dataset_in.form}.created",
        object_type="dataset",
        object_id=row.id,
        details={
            "category": row.category,
            "records": row.records,
            "report_sha256": row.report_sha256,
        },
    )
    return DatasetOut.model_validate(row)


def _load(session: Session, dataset_id: str) -> DeidentifiedDataset:
    row = session.get(DeidentifiedDataset, dataset_id) if DATASET_ID.fullmatch(dataset_id) else None
    if row is None:
        raise NotFoundError("dataset not found")
    return row


def get_dataset(*, session: Session, dataset_id: str) -> DatasetOut:
    """One recorded dataset; NotFoundError (naming no id) when there is none."""
    return DatasetOut.model_validate(_load(session, dataset_id))


def list_datasets(*, session: Session, form: DatasetForm | None = None) -> list[DatasetOut]:
    """Recorded datasets, oldest first (optionally of one form)."""
    query = select(DeidentifiedDataset).order_by(
        DeidentifiedDataset.created_at, DeidentifiedDataset.id
    )
    if form is not None:
        query = query.where(DeidentifiedDataset.form == form)
    return [DatasetOut.model_validate(row) for row in session.execute(query).scalars()]


def mark_provided(
    *,
    session: Session,
    dataset_id: str,
    provision_method: str,
    actor: str,
    decision_id: str,
    now: datetime | None = None,
) -> DatasetOut:
    """Note that an anonymized dataset is provided, and how (R-AN-4), after an allowing decision.

    The first provision sets the date; a later one with another method extends the method text.
    """
    row = _load(session, dataset_id)
    if row.form != "anonymized":
        raise ConflictError(
            "pseudonymized information is not provided to third parties (APPI Art. 41(6))"
        )
    method = checked_method(provision_method)
    if row.provided_at is None:
        row.provided_at = now or utcnow()
        row.provision_method = method
    elif method not in (row.provision_method or "").split("; "):
        joined = f"{row.provision_method}; {method}"
        if len(joined) > MAX_METHOD:
            raise InputError(
                f"the methods of provision would exceed {MAX_METHOD} characters", field="method"
            )
        row.provision_method = joined
    append_entry(
        session=session,
        actor=actor,
        action="dataset.anonymized.provided",
        object_type="dataset",
        object_id=row.id,
        details={"decision_id": decision_id},
    )
    return DatasetOut.model_validate(row)
