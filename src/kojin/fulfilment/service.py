"""Fulfilment of a request, as staff drive it: start, preview, approve, cancel, and the result.

A request is fulfilled in the company's stores once staff have verified the person and the
request is in review: ``start_fulfilment`` creates the job with the identities to search by —
the e-mail address the person proved with the code, and the e-mail, telephone number and
customer number the registry holds for the subject staff linked (a name or an address alone
would find namesakes and family members, so they never start a search). An erasure or a
correction then waits with its preview until staff approve it (``approve_fulfilment``); access
and cessation end with their result. The caller commits, then hands the job to a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.fulfilment.identities import Identities, identities_from
from kojin.fulfilment.job_schemas import JobKind, JobOut, JobState, TaskSpec
from kojin.fulfilment.jobs import (
    approve_job,
    cancel_job,
    clear_payloads,
    create_job,
    job_for_request,
    read_payload,
    read_result,
    retry_job,
)
from kojin.fulfilment.models import FulfilmentJob
from kojin.fulfilment.plans import FulfilmentPlan, ItemChange
from kojin.fulfilment.work import ALL_STORES, LOCATE_STAGE, FulfilmentResult, WorkPayload
from kojin.policy.model import Policy
from kojin.registry.provisions.schemas import ProvisionOut
from kojin.registry.provisions.service import list_provisions
from kojin.registry.subjects.scope import SubjectScope
from kojin.registry.subjects.service import get_subject
from kojin.requests import records
from kojin.requests.clock import tokyo_date
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState
from kojin.settings import Settings

#: the request kinds fulfilled in the company's stores, and the job each one runs
JOB_KINDS: Final = {
    RequestKind.DISCLOSURE: JobKind.ACCESS,
    RequestKind.CORRECTION: JobKind.CORRECTION,
    RequestKind.ERASURE: JobKind.ERASURE,
    RequestKind.STOP_USE: JobKind.STOP_USE,
    RequestKind.STOP_PROVISION: JobKind.STOP_PROVISION,
}
#: provision records read for the recipients to notify
_PROVISIONS_PAGE: Final = 1000


def _identities(
    session: Session,
    cipher: FieldCipher,
    subject_id: str | None,
    email: str | None,
    actor: str,
    scope: SubjectScope | None,
) -> Identities:
    subject = None
    if subject_id is not None:
        subject = get_subject(
            session=session, subject_id=subject_id, cipher=cipher, actor=actor, scope=scope
        ).identifiers
    emails = [value for value in (email, subject.email if subject else None) if value]
    found = identities_from(
        email=emails[0] if emails else None,
        phone=subject.phone if subject else None,
        customer_number=subject.customer_number if subject else None,
    )
    if len(emails) > 1 and emails[1].casefold() != emails[0].casefold():
        second = identities_from(email=emails[1])
        merged = dict(found.values)
        for kind, values in second.values.items():
            merged[kind] = tuple(dict.fromkeys((*merged.get(kind, ()), *values)))
        found = Identities(values=merged)
    return found


def _provisions(session: Session, subject_id: str | None) -> list[ProvisionOut]:
    if subject_id is None:
        return []
    found: list[ProvisionOut] = []
    while True:
        page = list_provisions(
            session=session, subject_id=subject_id, limit=_PROVISIONS_PAGE, offset=len(found)
        )
        found += page
        if len(page) < _PROVISIONS_PAGE:
            return found


def start_fulfilment(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    request_id: str,
    actor: str,
    changes: Sequence[ItemChange] = (),
    now: datetime | None = None,
    scope: SubjectScope | None = None,
) -> JobOut:
    """Create the fulfilment job of a request in review (see the module's docstring).

    ConflictError when no data map is configured, the request's kind has nothing to do in the
    stores, the request is not in review, or it has an unfinished job; InputError (field
    ``changes``) for a correction without the items to change. With `scope`, a linked subject
    must be one the caller may see.
    """
    if settings.datamap_file is None:
        raise ConflictError("no data map is configured (KOJIN_DATAMAP_FILE)")
    row = records.load(session, request_id, for_update=True)
    kind = JOB_KINDS.get(RequestKind(row.kind))
    if kind is None:
        raise ConflictError("this kind of request has nothing to fulfil in the company's stores")
    if RequestState(row.state) is not RequestState.IN_REVIEW:
        raise ConflictError("a request is fulfilled once it is in review")
    if kind is JobKind.CORRECTION and not changes:
        raise InputError("give the items to correct", field="changes")
    identities = _identities(
        session, cipher, row.subject_id, records.get(cipher, row, "email"), actor, scope
    )
    if not identities.values:
        raise ConflictError("the request has no identity to search by: link the subject first")
    work = WorkPayload(
        lang=records.lang_of(row),
        today=tokyo_date(now or utcnow()),
        identities=identities,
        changes=list(changes),
        provisions=(
            _provisions(session, row.subject_id)
            if kind in (JobKind.STOP_USE, JobKind.STOP_PROVISION)
            else []
        ),
    )
    return create_job(
        session=session,
        cipher=cipher,
        request_id=request_id,
        kind=kind,
        actor=actor,
        tasks=[TaskSpec(stage=LOCATE_STAGE, name=ALL_STORES)],
        payload=work.model_dump_json().encode(),
        now=now,
    )


def approve_fulfilment(*, session: Session, job_id: str, actor: str) -> JobOut:
    """Approve the preview: the job's apply tasks may run."""
    return approve_job(session=session, job_id=job_id, actor=actor)


def cancel_fulfilment(*, session: Session, job_id: str, actor: str) -> JobOut:
    return cancel_job(session=session, job_id=job_id, actor=actor)


def retry_fulfilment(*, session: Session, job_id: str, actor: str) -> JobOut:
    return retry_job(session=session, job_id=job_id, actor=actor)


def latest_job(*, session: Session, request_id: str) -> JobOut | None:
    return job_for_request(session=session, request_id=request_id)


def job_result(*, session: Session, cipher: FieldCipher, job_id: str) -> FulfilmentResult | None:
    """What the job produced so far (the preview's figures while it waits for approval)."""
    data = read_result(session=session, cipher=cipher, job_id=job_id)
    return None if data is None else FulfilmentResult.model_validate_json(data)


def job_plan(*, session: Session, cipher: FieldCipher, job_id: str) -> FulfilmentPlan | None:
    """The plan of an erasure or correction job that has not ended (the staff preview)."""
    data = read_payload(session=session, cipher=cipher, job_id=job_id)
    return None if data is None else WorkPayload.model_validate_json(data).plan


def access_result(
    *, session: Session, cipher: FieldCipher, request_id: str
) -> FulfilmentResult | None:
    """The result of the request's finished access job, or None (no job, or not done)."""
    job = job_for_request(session=session, request_id=request_id)
    if job is None or job.kind is not JobKind.ACCESS or job.state is not JobState.DONE:
        return None
    return job_result(session=session, cipher=cipher, job_id=job.id)


def resolve_request_id(*, session: Session, request_id: str) -> str:
    """The full id of the request `request_id` names: the id itself, or its first 8 or more
    digits when they name exactly one request (NotFoundError otherwise)."""
    text = request_id.strip().lower()
    if len(text) == 32:
        return records.load(session, text).id
    if not 8 <= len(text) < 32 or any(c not in "0123456789abcdef" for c in text):
        raise NotFoundError("request not found")
    found = (
        session.execute(
            select(DataRequest.id).where(DataRequest.id.startswith(text, autoescape=True)).limit(2)
        )
        .scalars()
        .all()
    )
    if len(found) != 1:
        raise NotFoundError(
            "request not found" if not found else "the short id names several requests"
        )
    return found[0]


def prepare_cli_run(
    *,
    session: Session,
    settings: Settings,
    request_id: str,
    actor: str,
    start: bool,
    approve: bool,
) -> str:
    """For ``kojin request run``: resolve the id, create the job when asked (`start`), approve
    a job waiting for approval when asked (`approve`); the request's full id."""
    from kojin.crypto import FieldCipher, load_keyring

    full_id = resolve_request_id(session=session, request_id=request_id)
    job = job_for_request(session=session, request_id=full_id)
    if start and (job is None or job.state in (JobState.DONE, JobState.CANCELLED)):
        cipher = FieldCipher(load_keyring(settings))
        job = start_fulfilment(
            session=session, cipher=cipher, settings=settings, request_id=full_id, actor=actor
        )
    if approve and job is not None and job.state is JobState.AWAITING_APPROVAL:
        approve_fulfilment(session=session, job_id=job.id, actor=actor)
    return full_id


def purge_job_data(session: Session, policy: Policy, now: datetime, actor: str) -> int:
    """Empty the working data and results of the jobs of requests closed longer than the
    policy's document holding period (the rows found in the stores go with the request's
    documents); returns how many jobs had some. A housekeeping step
    (:data:`kojin.requests.housekeeping.PurgeStep`)."""
    cutoff = now - timedelta(days=policy.general.inquiries.handling.document_holding_days)
    closed = (
        select(FulfilmentJob.request_id)
        .join(DataRequest, DataRequest.id == FulfilmentJob.request_id)
        .where(
            DataRequest.closed_at.is_not(None),
            DataRequest.closed_at <= cutoff,
            or_(FulfilmentJob.payload_enc.is_not(None), FulfilmentJob.result_enc.is_not(None)),
        )
    )
    request_ids = sorted(set(session.execute(closed).scalars()))
    return sum(
        clear_payloads(session=session, request_id=request_id, actor=actor, now=now)
        for request_id in request_ids
    )
