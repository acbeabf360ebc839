"""Cessation of use, in Chromium, changing a decision (APPI Art. 35(2); R-RT-6).

A system asks kojin's API whether it may use a customer's data for a declared purpose: yes. The
customer asks the portal to stop using it; while the request is only under review the answer
is still yes. The privacy officer approves it in the browser, naming the registry subject by
its id, and from that moment the subject's stop flag is set and the same question is answered
no, the reason citing the stop.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from web_support import make_subject

from kojin.auth.roles import Role
from kojin.auth.service import create_token

from .flow_support import (
    FlowSite,
    Person,
    ask,
    browsing,
    identity_image,
    open_from_queue,
    open_queue,
    open_status,
    request_state,
    staff_act,
    staff_sign_in,
    status_fact,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PERSON = Person(
    name="Naomi Ito",
    email="naomi.ito@example.com",
    details="Please stop using my data for anything beyond my existing orders.",
)


def _api(site: FlowSite) -> httpx.Client:
    """A client of the live site's API with an admin token made for it."""
    with site.live.database.uow() as session:
        _, token = create_token(session=session, role=Role.ADMIN, name="flow test")
    return httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _decide(api: httpx.Client, subject_id: str) -> dict[str, Any]:
    """May the customer's data be used to provide the services? (recorded and chained)"""
    answer = api.post(
        "/api/v1/decisions",
        json={
            "action": "use",
            "category": "customer",
            "purpose": "provide_services",
            "subject_id": subject_id,
        },
    )
    assert answer.status_code == 200, answer.text
    decision: dict[str, Any] = answer.json()["decision"]
    return decision


def _flags(api: httpx.Client, subject_id: str) -> dict[str, Any]:
    answer = api.get(f"/api/v1/subjects/{subject_id}")
    assert answer.status_code == 200, answer.text
    subject: dict[str, Any] = answer.json()
    return subject


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def test_approving_a_cessation_of_use_makes_the_same_decision_deny(
    browser: Browser, flow_site: FlowSite, tmp_path: Path
) -> None:
    subject_id = make_subject(flow_site.live.app, email=PERSON.email)
    with (
        _api(flow_site) as api,
        browsing(browser, flow_site, "stop-use-person", locale="en-GB") as person,
        browsing(browser, flow_site, "stop-use-staff", locale="en-GB") as staff,
    ):
        before = _decide(api, subject_id)
        assert (before["allowed"], before["outcome"]) == (True, "allow")

        reference = ask(
            person,
            flow_site,
            "stop_use",
            PERSON,
            identity=identity_image(tmp_path, "passport.png"),
        )
        staff_sign_in(staff)
        open_queue(staff)
        open_from_queue(staff, "Cessation of use", "Received")
        staff.shot("admin-request-received")
        staff_act(staff, "verify_identity")
        assert request_state(staff) == "Under review"

        # under review is not yet approved: the data may still be used
        assert _decide(api, subject_id)["allowed"] is True
        assert _flags(api, subject_id)["stop_use"] is False

        approve = staff.page.locator("#action-approve")
        assert approve.locator("#a-approve-subject-id").input_value() == ""
        approved_from = datetime.now(UTC)
        staff_act(staff, "approve", subject_id=subject_id)
        approved_by = datetime.now(UTC)
        assert request_state(staff) == "Completed"
        assert subject_id in staff.main_text()

        flags = _flags(api, subject_id)
        assert (flags["stop_use"], flags["stop_provision"]) == (True, False)
        assert approved_from <= _instant(flags["flags_updated_at"]) <= approved_by

        after = _decide(api, subject_id)
        assert (after["allowed"], after["outcome"]) == (False, "deny")
        assert "R-RT-6" in after["rules"]
        assert "APPI Art. 35(2)" in after["citations"]
        assert any("stop using the person's data" in reason for reason in after["reasons"])
        assert "stop" not in " ".join(before["reasons"]).lower()

        open_status(person, reference, PERSON.email)
        assert status_fact(person, 2) == "Completed"
        person.shot("portal-status-completed-en")
        assert person.foreign == []
        assert staff.foreign == []
