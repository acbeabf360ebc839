"""A registry with a request about the sample company's target, and the real fulfilment
handlers pointed at the company's stores."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pytest
from pydantic import SecretStr

from company import Company, person
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.fulfilment.handlers import Stores, handlers_for
from kojin.fulfilment.job_schemas import JobOut
from kojin.fulfilment.runner import JobRunner, TaskHandler
from kojin.policy import load_policy, to_facts
from kojin.policy.model import Policy
from kojin.registry.subjects.schemas import SubjectCreate
from kojin.registry.subjects.service import create_subject
from kojin.requests import records
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState
from kojin.settings import Settings

#: the day the company's dates are fixed to (payments within 7 years are under the tax hold)
TODAY = date(2026, 12, 1)


def server_url(variable: str, name: str) -> str:
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set: this variant needs a {name} server")
    return url


def company_settings(settings: Settings, company: Company) -> Settings:
    """`settings` pointed at the company's data map and stores."""
    return settings.model_copy(
        update={
            "datamap_file": company.datamap_file,
            "store_urls": {
                "shop": SecretStr(company.shop_url),
                "support": SecretStr(company.support_url),
            },
        }
    )


def target_subject(database: Database, cipher: FieldCipher, policy: Policy) -> str:
    """The registry subject of the company's target (e-mail, phone, customer number)."""
    target = person(0)
    with database.uow() as session:
        return create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(
                category="customer",
                name=target.name,
                email=target.email,
                phone=target.phone,
                customer_number=target.customer_number,
            ),
            policy=to_facts(policy),
            actor="test",
        ).id


def request_in_review(
    database: Database,
    cipher: FieldCipher,
    *,
    kind: str,
    subject_id: str | None,
    email: str | None = None,
    lang: str = "ja",
) -> str:
    """A request of `kind` in review (identity verified), linked to `subject_id`."""
    request_id = uuid.uuid4().hex
    with database.uow() as session:
        row = DataRequest(
            id=request_id,
            reference_bidx=uuid.uuid4().hex,
            kind=kind,
            state=RequestState.IN_REVIEW.value,
            lang=lang,
            subject_id=subject_id,
            submission_key_hash=uuid.uuid4().hex,
            submitted_at=utcnow(),
            received_at=utcnow(),
            key_id=cipher.current_key_id,
        )
        session.add(row)
        session.flush()
        records.put(cipher, row, "email", email or person(0).email)
    return request_id


@dataclass
class Fulfilment:
    """The handlers and a runner over one registry."""

    database: Database
    cipher: FieldCipher
    settings: Settings

    @property
    def policy(self) -> Policy:
        return load_policy(self.settings.policy_file)

    def handlers(self) -> Mapping[str, TaskHandler]:
        return handlers_for(Stores(settings=self.settings, cipher=self.cipher, policy=self.policy))

    def run(self, job_id: str) -> JobOut:
        runner = JobRunner(
            session_factory=self.database.uow,
            cipher=self.cipher,
            handlers=self.handlers(),
            reader=self.database.read,
        )
        return runner.run(job_id=job_id, worker_id="test-worker")
