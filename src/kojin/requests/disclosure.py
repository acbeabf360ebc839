"""Disclosure (APPI Art. 33; R-RT-3, R-RT-4) from what kojin's registry holds about a person.

:func:`gather_disclosure` reads the registry: the person's subject entry (category and stop
flags), the purposes of use the policy declares for that category, the ledger rows of the
category, every consent the person gave (withdrawn ones included: the history), and, when
asked for, the records of provision to third parties about the person (Art. 33(5)). The
person's rows in the company's own databases and files are not read here: the fulfilment job
finds them through the data map and the caller hands them in as `stores`. It only reads; the
caller's unit of work decides what is recorded about the disclosure itself.
:func:`~kojin.requests.disclosure_package.build_package` turns the record into the file the
person chose (a ZIP of JSON, CSV and HTML, or a printed PDF).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.policy.model import Policy
from kojin.policy.model_base import Lang
from kojin.registry.consents.schemas import ConsentOut
from kojin.registry.consents.service import list_consents
from kojin.registry.ledger.schemas import LedgerEntryOut
from kojin.registry.ledger.service import list_entries
from kojin.registry.provisions.schemas import ProvisionOut
from kojin.registry.provisions.service import list_provisions
from kojin.registry.subjects.schemas import SubjectOut
from kojin.registry.subjects.scope import SubjectScope
from kojin.registry.subjects.service import get_subject
from kojin.requests.disclosure_package import build_package
from kojin.requests.disclosure_record import (
    DisclosedConsent,
    DisclosedIdentifiers,
    DisclosedLedgerEntry,
    DisclosedProvision,
    DisclosedPurpose,
    DisclosedStoreCollection,
    DisclosedSubject,
    DisclosureRecord,
)

#: provision records are read in pages of this many
_PAGE = 500


def _purpose_text(policy: Policy, category: str, purpose: str | None, lang: Lang) -> str | None:
    """The policy's text of `purpose` under `category` in `lang`; the id where it has none."""
    if purpose is None:
        return None
    declared = policy.category(category)
    found = (
        None if declared is None else next((p for p in declared.purposes if p.id == purpose), None)
    )
    return purpose if found is None else found.text.get(lang)


def _category_title(policy: Policy, category: str, lang: Lang) -> str:
    """The policy's title of `category` in `lang`; the id where the policy has none."""
    declared = policy.category(category)
    return category if declared is None else declared.title.get(lang)


def _subject(subject: SubjectOut, policy: Policy, lang: Lang) -> DisclosedSubject:
    identifiers = subject.identifiers
    return DisclosedSubject(
        id=subject.id,
        category=subject.category,
        category_title=_category_title(policy, subject.category, lang),
        registered_at=subject.created_at,
        stop_use=subject.stop_use,
        stop_provision=subject.stop_provision,
        flags_updated_at=subject.flags_updated_at,
        identifiers=(
            None
            if identifiers is None
            else DisclosedIdentifiers.model_validate(identifiers.model_dump())
        ),
    )


def _ledger_entry(entry: LedgerEntryOut, policy: Policy, lang: Lang) -> DisclosedLedgerEntry:
    return DisclosedLedgerEntry(
        item=entry.item,
        purposes=list(entry.purposes),
        purpose_texts=[
            _purpose_text(policy, entry.category, purpose, lang) or purpose
            for purpose in entry.purposes
        ],
        acquisition_method=str(entry.acquisition_method),
        storage_country=entry.storage_country,
        medium=str(entry.medium),
        retention_period=entry.retention_period,
        disposal_method=entry.disposal_method,
        special_care=entry.special_care,
    )


def _consent(consent: ConsentOut, policy: Policy, lang: Lang) -> DisclosedConsent:
    return DisclosedConsent(
        id=consent.id,
        category=consent.category,
        category_title=_category_title(policy, consent.category, lang),
        purpose=consent.purpose,
        purpose_text=_purpose_text(policy, consent.category, consent.purpose, lang),
        recipient=consent.recipient,
        country=consent.country,
        notice_version=consent.notice_version,
        method=str(consent.method),
        by_representative=consent.by_representative,
        given_at=consent.given_at,
        withdrawn_at=consent.withdrawn_at,
        withdrawal_method=(
            None if consent.withdrawal_method is None else str(consent.withdrawal_method)
        ),
    )


def _provision(record: ProvisionOut, policy: Policy, lang: Lang) -> DisclosedProvision:
    """Only the statutory items (R-TP-REC-1): not the decision, basis, citations or retention."""
    return DisclosedProvision(
        id=record.id,
        kind=str(record.kind),
        provided_at=record.provided_at,
        category=record.category,
        category_title=_category_title(policy, record.category, lang),
        purpose=record.purpose,
        recipient_name=record.recipient_name,
        recipient_country=record.recipient_country,
        items=list(record.items),
        consent_confirmed=record.consent_confirmed,
    )


def _provisions(session: Session, subject_id: str) -> Iterator[ProvisionOut]:
    offset = 0
    while True:
        page = list_provisions(session=session, subject_id=subject_id, limit=_PAGE, offset=offset)
        yield from page
        if len(page) < _PAGE:
            return
        offset += _PAGE


def gather_disclosure(
    *,
    session: Session,
    policy: Policy,
    subject_id: str,
    lang: Lang,
    include_third_party_records: bool,
    cipher: FieldCipher | None = None,
    actor: str | None = None,
    now: datetime | None = None,
    scope: SubjectScope | None = None,
    stores: Sequence[DisclosedStoreCollection] = (),
    stores_searched: bool = False,
) -> DisclosureRecord:
    """What the registry holds about `subject_id`, with the policy's texts in `lang`.

    The subject's identifiers (name, e-mail, ...) are decrypted and included only when `cipher`
    is given; with `actor` as well, that reveal is recorded in the audit chain
    (``subject.revealed``, field names only), so call it in a write unit of work then.
    NotFoundError ("subject not found") for an unknown subject, or one `scope` (the caller's
    role) may not see (R-MN-9).

    `stores` are the person's rows in the company's own stores (what the fulfilment job found
    through the data map); `stores_searched` says the stores were searched, so that a record
    with no rows there says "nothing was found" rather than nothing at all (it is implied by
    non-empty `stores`).
    """
    subject = get_subject(
        session=session,
        subject_id=subject_id,
        cipher=cipher,
        actor=actor if cipher is not None else None,
        scope=scope,
    )
    declared = policy.category(subject.category)
    purposes = [] if declared is None else declared.purposes
    provisions = (
        [_provision(p, policy, lang) for p in _provisions(session, subject.id)]
        if include_third_party_records
        else []
    )
    return DisclosureRecord(
        lang=lang,
        generated_at=now or utcnow(),
        organization=policy.organization.name.get(lang),
        subject=_subject(subject, policy, lang),
        purposes=[DisclosedPurpose(id=p.id, text=p.text.get(lang)) for p in purposes],
        ledger_entries=[
            _ledger_entry(e, policy, lang)
            for e in list_entries(session=session, category=subject.category)
        ],
        consents=[
            _consent(c, policy, lang) for c in list_consents(session=session, subject_id=subject.id)
        ],
        third_party_records_included=include_third_party_records,
        third_party_records=provisions,
        stores=list(stores),
        stores_searched=stores_searched or bool(stores),
    )


__all__ = ["DisclosureRecord", "build_package", "gather_disclosure"]
