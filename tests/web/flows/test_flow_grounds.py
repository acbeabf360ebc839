"""The grounds of a stop request in Chromium, with the keyboard alone.

A person follows the link of an individual notice (``/portal/requests/new?incident=…``) to the
erasure form: the grounds are a group named by its legend, each choice a radio named by its
label and described by its sentence; the reportable-breach ground is chosen and the incident
reference filled in. Tab reaches the chosen ground, the arrow keys move the choice, Tab goes on
to the reference; the focus shows at every stop. A ground that does not go with the reference
is refused with an error the summary links to and the reference field is described by.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from kojin.incidents.schemas import IncidentFields, KnowledgeInput
from kojin.incidents.service import record_incident
from kojin.law.breach_vocabulary import IncidentKind
from kojin.requests.models import DataRequest
from kojin.web.i18n import catalog

from .flow_support import FlowSite, browsing, focus_visible, focused, identity_image, tab_to

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REFERENCE = "INC-2026-0001"


def _message(key: str) -> str:
    return catalog().messages["en"][key]


def _record_reportable_incident(site: FlowSite) -> None:
    """:data:`REFERENCE`: a leakage affecting 1,500 people (reportable, so open to requests on
    the Art. 35(5) ground)."""
    state = site.state
    with state.unit_of_work() as session:
        view = record_incident(
            session=session,
            cipher=state.cipher(),
            actor="staff:officer",
            fields=IncidentFields(
                title="顧客名簿の誤送信",
                kind=IncidentKind.LEAKAGE,
                knowledge=[KnowledgeInput(department="営業部", known_on=date(2026, 11, 30))],
                persons=1500,
            ),
            today=date(2026, 12, 1),
        )
    assert view.reference == REFERENCE


def test_the_grounds_are_a_labelled_group_the_keyboard_can_use(
    browser: Browser, flow_site: FlowSite, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    _record_reportable_incident(flow_site)
    with browsing(browser, flow_site, "grounds", locale="en-GB") as tab:
        page, keyboard = tab.page, tab.page.keyboard
        tab.goto(f"/portal/requests/new?incident={REFERENCE.lower()}&kind=erasure")
        assert tab.h1() == "Request: Erasure"
        tab.shot("erasure-form-from-a-notice")

        group = page.get_by_role("group", name=_message("portal.ground.legend"))
        expect(group).to_have_count(1)
        expect(group).to_have_accessible_description(_message("portal.ground.hint"))
        grounds = ["unlawful_handling", "no_longer_needed", "reportable_breach"]
        grounds.append("harm_to_interests")
        radios = group.get_by_role("radio")
        expect(radios).to_have_count(1 + len(grounds))  # "not sure" first
        expect(radios.first).to_have_accessible_name(_message("portal.ground.unsure"))
        for index, ground in enumerate(grounds, start=1):
            radio = radios.nth(index)
            expect(radio).to_have_accessible_name(_message(f"portal.ground.{ground}.label"))
            expect(radio).to_have_accessible_description(
                _message(f"portal.ground.{ground}.description")
            )
        breach = group.get_by_role("radio", name=_message("portal.ground.reportable_breach.label"))
        expect(breach).to_be_checked()
        reference = page.get_by_role("textbox", name=_message("portal.form.incident.label"))
        expect(reference).to_have_value(REFERENCE)

        # Tab enters the group on the chosen ground; the arrows move the choice
        stops = tab_to(page, "f-stop-ground-4")
        assert stops[-1]["id"] == "f-stop-ground-4"
        keyboard.press("ArrowDown")
        harm = focused(page)
        assert harm["id"] == "f-stop-ground-5"
        assert focus_visible(harm)
        expect(group.get_by_role("radio").nth(4)).to_be_checked()
        expect(breach).not_to_be_checked()
        keyboard.press("ArrowUp")
        keyboard.press("ArrowUp")
        assert focused(page)["id"] == "f-stop-ground-3"
        expect(
            group.get_by_role("radio", name=_message("portal.ground.no_longer_needed.label"))
        ).to_be_checked()
        # Tab leaves the group for the reference, the next control
        keyboard.press("Tab")
        stop = focused(page)
        assert stop["id"] == "f-incident-reference"
        assert focus_visible(stop)
        tab.shot("ground-chosen-with-the-arrows")

        # a ground other than the reportable breach does not go with the reference
        page.locator("#f-name").fill("Hanako Yamada")
        page.locator("#f-email").fill("hanako@example.jp")
        page.locator("#f-identity-document").set_input_files(identity_image(tmp_path))
        with page.expect_navigation():
            page.get_by_role("button", name=_message("portal.form.send.button")).click()
        mismatch = _message("portal.error.mismatch.incident_reference")
        summary = page.get_by_role("alert")
        link = summary.get_by_role("link", name=mismatch)
        expect(link).to_have_attribute("href", "#f-incident-reference")
        field = page.locator("#f-incident-reference")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(
            f"{_message('portal.form.incident.hint')} Error: {mismatch}"
        )
        link.focus()
        keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#f-incident-reference"
        tab.shot("reference-refused")
        # the choice the person made is kept, and nothing was stored
        expect(
            page.get_by_role("radio", name=_message("portal.ground.no_longer_needed.label"))
        ).to_be_checked()
        assert tab.foreign == []
    with flow_site.state.read() as session:
        assert session.execute(select(func.count()).select_from(DataRequest)).scalar_one() == 0
