"""What a request produces for the person: the disclosure package (Art. 33; R-RT-3, R-RT-4) in
the method they chose, and the refusal notice with its reasons (Art. 36; R-RT-7).

A package exists only for a completed (or partly completed) disclosure or purpose notification
whose registry subject staff linked; every download is chained. The person's rows in the
company's own stores (found by the fulfilment job through the data map) are handed in by the
caller as `stores` and go into the package in every format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError
from kojin.policy.model import Policy
from kojin.policy.model_base import RefusalGround
from kojin.registry.subjects.scope import SubjectScope
from kojin.requests import records
from kojin.requests.clock import tokyo_date
from kojin.requests.disclosure import build_package, gather_disclosure
from kojin.requests.disclosure_record import DisclosedStoreCollection
from kojin.requests.grounds import stop_ground_of
from kojin.requests.kinds import DisclosureMethod, RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.notices import RefusalNoticeData, render_refusal_notice
from kojin.requests.package import Package
from kojin.requests.records import REQUESTER, get
from kojin.requests.states import RequestState
from kojin.requests.status import PACKAGE_KINDS, PACKAGE_STATES


def _build(
    session: Session,
    cipher: FieldCipher,
    policy: Policy,
    row: DataRequest,
    actor: str,
    scope: SubjectScope | None = None,
    stores: Sequence[DisclosedStoreCollection] = (),
    stores_searched: bool = False,
) -> Package:
    """The package, with the subject's identifiers as the registry holds them (their reveal is
    chained with `actor`) and the person's rows in the company's stores; with `scope`, only for
    a subject the caller may see."""
    kind = RequestKind(row.kind)
    if (
        kind not in PACKAGE_KINDS
        or RequestState(row.state) not in PACKAGE_STATES
        or row.subject_id is None
    ):
        raise ConflictError("this request has no disclosure package")
    lang = records.lang_of(row)
    record = gather_disclosure(
        session=session,
        policy=policy,
        subject_id=row.subject_id,
        lang=lang,
        include_third_party_records=(
            kind is RequestKind.DISCLOSURE and row.include_third_party_records
        ),
        cipher=cipher,
        actor=actor,
        scope=scope,
        stores=stores,
        stores_searched=stores_searched,
    )
    method = DisclosureMethod(row.disclosure_method or DisclosureMethod.ELECTRONIC.value)
    return build_package(record, method=method, lang=lang)


def _chain_download(
    session: Session,
    row: DataRequest,
    package: Package,
    actor: str,
    stores: Sequence[DisclosedStoreCollection],
    stores_searched: bool,
) -> None:
    """Chain the download: who, which request and subject, the package's digest and, when the
    company's stores were searched, which collections it disclosed and how many rows of each
    (addresses and counts only, never a value)."""
    details: dict[str, object] = {
        "kind": row.kind,
        "subject_id": row.subject_id,
        "media_type": package.media_type,
        "sha256": hashlib.sha256(package.content).hexdigest(),
    }
    if stores_searched or stores:
        details["store_rows"] = {f"{c.system}/{c.address}": len(c.rows) for c in stores}
    append_entry(
        session=session,
        actor=actor,
        action="request.package_downloaded",
        object_type="data_request",
        object_id=row.id,
        details=details,
    )


def requester_package(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: Policy,
    reference: str,
    email: str,
    stores: Sequence[DisclosedStoreCollection] = (),
    stores_searched: bool = False,
) -> Package:
    """The person's disclosure package (NotFoundError alike for a wrong reference or e-mail;
    ConflictError when the request has none). `stores` and `stores_searched` are the fulfilment
    job's findings in the company's own stores (see
    :func:`~kojin.requests.disclosure.gather_disclosure`)."""
    row = records.for_requester(session, cipher, reference=reference, email=email)
    package = _build(
        session, cipher, policy, row, REQUESTER, stores=stores, stores_searched=stores_searched
    )
    _chain_download(session, row, package, REQUESTER, stores, stores_searched)
    return package


def staff_package(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: Policy,
    request_id: str,
    actor: str,
    scope: SubjectScope | None = None,
    stores: Sequence[DisclosedStoreCollection] = (),
    stores_searched: bool = False,
) -> Package:
    """The disclosure package of a request, for staff to check or print (paper method). With
    `scope` (the staff member's role), NotFoundError ("subject not found") when the subject is
    one the role may not see (My Number, R-MN-9). `stores` and `stores_searched` as for
    :func:`requester_package`."""
    row = records.load(session, request_id)
    package = _build(
        session, cipher, policy, row, actor, scope, stores=stores, stores_searched=stores_searched
    )
    _chain_download(session, row, package, actor, stores, stores_searched)
    return package


def _notice(
    cipher: FieldCipher,
    policy: Policy,
    row: DataRequest,
    fmt: Literal["html", "pdf"],
    now: datetime,
) -> Package:
    if row.state != RequestState.REFUSED.value or row.refusal_ground is None:
        raise ConflictError("this request was not refused")
    name = get(cipher, row, "name")
    explanation = get(cipher, row, "refusal_explanation")
    if name is None or explanation is None:
        raise ConflictError("the personal data of this request was purged")
    lang = records.lang_of(row)
    ground = RefusalGround(row.refusal_ground)
    clause = next(
        (c for c in records.inquiries_for(policy, row).refusal_grounds if c.ground is ground),
        None,
    )
    data = RefusalNoticeData(
        lang=lang,
        kind=RequestKind(row.kind),
        requester_name=name,
        submitted_on=tokyo_date(row.submitted_at),
        issued_on=tokyo_date(row.closed_at or now),
        ground=ground,
        ground_text="" if clause is None else clause.text.get(lang),
        explanation=explanation,
        request_number=records.short_id(row.id),
        stop_ground=stop_ground_of(row.stop_ground),
        incident_reference=row.incident_reference,
    )
    content = render_refusal_notice(data, policy=policy, fmt=fmt)
    media_type = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    filename = f"refusal-notice-{records.short_id(row.id)}.{fmt}"
    return Package(filename=filename, media_type=media_type, content=content)


def refusal_notice(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: Policy,
    request_id: str,
    fmt: Literal["html", "pdf"],
) -> Package:
    """The notice of refusal to the requester, in their language, as HTML or PDF
    (ConflictError unless the request was refused)."""
    return _notice(cipher, policy, records.load(session, request_id), fmt, utcnow())


def requester_refusal_notice(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: Policy,
    reference: str,
    email: str,
    fmt: Literal["html", "pdf"],
) -> Package:
    """The refusal notice for the person, opened by reference and e-mail."""
    row = records.for_requester(session, cipher, reference=reference, email=email)
    return _notice(cipher, policy, row, fmt, utcnow())
