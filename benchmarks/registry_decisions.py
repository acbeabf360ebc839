"""Audited decisions per second on the registry (SQLite file; PostgreSQL when
KOJIN_BENCH_DATABASE_URL is set), against the bare decision engine run in the same process.

Run: .venv/bin/python benchmarks/registry_decisions.py
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring
from kojin.db.migrate import upgrade
from kojin.db.uow import Database
from kojin.law import decide
from kojin.law.decision_schemas import ConsentStatement, DecisionRequest, Facts, Recipient
from kojin.law.vocabulary import Action
from kojin.policy import load_policy, to_facts
from kojin.registry.consents import ConsentCreate, ConsentMethod, record_consent
from kojin.registry.decisions import decide_and_record, decide_batch
from kojin.registry.subjects import SubjectCreate, create_subject

SECONDS = 3.0
BATCH = 50


def rate(label: str, work: Callable[[], int]) -> float:
    """Run `work` (returns decisions done) repeatedly for SECONDS; print and return per second."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < SECONDS:
        done += work()
    per_second = done / elapsed
    print(f"{label:<58} {per_second:>10,.0f} /s")
    return per_second


def main() -> None:
    policy = to_facts(load_policy(None))
    provide = DecisionRequest(
        action=Action.PROVIDE,
        category="customer",
        purpose="provide_services",
        recipient=Recipient(name="Partner KK", country="JP"),
        consent=ConsentStatement(given=True),
    )
    facts = Facts.from_request(provide)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("KOJIN_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'b.sqlite3'}"
        upgrade(url)
        database = Database.from_url(url)
        cipher = FieldCipher(Keyring.generate())
        with database.uow() as session:
            subject = create_subject(
                session=session,
                cipher=cipher,
                subject_in=SubjectCreate(category="customer", email="b@example.jp"),
                actor="bench",
                policy=policy,
            )
            record_consent(
                session=session,
                consent_in=ConsentCreate(
                    subject_id=subject.id,
                    category="customer",
                    notice_version="1",
                    method=ConsentMethod.CHECKBOX,
                ),
                actor="bench",
                policy=policy,
            )
        known = provide.model_copy(update={"subject_id": subject.id, "consent": None})

        def bare() -> int:
            decide(provide, policy, facts)
            return 1

        def one(request: DecisionRequest) -> Callable[[], int]:
            def work() -> int:
                with database.uow() as session:
                    decide_and_record(session=session, request=request, policy=policy, actor="b")
                return 1

            return work

        def batch() -> int:
            with database.uow() as session:
                decide_batch(session=session, requests=[provide] * BATCH, policy=policy, actor="b")
            return BATCH

        print(f"backend: {database.engine.dialect.name}; {SECONDS:.0f} s per figure")
        baseline = rate("decide() alone (baseline, no registry)", bare)
        figures = [
            ("decide_and_record, 1 per transaction, provision record", one(provide)),
            ("decide_and_record, known subject (consents + flags read)", one(known)),
            (f"decide_batch, {BATCH} per transaction", batch),
        ]
        for label, work in figures:
            value = rate(label, work)
            print(f"{'':<58} {value / baseline:>10.3f} x baseline")
        with database.read() as session:
            start = time.perf_counter()
            result = verify_chain(session=session)
            elapsed = time.perf_counter() - start
        assert result.ok, result.reason
        label = f"verify_chain over {result.checked:,} entries"
        print(f"{label:<58} {result.checked / elapsed:>10,.0f} entries/s")
        database.dispose()


if __name__ == "__main__":
    main()
