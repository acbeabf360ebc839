"""A request made with the keyboard alone, in Chromium: Tab, typing, Space and Enter.

From the portal's start page a person reaches the form for stopping provision to third parties,
fills it in, says they ask for themselves (Space on the radio button), opens the file chooser
of the identity document with Space, sends the form with Enter, enters the code from the mail
and follows the request on the status page. Every control the focus reaches shows it (a
ring or a highlight); the request arrives with what was typed and the document chosen.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kojin.requests.schemas import QueueFilter
from kojin.requests.service import list_queue, request_detail

from .flow_support import (
    STAFF_ACTOR,
    FlowSite,
    browsing,
    code_mail,
    identity_image,
    status_fact,
    tab_to,
    tab_until,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FileChooser

NAME = "Kenji Watanabe"
EMAIL = "kenji.watanabe@example.com"
DETAILS = "Please stop passing my details to your partner companies."


def test_a_stop_provision_request_with_the_keyboard_alone(
    browser: Browser, flow_site: FlowSite, tmp_path: Path
) -> None:
    identity = identity_image(tmp_path, "residence-card.png")
    with browsing(browser, flow_site, "keyboard", locale="en-GB") as tab:
        page, keyboard = tab.page, tab.page.keyboard
        # Chromium hands file choosers to Playwright only once a listener is registered; do it
        # well before Space opens one, so the two cannot race
        choosers: list[FileChooser] = []

        def chosen(chooser: FileChooser) -> None:
            choosers.append(chooser)

        page.on("filechooser", chosen)
        tab.goto("/portal/")
        tab.shot("portal-home-en")
        stops = tab_until(page, lambda s: s["href"].endswith("/requests/new/stop_provision"))
        assert stops[0]["text"] == "Skip to the main content"
        with page.expect_navigation():
            keyboard.press("Enter")
        assert tab.h1() == "Request: Cessation of provision to third parties"

        tab_to(page, "f-name")
        keyboard.type(NAME)
        tab_to(page, "f-email")
        keyboard.type(EMAIL)
        tab_to(page, "f-details")
        keyboard.type(DETAILS)
        tab_to(page, "f-is-agent")  # "No, I ask for myself"
        keyboard.press("Space")
        assert page.locator("#f-is-agent").is_checked()
        tab_to(page, "f-identity-document")
        tab.shot("portal-form-file-focused-en")
        with page.expect_file_chooser() as chooser:
            keyboard.press("Space")
        assert choosers == [chooser.value]
        assert chooser.value.element.evaluate("el => el === document.activeElement")
        chooser.value.set_files(identity)
        assert page.locator("#f-identity-document").evaluate("el => el.files[0].name") == (
            identity.name
        )
        tab_until(page, lambda s: s["type"] == "submit")
        tab.shot("portal-form-filled-en")
        with page.expect_navigation():
            keyboard.press("Enter")
        assert page.url == f"{tab.base_url}/portal/requests/verify", tab.main_text()
        reference = page.locator(".reference strong").inner_text()
        tab.shot("portal-verify-en")

        mailed_reference, code = code_mail(flow_site.smtp, EMAIL)
        assert mailed_reference == reference
        tab_to(page, "c-code")
        keyboard.type(code)
        with page.expect_navigation():
            keyboard.press("Enter")
        assert tab.h1() == "Your request has arrived"
        tab.shot("portal-received-en")

        tab_until(page, lambda s: s["text"] == "Follow your request")
        with page.expect_navigation():
            keyboard.press("Enter")
        tab.shot("portal-status-lookup-en")
        tab_to(page, "s-reference")
        keyboard.type(reference)
        tab_to(page, "s-email")
        keyboard.type(EMAIL)
        with page.expect_navigation():
            keyboard.press("Enter")
        assert tab.h1() == "Your request"
        assert status_fact(tab, 2) == "Received"
        tab.shot("portal-status-en")
        assert tab.foreign == []

    # what was typed and chosen arrived, document and all
    state = flow_site.state
    with state.database.uow() as session:
        rows = list_queue(
            session=session, filters=QueueFilter(), policy=state.policy, today=date.today()
        )
        assert [row.kind for row in rows] == ["stop_provision"]
        detail = request_detail(
            session=session,
            cipher=state.cipher(),
            policy=state.policy,
            request_id=rows[0].id,
            actor=STAFF_ACTOR,
            today=date.today(),
        )
    assert (detail.applicant.name, detail.applicant.email) == (NAME, EMAIL)
    assert detail.details == DETAILS
    assert not detail.applicant.is_agent
    assert [(d.purpose, d.media_type, d.size) for d in detail.documents] == [
        ("identity", "image/png", identity.stat().st_size)
    ]
