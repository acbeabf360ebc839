"""The fulfilment section of a request's staff page, over the sample company's SQLite stores and
files: each state of a job, the start form (a correction's items and their errors), the preview
of an erasure with its held payments, approval, the result, the statement of what was kept that
reaches the person, and the guards (CSRF, roles, no personal value in the logs)."""

from __future__ import annotations

import html
import logging
import re
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from httpx import Response
from markupsafe import escape
from pydantic import SecretStr
from web_support import PUBLIC_URL, TestClient, csrf_of, make_staff, sign_in, submit_verified

from company import Company, build_company, person
from kojin.api.state import state_of
from kojin.auth.roles import Role
from kojin.datamap.model import LocalText
from kojin.db.uow import Database
from kojin.fulfilment.handlers import build_handlers
from kojin.fulfilment.identities import Identities
from kojin.fulfilment.job_schemas import JobOut, JobState
from kojin.fulfilment.plans import CollectionPlan, KeyedChange
from kojin.fulfilment.runner import JobRunner
from kojin.fulfilment.service import latest_job
from kojin.fulfilment.work import HeldCollection, WorkPayload
from kojin.registry.subjects.schemas import SubjectCreate
from kojin.registry.subjects.service import create_subject
from kojin.settings import Settings
from kojin.web.admin.fulfilment_view import PREVIEW_ROWS, collection_preview, held_statement
from kojin.web.i18n import format_date, tokyo_today
from kojin.web.site import create_site

TARGET = person(0)


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def company(tmp_path: Path) -> Iterator[Company]:
    built = build_company(tmp_path / "company", today=tokyo_today(datetime.now(UTC)))
    yield built
    built.drop()


def _settings(base: Settings, company: Company, worker_mode: str) -> Settings:
    """`base` pointed at the company's data map and stores, at kojin's test address."""
    return base.model_copy(
        update={
            "datamap_file": company.datamap_file,
            "store_urls": {
                "shop": SecretStr(company.shop_url),
                "support": SecretStr(company.support_url),
            },
            "worker_mode": worker_mode,
            "public_url": PUBLIC_URL,
        }
    )


@pytest.fixture
def app(settings: Settings, database: Database, company: Company) -> FastAPI:
    """The site over the shared registry (SQLite, and PostgreSQL when configured) with the
    company's data map; jobs wait for the test to run them."""
    return create_site(_settings(settings, company, "external"), database=database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=PUBLIC_URL, follow_redirects=False) as opened:
        yield opened


# --- helpers -----------------------------------------------------------------------------------


def _signed_in(client: TestClient, app: FastAPI, role: Role = Role.PRIVACY_OFFICER) -> None:
    answer = sign_in(client, make_staff(state_of(app).database, role))
    assert isinstance(answer, Response)
    assert answer.status_code == 303


def _page(client: TestClient, request_id: str, lang: str = "en") -> str:
    answer = client.get(f"/admin/requests/{request_id}?lang={lang}")
    assert answer.status_code == 200
    return str(answer.text)


def _section(page: str) -> str:
    # the section ends where the page's next part (the result, or the history) begins
    found = re.search(r'<section id="fulfilment".*?(?=<h2>)', page, re.S)
    assert found is not None, "the page has no fulfilment section"
    return found.group(0)


def _text(fragment: str) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _act(client: TestClient, request_id: str, action: str, **fields: str) -> Response:
    page = client.get(f"/admin/requests/{request_id}")
    answer = client.post(
        f"/admin/requests/{request_id}/actions",
        data={"csrf_token": csrf_of(page.text), "action": action, **fields},
    )
    assert isinstance(answer, Response)
    return answer


def _post(client: TestClient, request_id: str, what: str, **fields: str) -> Response:
    page = client.get(f"/admin/requests/{request_id}")
    answer = client.post(
        f"/admin/requests/{request_id}/fulfilment/{what}",
        data={"csrf_token": csrf_of(page.text), **fields},
    )
    assert isinstance(answer, Response)
    return answer


def _job(app: FastAPI, request_id: str) -> JobOut:
    with state_of(app).database.read() as session:
        job = latest_job(session=session, request_id=request_id)
    assert job is not None
    return job


def _run(app: FastAPI, request_id: str) -> JobOut:
    """Run the request's job with the real handlers, as a worker would."""
    state = state_of(app)
    runner = JobRunner(
        session_factory=state.database.uow,
        cipher=state.cipher(),
        handlers=build_handlers(state.settings),
        reader=state.database.read,
    )
    return runner.run(_job(app, request_id).id, worker_id="test-worker")


def _target_subject(app: FastAPI) -> str:
    state = state_of(app)
    with state.database.uow() as session:
        return create_subject(
            session=session,
            cipher=state.cipher(),
            subject_in=SubjectCreate(
                category="customer",
                name=TARGET.name,
                email=TARGET.email,
                phone=TARGET.phone,
                customer_number=TARGET.customer_number,
            ),
            policy=state.facts,
            actor="test",
        ).id


def _in_review(client: TestClient, app: FastAPI, kind: str, lang: str = "ja") -> str:
    """A request of `kind` from the company's target, verified and under review."""
    request_id = submit_verified(
        app, kind=kind, lang=lang, name=TARGET.name, email=TARGET.email, details="対応を求めます。"
    )
    assert _act(client, request_id, "verify_identity").status_code == 303
    if kind == "disclosure":
        answer = _act(client, request_id, "record_fee", fee_reference="振込 0001")
        assert answer.status_code == 303
    return request_id


def _held_until(company: Company) -> date:
    """The day the target's last payment under the 7-year tax hold may go."""
    [(address, keys)] = company.held.items()
    wanted = {str(key[0]) for key in keys}
    days = [r["issued_on"] for r in company.rows(address) if str(r["id"]) in wanted]
    last = date.fromisoformat(str(max(str(d) for d in days)))
    try:
        return last.replace(year=last.year + 7)
    except ValueError:
        return last.replace(year=last.year + 7, day=28)


def _wait_for(client: TestClient, request_id: str, state: str, timeout: float = 60) -> str:
    """Reload the page (as staff would) until the job shows `state`; the section's text."""
    deadline = time.monotonic() + timeout
    while True:
        section = _text(_section(_page(client, request_id)))
        if f"State {state}" in section:
            return section
        assert "State Failed" not in section or state == "Failed", section
        assert time.monotonic() < deadline, f"the job never reached {state}: {section}"
        time.sleep(0.2)


# --- the section's states ------------------------------------------------------------------------


def test_without_a_data_map_the_section_says_so(site: FastAPI, web: TestClient) -> None:
    request_id = submit_verified(site, kind="erasure", name=TARGET.name, email=TARGET.email)
    _signed_in(web, site)
    section = _section(_page(web, request_id))
    assert "No data map is configured" in section
    assert "KOJIN_DATAMAP_FILE" in section
    assert "/fulfilment/start" not in section
    inquiry = submit_verified(site, kind="inquiry", email="ken@example.com")
    assert 'id="fulfilment"' not in _page(web, inquiry)


def test_a_data_map_that_cannot_be_read_is_said_and_nothing_starts(
    web_settings: Settings, tmp_path: Path
) -> None:
    broken = tmp_path / "datamap.yaml"
    broken.write_text("datamap: 1\nsystems:\n  - key: shop\n    url: sqlite:///x\n")
    app = create_site(web_settings.model_copy(update={"datamap_file": broken}))
    with TestClient(app, base_url=PUBLIC_URL, follow_redirects=False) as client:
        _signed_in(client, app)
        request_id = _in_review(client, app, "correction")
        section = _text(_section(_page(client, request_id)))
        assert "The data map could not be read" in section
        assert "kojin datamap check" in section
        assert "Search the company's systems" not in section
        refused = _post(client, request_id, "start", rows="1", target_1="kind:email", value_1="a")
        assert refused.status_code == 409
        assert _job_count(app, request_id) == 0


def test_the_search_starts_only_once_the_request_is_in_review(
    app: FastAPI, client: TestClient
) -> None:
    request_id = submit_verified(app, kind="erasure", name=TARGET.name, email=TARGET.email)
    _signed_in(client, app)
    received = _section(_page(client, request_id))
    assert "have not been searched" in received
    assert "/fulfilment/start" not in received
    early = _post(client, request_id, "start")
    assert early.status_code == 409
    assert "the request must be under review" in _text(early.text)
    assert _act(client, request_id, "verify_identity").status_code == 303
    section = _section(_page(client, request_id))
    assert f'action="/admin/requests/{request_id}/fulfilment/start"' in section
    assert "Search the company&#39;s systems" in section
    assert 'name="target_1"' not in section  # an erasure carries no items


def test_an_access_search_runs_then_its_rows_go_into_the_package(
    app: FastAPI, client: TestClient, company: Company
) -> None:
    _signed_in(client, app)
    request_id = _in_review(client, app, "disclosure")
    started = _post(client, request_id, "start")
    assert started.status_code == 303
    location = started.headers["location"]
    assert location == f"/admin/requests/{request_id}?done=fulfilment_start#fulfilment"
    queued = _text(_section(client.get(location).text))
    assert "The search of the company's systems has been started" in queued
    assert "State Waiting for a worker" in queued
    assert "0 of 1 tasks done" in queued
    assert "Refresh to see its progress" in queued
    assert "Cancel the job" in queued

    assert _run(app, request_id).state is JobState.DONE
    section = _text(_section(_page(client, request_id)))
    assert "State Done" in section
    assert "Refresh" not in section
    assert "The disclosure package will include these rows" in section
    for address, keys in company.expected.items():
        if keys:
            assert f"{address} {len(keys)}" in section, address
    assert "Online shop" in section  # the system's name in the page's language
    japanese = _text(_section(_page(client, request_id, "ja")))
    assert "オンラインショップ" in japanese
    assert "開示データにこれらの行を含めます" in japanese

    subject_id = _target_subject(app)
    assert _act(client, request_id, "approve", subject_id=subject_id).status_code == 303
    package = client.get(f"/admin/requests/{request_id}/package")
    assert package.status_code == 200
    with zipfile.ZipFile(BytesIO(package.content)) as archive:
        stores = {
            n: archive.read(n).decode() for n in archive.namelist() if n.startswith("stores/")
        }
    assert stores, "the package holds no rows of the company's stores"
    assert all(name.endswith(".csv") for name in stores)
    assert any(TARGET.email in text for text in stores.values())


def test_an_erasure_previews_approves_and_tells_the_person_what_was_kept(
    settings: Settings,
    database: Database,
    company: Company,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With the server's own worker (on PostgreSQL, through procrastinate's queue): the page
    shows each step as the worker gets there."""
    caplog.set_level(logging.DEBUG)
    app = create_site(_settings(settings, company, "inprocess"), database=database)
    with TestClient(app, base_url=PUBLIC_URL, follow_redirects=False) as client:
        _signed_in(client, app)
        request_id = _in_review(client, app, "erasure")
        assert _post(client, request_id, "start").status_code == 303
        section = _wait_for(client, request_id, "Waiting for your approval")
        page = _page(client, request_id)
        preview = _section(page)
        until = format_date(_held_until(company), "en")
        held = len(next(iter(company.held.values())))
        # the held payments, with the reason, the citation and the date they may go
        assert f"{held} record(s) kept until {until}: Tax records" in section
        assert "Corporation Tax Act Art. 126" in section
        # every change with the value before and after; rows to delete listed in full
        assert "Changes in shop_db.customers" in section
        changes = preview[preview.index("Changes in shop_db.customers") :]
        assert re.search(
            rf"<td class=\"value\">{re.escape(TARGET.email)}</td>\s*"
            r"<td class=\"value\"><span aria-hidden=\"true\">→ </span>[0-9a-f]{16}</td>",
            changes,
        )
        assert "Rows to delete in support_db.tickets" in section
        assert "Hanako.Yamada@Example.JP" in preview  # the ticket in capitals, found too
        assert "Nothing has been written yet" in section
        assert 'action="/admin/requests/' in preview
        assert "Approve and apply the changes" in section
        # nothing has been written yet
        assert any(r["email"] == TARGET.email for r in company.rows("support_db.tickets"))

        job_id = _job(app, request_id).id
        approved = _post(client, request_id, "approve", job_id=job_id)
        assert approved.status_code == 303
        assert approved.headers["location"].endswith("?done=fulfilment_approve#fulfilment")
        done = _wait_for(client, request_id, "Done")
        assert "Rows written in each collection" in done
        assert f"{held} record(s) kept until {until}" in done
        statement = (
            f"次の情報は法令により保存が義務付けられているため保存します：税務書類: 支払記録は"
            f"発行日から7年間保存します（Corporation Tax Act Art. 126; Ordinance for Enforcement"
            f" Art. 59）、{held}件、{format_date(_held_until(company), 'ja')}まで。"
        )
        assert statement in done
        # the stores no longer hold the person's e-mail address (the held payments keep no
        # address; they keep the billed name the law requires)
        for address in ("support_db.tickets", "support_db.ticket_messages", "shop_db.customers"):
            for row in company.rows(address):
                assert TARGET.email.casefold() not in str(row).casefold(), address
        payments = company.rows("shop_db.payments")
        kept = {str(k[0]) for k in next(iter(company.held.values()))}
        assert {str(r["id"]) for r in payments} >= kept

        # the approve form says what will be added; approving adds it to the message
        action = page[page.index('id="action-approve"') :]
        assert "The following will be added to the message to the person" not in action
        assert "have not been handled for this request yet" in action
        form = _page(client, request_id)
        approve_form = form[form.index('id="action-approve"') :]
        assert "The following will be added to the message to the person" in approve_form
        assert "have not been handled for this request yet" not in approve_form
        assert statement in html.unescape(approve_form)
        answer = _act(
            client,
            request_id,
            "approve",
            subject_id=_target_subject(app),
            explanation="ご請求のデータを消去しました。",
        )
        assert answer.status_code == 303
        result = _page(client, request_id)
        outcome = html.unescape(result[result.index("<h2>Result</h2>") :])
        assert "ご請求のデータを消去しました。\n\n" + statement in outcome

    shown = [record.getMessage() for record in caplog.records]
    for value in (TARGET.email, TARGET.phone, TARGET.name, TARGET.customer_number, "Hanako"):
        assert not any(value in message for message in shown), value


def test_a_correction_form_says_what_is_wrong_on_each_row(app: FastAPI, client: TestClient) -> None:
    _signed_in(client, app)
    request_id = _in_review(client, app, "correction")
    section = _section(_page(client, request_id))
    assert '<option value="kind:phone_number">Every field holding phone_number</option>' in section
    assert '<option value="shop_db.customers.address">' in section
    assert 'value="shop_db.customers.id"' not in section  # a key
    assert 'value="shop_db.orders.customer_id"' not in section  # links two tables
    assert section.count('<fieldset class="change-row">') == 3
    assert '<label for="fs-target-1">' in section

    empty = _post(client, request_id, "start", rows="3")
    assert empty.status_code == 422
    assert '<a href="#fs-target-1">Give at least one item to change</a>' in empty.text
    wrong = _post(
        client,
        request_id,
        "start",
        rows="3",
        target_1="kind:phone_number",
        target_2="shop_db.customers.id",
        value_2="9",
        target_3="shop_db.customers.address",
        value_3="東京都港区1-1",
        delete_3="1",
    )
    assert wrong.status_code == 422
    text = _text(wrong.text)
    assert 'Enter the new value, or tick "Delete this item"' in text
    assert "Choose one of the listed fields" in text
    assert 'Either enter a new value or tick "Delete this item", not both' in text
    assert 'aria-describedby="fs-value-1-error" aria-invalid="true"' in wrong.text
    assert 'value="東京都港区1-1"' in wrong.text  # what was typed stays in the form
    assert '<option value="kind:phone_number" selected>' in wrong.text
    assert _job_count(app, request_id) == 0

    more = _post(client, request_id, "start", rows="3", more_rows="1", value_2="x")
    assert more.status_code == 200
    assert _section(more.text).count('<fieldset class="change-row">') == 6
    assert _job_count(app, request_id) == 0

    new_phone = "090-0000-1234"
    started = _post(
        client,
        request_id,
        "start",
        rows="3",
        target_1="kind:phone_number",
        value_1=new_phone,
        target_2="shop_db.customers.postal_code",
        delete_2="1",
    )
    assert started.status_code == 303
    assert _run(app, request_id).state is JobState.AWAITING_APPROVAL
    preview = _section(_page(client, request_id))
    assert "Changes in shop_db.customers" in preview
    assert re.search(
        rf"<code>phone</code></td>\s*<td class=\"value\">{TARGET.phone}</td>\s*"
        rf"<td class=\"value\"><span aria-hidden=\"true\">→ </span>{new_phone}</td>",
        preview,
    )
    assert re.search(
        r"<code>postal_code</code></td>\s*<td class=\"value\">100-0001</td>\s*"
        r"<td class=\"value\"><span aria-hidden=\"true\">→ </span>"
        r"<span class=\"empty\">\(empty\)</span></td>",
        preview,
    )
    assert "Changes in crm_exports.contacts" in preview


def _job_count(app: FastAPI, request_id: str) -> int:
    with state_of(app).database.read() as session:
        return 0 if latest_job(session=session, request_id=request_id) is None else 1


def test_a_failed_job_says_why_and_can_be_retried_or_cancelled(
    app: FastAPI, client: TestClient
) -> None:
    _signed_in(client, app)
    request_id = _in_review(client, app, "correction")
    # every e-mail field: one of them keys the newsletter subscriptions and cannot change
    started = _post(
        client, request_id, "start", rows="1", target_1="kind:email", value_1="new@example.jp"
    )
    assert started.status_code == 303
    assert _run(app, request_id).state is JobState.FAILED
    section = _text(_section(_page(client, request_id)))
    assert "State Failed" in section
    assert "The job failed" in section
    assert "primary key and cannot be changed" in section
    assert "new@example.jp" not in section  # the job's error names fields, not values
    assert "Run the job again" in section
    assert "Cancel the job" in section

    job_id = _job(app, request_id).id
    retried = _post(client, request_id, "retry", job_id=job_id)
    assert retried.status_code == 303
    assert "State Waiting for a worker" in _text(_section(_page(client, request_id)))
    assert _run(app, request_id).state is JobState.FAILED
    cancelled = _post(client, request_id, "cancel", job_id=job_id)
    assert cancelled.status_code == 303
    section = _text(_section(client.get(cancelled.headers["location"]).text))
    assert "The job has been cancelled." in section
    assert "State Cancelled" in section
    assert "Search the company's systems" in section  # it can be started again
    stale = _post(client, request_id, "retry", job_id=job_id)
    assert stale.status_code == 409
    assert "The job changed before your action was recorded" in _text(stale.text)
    other = _post(client, request_id, "approve", job_id="0" * 32)
    assert other.status_code == 409


def test_cessation_lists_the_systems_and_departments_to_tell(
    app: FastAPI, client: TestClient
) -> None:
    _signed_in(client, app)
    request_id = _in_review(client, app, "stop_use")
    assert _post(client, request_id, "start").status_code == 303
    assert _run(app, request_id).state is JobState.DONE
    section = _text(_section(_page(client, request_id)))
    assert "Systems that must stop using the data" in section
    for name, department in (
        ("Online shop", "EC Division"),
        ("Customer support", "Customer Support Department"),
        ("CRM exports", "Marketing Department"),
    ):
        assert f"{name} {department}" in section
    assert "No provision of the person's data to third parties is recorded." in section


def test_the_section_is_in_japanese(app: FastAPI, client: TestClient) -> None:
    _signed_in(client, app)
    request_id = _in_review(client, app, "erasure")
    start = _section(_page(client, request_id, "ja"))
    assert "社内システムでの対応" in start
    assert "社内システムを検索" in start
    assert _post(client, request_id, "start").status_code == 303
    assert _run(app, request_id).state is JobState.AWAITING_APPROVAL
    section = _text(_section(_page(client, request_id, "ja")))
    assert "状態 承認待ち" in section
    assert "税務書類: 支払記録は発行日から7年間保存します" in section
    assert "まで保存" in section
    assert "承認して変更を適用" in section
    assert "ジョブを取り消す" in section


# --- guards ------------------------------------------------------------------------------------


HOSTILE = "<script>alert('x')</script>" + "長い本文" * 200


def test_values_from_the_stores_are_escaped_in_cells_that_wrap(
    app: FastAPI, client: TestClient, company: Company
) -> None:
    engine = sa.create_engine(company.support_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE tickets SET body = :body WHERE email = :email"),
                {"body": HOSTILE, "email": TARGET.email},
            )
    finally:
        engine.dispose()
    _signed_in(client, app)
    request_id = _in_review(client, app, "erasure")
    assert _post(client, request_id, "start").status_code == 303
    assert _run(app, request_id).state is JobState.AWAITING_APPROVAL
    page = _page(client, request_id)
    assert "<script>alert" not in page
    tickets = page[page.index("Rows to delete in support_db.tickets") :]
    # escaped, in a cell of the class whose long values wrap (kojin.css)
    assert f'<td class="value">{escape(HOSTILE)}</td>' in tickets


def test_every_post_needs_the_forms_token(app: FastAPI, client: TestClient) -> None:
    _signed_in(client, app)
    request_id = _in_review(client, app, "erasure")
    refused = client.post(f"/admin/requests/{request_id}/fulfilment/start", data={})
    assert refused.status_code == 403
    forged = client.post(
        f"/admin/requests/{request_id}/fulfilment/start", data={"csrf_token": "x" * 43}
    )
    assert forged.status_code == 403
    assert _job_count(app, request_id) == 0
    assert _post(client, request_id, "start").status_code == 303
    job_id = _job(app, request_id).id
    for what in ("approve", "cancel", "retry"):
        answer = client.post(
            f"/admin/requests/{request_id}/fulfilment/{what}", data={"job_id": job_id}
        )
        assert answer.status_code == 403, what
    assert _job(app, request_id).state is JobState.QUEUED


def test_an_auditor_reads_the_preview_but_has_no_buttons(app: FastAPI, client: TestClient) -> None:
    _signed_in(client, app)
    request_id = _in_review(client, app, "erasure")
    assert _post(client, request_id, "start").status_code == 303
    assert _run(app, request_id).state is JobState.AWAITING_APPROVAL
    client.cookies.clear()
    _signed_in(client, app, Role.AUDITOR)
    section = _section(_page(client, request_id))
    assert "Waiting for your approval" in section
    assert "Rows to delete in support_db.tickets" in section
    assert "<form" not in section
    assert "/fulfilment/" not in section
    token = csrf_of(_page(client, request_id))  # the sign-out form's
    answer = client.post(
        f"/admin/requests/{request_id}/fulfilment/approve",
        data={"csrf_token": token, "job_id": _job(app, request_id).id},
    )
    assert answer.status_code == 403
    assert _job(app, request_id).state is JobState.AWAITING_APPROVAL


def test_a_request_closed_meanwhile_leaves_only_the_cancellation(
    app: FastAPI, client: TestClient
) -> None:
    _signed_in(client, app)
    request_id = _in_review(client, app, "erasure")
    assert _post(client, request_id, "start").status_code == 303
    assert _run(app, request_id).state is JobState.AWAITING_APPROVAL
    refused = _act(
        client,
        request_id,
        "refuse",
        refusal_ground="deficient_procedure",
        explanation="手続に不備があります。",
    )
    assert refused.status_code == 303
    section = _section(_page(client, request_id))
    assert "/fulfilment/approve" not in section
    assert "Cancel the job" in section
    job_id = _job(app, request_id).id
    assert _post(client, request_id, "approve", job_id=job_id).status_code == 409
    assert _job(app, request_id).state is JobState.AWAITING_APPROVAL
    assert _post(client, request_id, "cancel", job_id=job_id).status_code == 303
    assert _job(app, request_id).state is JobState.CANCELLED


# --- the pieces --------------------------------------------------------------------------------


def test_a_big_preview_shows_200_rows_per_collection_and_counts_the_rest(
    company: Company,
) -> None:
    plan = CollectionPlan(
        system="support",
        dataset="support_db",
        collection="tickets",
        deletes=[[i] for i in range(1, 251)],
        changes=[KeyedChange(key=[999], values={"email": "x"}, before={"email": "y"})],
    )
    work = WorkPayload(lang="en", today=company.today, identities=Identities(values={}))
    shown = collection_preview(plan, work, company.datamap, "en")
    assert len(shown.deletes) == PREVIEW_ROWS
    assert shown.deletes[0].key == "id 1"
    assert shown.changes == []
    assert shown.hidden == 51
    assert shown.system == "Customer support"


def test_the_statement_joins_what_one_reason_kept_and_names_the_last_day() -> None:
    reason = LocalText(en="Tax records", ja="税務書類")
    held = [
        HeldCollection(
            address="a.b", count=1, until=date(2030, 3, 1), reason=reason, citation="Art. 1"
        ),
        HeldCollection(
            address="a.c", count=2, until=date(2031, 4, 2), reason=reason, citation="Art. 1"
        ),
        HeldCollection(
            address="a.d",
            count=1,
            until=date(2029, 1, 5),
            reason=LocalText(en="Wages", ja="賃金"),
            citation=None,
        ),
    ]
    assert held_statement(held, "en") == (
        "The following is kept because the law requires it: Tax records (Art. 1), 3 records, "
        "until 2 April 2031.\n"
        "The following is kept because the law requires it: Wages, 1 record, until 5 January 2029."
    )
    assert held_statement(held[2:], "ja") == (
        "次の情報は法令により保存が義務付けられているため保存します：賃金、1件、2029年1月5日まで。"
    )
    assert held_statement([], "en") is None
