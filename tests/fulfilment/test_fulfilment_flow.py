"""Fulfilment end to end: a request in review, its job run by the real handlers against the
sample company's stores (SQLite files, CSV and Parquet; with the servers, PostgreSQL and
MariaDB), the preview, the approval and what the stores hold afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from fulfilment_support import Fulfilment, request_in_review

from company import Company, person
from kojin.audit.service import verify_chain
from kojin.connectors.base import Row, RowKey
from kojin.errors import ConflictError, InputError
from kojin.fulfilment.job_schemas import JobKind, JobOut, JobState
from kojin.fulfilment.plans import ItemChange
from kojin.fulfilment.service import (
    access_result,
    approve_fulfilment,
    job_plan,
    job_result,
    start_fulfilment,
)


def _key(company: Company, address: str, row: Row) -> RowKey:
    location = company.datamap.find(*address.split("."))
    assert location is not None
    return tuple(row[column] for column in location.collection.primary_key)


def _as_text(key: RowKey) -> tuple[str, ...]:
    return tuple(str(part) for part in key)


def _start(fulfilment: Fulfilment, request_id: str, **kwargs: Any) -> JobOut:
    with fulfilment.database.uow() as session:
        return start_fulfilment(
            session=session,
            cipher=fulfilment.cipher,
            settings=fulfilment.settings,
            request_id=request_id,
            actor="staff:hanako",
            **kwargs,
        )


def _approve(fulfilment: Fulfilment, job_id: str) -> None:
    with fulfilment.database.uow() as session:
        approve_fulfilment(session=session, job_id=job_id, actor="staff:taro")


def _others(company: Company) -> dict[str, list[Row]]:
    """Every row of every collection that is not the target's."""
    return {
        address: [
            row
            for row in company.rows(address)
            if _as_text(_key(company, address, row)) not in {_as_text(k) for k in keys}
        ]
        for address, keys in company.expected.items()
    }


def test_access_finds_every_row_of_the_person_and_no_one_else(
    fulfilment: Fulfilment, company: Company, subject_id: str
) -> None:
    request_id = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="disclosure", subject_id=subject_id
    )
    job = _start(fulfilment, request_id)
    assert job.kind is JobKind.ACCESS
    done = fulfilment.run(job.id)
    assert done.state is JobState.DONE, done.error
    with fulfilment.database.read() as session:
        result = access_result(session=session, cipher=fulfilment.cipher, request_id=request_id)
    assert result is not None
    found = {
        f"{c.dataset}.{c.collection}": sorted(
            _as_text(_key(company, f"{c.dataset}.{c.collection}", row)) for row in c.rows
        )
        for c in result.stores
    }
    expected = {
        address: sorted(_as_text(k) for k in keys) for address, keys in company.expected.items()
    }
    assert found == {address: keys for address, keys in expected.items() if keys}
    # the systems named in the person's language; set-based queries, a few per collection
    assert {c.system_name for c in result.stores} == {
        "オンラインショップ",
        "カスタマーサポート",
        "CRMエクスポート",
    }
    assert result.queries <= 2 * result.collections_searched
    assert result.rows_found == sum(len(keys) for keys in company.expected.values())


def test_erasure_waits_for_approval_then_erases_and_keeps_what_the_law_holds(
    fulfilment: Fulfilment, company: Company, subject_id: str
) -> None:
    others_before = _others(company)
    request_id = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="erasure", subject_id=subject_id
    )
    job = _start(fulfilment, request_id)
    waiting = fulfilment.run(job.id)
    assert waiting.state is JobState.AWAITING_APPROVAL, waiting.error
    with fulfilment.database.read() as session:
        plan = job_plan(session=session, cipher=fulfilment.cipher, job_id=job.id)
        preview = job_result(session=session, cipher=fulfilment.cipher, job_id=job.id)
    assert plan is not None
    assert preview is not None
    # nothing has been written yet: the person's rows are all still there
    for address, keys in company.expected.items():
        present = {_as_text(_key(company, address, r)) for r in company.rows(address)}
        assert {_as_text(k) for k in keys} <= present, address
    # the payments under the tax hold are told, with the date they may go
    [payments] = list(company.held)
    held = [h for h in preview.held if h.address == payments]
    assert held
    assert sum(h.count for h in held) == len(company.held[payments])
    assert all(h.until > company.today for h in held)
    apply_tasks = [t for t in waiting.tasks if t.stage == "apply"]
    assert {t.name for t in apply_tasks} == set(preview.planned)

    _approve(fulfilment, job.id)
    done = fulfilment.run(job.id)
    assert done.state is JobState.DONE, done.error
    assert done.rows_written == plan.rows_planned

    # what was held is still there, untouched; nothing else of the person's is readable
    held_keys = {_as_text(k) for k in company.held[payments]}
    payment_rows = {_as_text(_key(company, payments, r)): r for r in company.rows(payments)}
    assert held_keys <= set(payment_rows)
    target = person(0)
    for address in company.expected:
        for row in company.rows(address):
            values = {str(v) for v in row.values() if v is not None}
            if _as_text(_key(company, address, row)) in held_keys and address == payments:
                continue
            assert target.email not in values, address
            assert target.phone not in values, address
    # every other person's rows are exactly as before
    assert _others(company) == others_before
    with fulfilment.database.read() as session:
        assert verify_chain(session=session).ok


def test_applying_the_same_plan_again_writes_nothing(
    fulfilment: Fulfilment, company: Company, subject_id: str
) -> None:
    from kojin.connectors.open import open_connectors
    from kojin.fulfilment.apply import apply_collection

    request_id = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="erasure", subject_id=subject_id
    )
    job = _start(fulfilment, request_id)
    fulfilment.run(job.id)
    with fulfilment.database.read() as session:
        plan = job_plan(session=session, cipher=fulfilment.cipher, job_id=job.id)
    assert plan is not None
    _approve(fulfilment, job.id)
    assert fulfilment.run(job.id).state is JobState.DONE
    connectors = open_connectors(company.datamap, fulfilment.settings)
    try:
        again = sum(
            apply_collection(datamap=company.datamap, connector=connectors[c.system], plan=c)
            for c in plan.collections
        )
    finally:
        for connector in connectors.values():
            connector.close()
    assert again == 0


def test_correction_previews_every_store_and_changes_only_the_person(
    fulfilment: Fulfilment, company: Company, subject_id: str
) -> None:
    request_id = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="correction", subject_id=subject_id
    )
    new_phone = "090-0000-1234"
    job = _start(
        fulfilment, request_id, changes=[ItemChange(target="kind:phone_number", value=new_phone)]
    )
    assert fulfilment.run(job.id).state is JobState.AWAITING_APPROVAL
    with fulfilment.database.read() as session:
        plan = job_plan(session=session, cipher=fulfilment.cipher, job_id=job.id)
    assert plan is not None
    changed = {c.address for c in plan.collections if c.changes}
    # the phone lives in the shop's customers and in the CRM export: both are previewed
    assert len(changed) >= 2
    assert all(
        change.before and all(v != new_phone for v in change.before.values())
        for c in plan.collections
        for change in c.changes
    )
    _approve(fulfilment, job.id)
    assert fulfilment.run(job.id).state is JobState.DONE
    for address in changed:
        keys = {_as_text(k) for k in company.expected[address]}
        for row in company.rows(address):
            if _as_text(_key(company, address, row)) in keys:
                assert new_phone in {str(v) for v in row.values()}, address
            else:
                assert new_phone not in {str(v) for v in row.values()}, address


def test_cessation_lists_the_systems_to_stop(
    fulfilment: Fulfilment, company: Company, subject_id: str
) -> None:
    request_id = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="stop_use", subject_id=subject_id
    )
    job = _start(fulfilment, request_id)
    assert fulfilment.run(job.id).state is JobState.DONE
    with fulfilment.database.read() as session:
        result = job_result(session=session, cipher=fulfilment.cipher, job_id=job.id)
    assert result is not None
    assert result.notify is not None
    assert {s.system for s in result.notify.systems} == {"shop", "support", "exports"}


def test_fulfilment_is_refused_where_it_cannot_run(
    fulfilment: Fulfilment, company: Company, subject_id: str
) -> None:
    inquiry = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="inquiry", subject_id=None
    )
    with pytest.raises(ConflictError, match="nothing to fulfil"):
        _start(fulfilment, inquiry)
    correction = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="correction", subject_id=subject_id
    )
    with pytest.raises(InputError) as missing:
        _start(fulfilment, correction)
    assert missing.value.field == "changes"
    erasure = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="erasure", subject_id=subject_id
    )
    _start(fulfilment, erasure)
    with pytest.raises(ConflictError, match="has not ended"):
        _start(fulfilment, erasure)
    without_map = Fulfilment(
        fulfilment.database,
        fulfilment.cipher,
        fulfilment.settings.model_copy(update={"datamap_file": None}),
    )
    other = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="disclosure", subject_id=subject_id
    )
    with pytest.raises(ConflictError, match="no data map"):
        _start(without_map, other)
