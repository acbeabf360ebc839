"""Helpers for the flows across the portal and the staff pages: a browser tab limited to the
live site, the steps a person and a member of staff take in it, the keyboard's focus, and
requests made through the services to fill the staff queue.

Every page a flow visits is saved as ``test-artifacts/screenshots/flow-<flow>-<step>.png``;
:func:`viewport_shot` saves what a 1024 px screen shows (the README's pictures are copies of
two of them).
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from portal.portal_support import SmtpServer, png
from web_support import SCREENSHOTS, STAFF_PASSWORD, LiveSite, screenshot

from kojin.api.state import AppState, state_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route, ViewportSize

#: a small laptop's screen: wide enough for the staff queue, narrow enough for the README
DESKTOP: ViewportSize = {"width": 1024, "height": 800}
OFFICER = "officer"
STAFF_ACTOR = f"staff:{OFFICER}"
_REFERENCE = re.compile(r"KJ(?:-[0-9A-Z]{5}){4}")


@dataclass(frozen=True)
class FlowSite:
    """The live site whose mail goes to `smtp`, with a privacy officer named :data:`OFFICER`."""

    live: LiveSite
    smtp: SmtpServer

    @property
    def url(self) -> str:
        return self.live.url

    @property
    def state(self) -> AppState:
        return state_of(self.live.app)


@dataclass
class Tab:
    """A browser page that may load nothing but the live site (anything else is aborted and
    noted in `foreign`); `flow` names its screenshots."""

    page: Page
    base_url: str
    flow: str
    foreign: list[str] = field(default_factory=list)
    shots: int = 0

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path, wait_until="load")

    def shot(self, step: str) -> Path:
        """Screenshot the whole page as ``flow-<flow>-<nn>-<step>.png`` (numbered in order)."""
        self.shots += 1
        return screenshot(self.page, f"flow-{self.flow}-{self.shots:02d}-{step}")

    def h1(self) -> str:
        return self.page.get_by_role("heading", level=1).inner_text()

    def main_text(self) -> str:
        return self.page.locator("main").inner_text()


@contextmanager
def browsing(
    browser: Browser,
    site: FlowSite,
    flow: str,
    *,
    locale: str,
    viewport: ViewportSize = DESKTOP,
) -> Iterator[Tab]:
    """A new browser context (its own cookies) in `locale`, closed afterwards."""
    context = browser.new_context(viewport=viewport, locale=locale, accept_downloads=True)
    tab = Tab(page=context.new_page(), base_url=site.url, flow=flow)

    def local_only(route: Route) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
            return
        tab.foreign.append(route.request.url)
        route.abort()

    context.route("**/*", local_only)
    try:
        yield tab
    finally:
        context.close()


def viewport_shot(page: Page, name: str) -> Path:
    """What the screen shows (not the whole page), as ``flow-readme-<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"flow-readme-{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def identity_image(tmp_path: Path, name: str = "運転免許証.png") -> Path:
    """An identity document's scan: a real 320 x 200 PNG."""
    path = tmp_path / name
    path.write_bytes(png(320, 200))
    return path


# --- the person ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    furigana: str = ""
    details: str = ""


def fill_request_form(tab: Tab, person: Person, *, identity: Path | None, method: str = "") -> None:
    """Fill in the open request form (the fields every kind has, the disclosure method when
    given, the identity document when given)."""
    page = tab.page
    page.locator("#f-category").select_option("customer")
    page.locator("#f-name").fill(person.name)
    if person.furigana:
        page.locator("#f-furigana").fill(person.furigana)
    page.locator("#f-email").fill(person.email)
    page.locator("#f-details").fill(person.details)
    if method == "electronic":
        page.locator("#f-disclosure-method").check()
    elif method == "paper":
        page.locator("#f-disclosure-method-2").check()
    if identity is not None:
        page.locator("#f-identity-document").set_input_files(identity)


def send_form(tab: Tab) -> str:
    """Send the filled-in form; returns the reference the next page shows."""
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").last.click()
    assert tab.page.url == f"{tab.base_url}/portal/requests/verify", tab.main_text()
    return tab.page.locator(".reference strong").inner_text()


def code_mail(smtp: SmtpServer, email: str) -> tuple[str, str]:
    """(reference, code) from the newest mail to `email` that the SMTP server received."""
    mails = smtp.mailbox.to(email)
    assert mails, "no mail reached the SMTP server for the address"
    body = smtp.mailbox.body(mails[-1])
    reference = _REFERENCE.search(body)
    assert reference is not None, "the mail names no reference"
    return reference[0], smtp.mailbox.last_code(email)


def enter_code(tab: Tab, code: str) -> None:
    """Enter the code on the verify page; the next page says the request arrived."""
    tab.page.locator("#c-code").fill(code)
    with tab.page.expect_navigation():
        tab.page.locator("#c-code").press("Enter")
    assert tab.page.url == f"{tab.base_url}/portal/requests/received", tab.main_text()


def ask(
    tab: Tab,
    site: FlowSite,
    kind: str,
    person: Person,
    *,
    identity: Path | None,
    method: str = "",
    lang: str = "en",
) -> str:
    """The whole asking: open the form of `kind`, fill it in, send it, enter the code from the
    mail; screenshots of each page. Returns the reference."""
    tab.goto(f"/portal/requests/new/{kind}")
    assert tab.page.evaluate("document.documentElement.lang") == lang
    fill_request_form(tab, person, identity=identity, method=method)
    tab.shot(f"portal-form-{lang}")
    reference = send_form(tab)
    tab.shot(f"portal-verify-{lang}")
    mailed_reference, code = code_mail(site.smtp, person.email)
    assert mailed_reference == reference
    enter_code(tab, code)
    tab.shot(f"portal-received-{lang}")
    return reference


def open_status(tab: Tab, reference: str, email: str) -> None:
    """Open the request's status page by its reference and the e-mail address."""
    tab.goto("/portal/status")
    tab.shot("portal-status-lookup")
    tab.page.locator("#s-reference").fill(reference)
    tab.page.locator("#s-email").fill(email)
    with tab.page.expect_navigation():
        tab.page.locator("#s-email").press("Enter")
    assert tab.page.locator("dl.facts").inner_text().count(reference) == 1


def status_fact(tab: Tab, index: int) -> str:
    """The value of the status page's `index`-th fact (0: reference, 1: kind, 2: state)."""
    return tab.page.locator("dl.facts dd").nth(index).inner_text()


# --- staff ----------------------------------------------------------------------------------------


def staff_sign_in(tab: Tab, username: str = OFFICER) -> None:
    """Sign in through the sign-in page; the dashboard follows (both screenshot)."""
    tab.goto("/admin/login")
    tab.shot("admin-login")
    tab.page.get_by_label(re.compile("^User name")).fill(username)
    tab.page.get_by_label(re.compile("^Password")).fill(STAFF_PASSWORD)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Sign in").click()
    assert tab.page.url == f"{tab.base_url}/admin/", tab.main_text()
    assert tab.h1() == "Dashboard"
    tab.shot("admin-dashboard")


def open_queue(tab: Tab) -> None:
    """Follow the navigation's link to the queue (screenshot)."""
    with tab.page.expect_navigation():
        tab.page.locator("nav.site-nav").get_by_role("link", name="Requests").click()
    assert tab.h1() == "Requests"
    tab.shot("admin-queue")


def open_from_queue(tab: Tab, kind: str, state: str) -> None:
    """Open the one request of `kind` in `state` (their English names) from the queue."""
    rows = tab.page.locator("table.queue tbody tr")
    matching = [
        index
        for index in range(rows.count())
        if rows.nth(index).locator("td").nth(0).inner_text() == kind
        and rows.nth(index).locator("td").nth(1).inner_text() == state
    ]
    assert len(matching) == 1, f"{len(matching)} rows of {kind} in {state}"
    with tab.page.expect_navigation():
        rows.nth(matching[0]).get_by_role("link").click()
    assert tab.h1().startswith("Request ")


def request_state(tab: Tab) -> str:
    """The state the staff page of a request shows ("State: ...")."""
    found = re.search(r"State: ([^\n]+)", tab.main_text())
    assert found is not None
    return found[1].strip()


def staff_act(tab: Tab, action: str, **fields: str) -> None:
    """Fill in the form of `action` (``verify_identity``, ``record_fee``, ...) on a request's
    page and send it; the page comes back saying it was done (screenshot)."""
    section = tab.page.locator(f"#action-{action.replace('_', '-')}")
    for name, value in fields.items():
        if name == "refusal_ground":
            section.locator(f"input[name=refusal_ground][value={value}]").check()
        else:
            section.locator(f"[name={name}]").fill(value)
    title = section.get_by_role("heading", level=3).inner_text()
    with tab.page.expect_navigation():
        section.locator("button[type=submit]").click()
    notice = tab.page.locator("p.notice-success")
    assert notice.count() == 1, tab.main_text()
    assert notice.inner_text() == f"Done: {title}."
    tab.shot(f"admin-request-after-{action.replace('_', '-')}")


# --- the keyboard ---------------------------------------------------------------------------------

_FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {tag: el.tagName.toLowerCase(), id: el.id || '', type: el.getAttribute('type') || '',
            href: el.getAttribute('href') || '', text: (el.textContent || '').trim(),
            outline: style.outlineStyle, outlineWidth: style.outlineWidth,
            shadow: style.boxShadow};
}"""


def focused(page: Page) -> dict[str, str]:
    found: dict[str, str] = page.evaluate(_FOCUSED)
    return found


def focus_visible(stop: dict[str, str]) -> bool:
    """Whether the focused element draws a ring (an outline of some width, or a shadow)."""
    outline = stop["outline"] != "none" and stop["outlineWidth"] not in ("0px", "")
    return outline or stop["shadow"] != "none"


def tab_until(page: Page, wanted: Any, limit: int = 60) -> list[dict[str, str]]:
    """Press Tab until `wanted(stop)` holds for the focused element; every stop on the way
    must show its focus. Returns the stops."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = focused(page)
        stops.append(stop)
        assert focus_visible(stop), f"focus is not visible on {stop}"
        if wanted(stop):
            return stops
    pytest.fail(f"Tab never reached the element: {[s['id'] or s['tag'] for s in stops]}")


def tab_to(page: Page, element_id: str, limit: int = 60) -> list[dict[str, str]]:
    return tab_until(page, lambda stop: stop["id"] == element_id, limit)


# --- requests made through the services (the queue's other rows) --------------------------------


def seed_request(
    site: FlowSite,
    *,
    kind: str,
    person: Person,
    lang: str = "ja",
    actions: Sequence[dict[str, str]] = (),
) -> str:
    """A request submitted and confirmed through the services as the portal does (the code
    read from the SMTP server), then moved by the staff `actions`; returns its id."""
    from kojin.requests.kinds import RIGHTS_KINDS, DocumentPurpose, RequestKind
    from kojin.requests.schemas import ActionIn, RequestForm, UploadIn
    from kojin.requests.service import act, submit_request, verify_email

    state = site.state
    chosen = RequestKind(kind)
    values: dict[str, object] = {
        "kind": chosen,
        "lang": lang,
        "name": person.name,
        "email": person.email,
        "details": person.details,
        "submission_key": uuid.uuid4().hex,
    }
    if chosen in (RequestKind.DISCLOSURE, RequestKind.PURPOSE_NOTIFICATION):
        values["disclosure_method"] = "electronic"
    uploads = []
    if chosen in RIGHTS_KINDS:
        uploads.append(
            UploadIn(
                purpose=DocumentPurpose.IDENTITY,
                filename="id.png",
                declared_type="image/png",
                data=png(200, 120),
            )
        )
    with state.database.uow() as session:
        result = submit_request(
            session=session,
            cipher=state.cipher(),
            settings=state.settings,
            policy=state.policy,
            form=RequestForm.parse(values),
            uploads=uploads,
        )
    reference, code = code_mail(site.smtp, person.email)
    assert reference == result.reference
    with state.database.uow() as session:
        verify_email(
            session=session,
            cipher=state.cipher(),
            policy=state.policy,
            reference=result.reference,
            code=code,
        )
    for action in actions:
        with state.database.uow() as session:
            act(
                session=session,
                cipher=state.cipher(),
                settings=state.settings,
                policy=state.policy,
                facts=state.facts,
                request_id=result.request_id,
                action=ActionIn.model_validate(action),
                actor=STAFF_ACTOR,
            )
    return result.request_id


# --- what a download holds ------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    """A PDF's text with all whitespace removed (Japanese lines break anywhere)."""
    import pypdf

    assert content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(content))
    return squash("".join(page.extract_text() for page in reader.pages))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def zip_members(content: bytes) -> dict[str, bytes]:
    """The files of a ZIP (which must open and test clean)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}
