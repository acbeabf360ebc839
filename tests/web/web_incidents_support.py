"""Helpers for the tests of the incident pages: signing in as a role, a clock fixed in Tokyo,
the incident form as a browser would send it (read from the page itself), requests that name
an incident, and the text of a page's parts."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from fastapi import FastAPI
from httpx import Response
from sqlalchemy import update
from web_support import TestClient, csrf_of, make_staff, sign_in

from kojin.api.state import state_of
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.registry.ledger.schemas import LedgerAcquisition, LedgerEntryCreate, Medium
from kojin.registry.ledger.service import create_entry
from kojin.requests.models import DataRequest
from kojin.web.site import site_of

#: 10:00 in Tokyo on 3 December 2026 (a Thursday): day 3 of an incident known on 1 December
NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def fix_clock(app: FastAPI, now: datetime = NOW) -> None:
    """The pages' clock reads `now` (the incident clocks count to its Tokyo day)."""
    site_of(app).now = lambda: now


def as_role(client: TestClient, database: Database, role: Role, username: str | None = None) -> str:
    """Create a staff user of `role` and sign in as them; returns the user name."""
    name = make_staff(database, role, username)
    answer = sign_in(client, name)
    assert isinstance(answer, Response)
    assert answer.status_code == 303
    return name


def incident_form(**changes: object) -> dict[str, object]:
    """What the new-incident form sends for a suspected leakage of 800 people known by the
    sales department on 1 December 2026; `changes` replace fields (None leaves one out)."""
    values: dict[str, object] = {
        "title": "注文確認メールの誤送信",
        "kind": "leakage",
        "certainty": "suspected",
        "role": "operator",
        "occurred_on": "2026-11-30",
        "knowledge_1_department": "営業部",
        "knowledge_1_known_on": "2026-12-01",
        "data_items": "氏名\nメールアドレス",
        "data_medium": "電子メール",
        "subjects_kind": "顧客",
        "persons": "800",
        "summary": "注文確認メールを別の顧客に送信した。",
        "cause": "宛先の差込みの設定誤り",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def post_form(
    client: TestClient, page: str, action: str, data: dict[str, object], **kw: object
) -> Response:
    """Open `page`, then post `data` with its CSRF token to `action`."""
    token = csrf_of(client.get(page).text)
    answer = client.post(action, data={"csrf_token": token, **data}, **kw)
    assert isinstance(answer, Response)
    return answer


def record(client: TestClient, **changes: object) -> str:
    """Record an incident through the form (see :func:`incident_form`); returns its id."""
    answer = post_form(client, "/admin/incidents/new", "/admin/incidents", incident_form(**changes))
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(
        r"/admin/incidents/([0-9a-f]{32})\?done=recorded", answer.headers["location"]
    )
    assert found is not None, answer.headers["location"]
    return found.group(1)


class _Form(HTMLParser):
    """What a browser sends for the form posted to `action`: every named control's value,
    checked boxes only, the selected option, a textarea's text."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = values.get("action") == self.action
        if not self.inside:
            return
        name = values.get("name")
        if tag == "input" and name:
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            if kind not in ("file", "submit"):
                self.fields.append((name, values.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in values:
            self.fields.append((self._select, values.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None


def browser_form(page: str, action: str) -> dict[str, list[str]]:
    """The values the form of `page` posted to `action` sends as it stands (CSRF included)."""
    parser = _Form(action)
    parser.feed(page)
    assert parser.fields, f"no form posts to {action}"
    sent: dict[str, list[str]] = {}
    for name, value in parser.fields:
        sent.setdefault(name, []).append(value)
    return sent


def name_incident(app: FastAPI, request_id: str, reference: str, ground: str) -> None:
    """Make the request `request_id` name the incident `reference` on `ground` (as the portal's
    stop forms do)."""
    state = state_of(app)
    with state.database.uow() as session:
        session.execute(
            update(DataRequest)
            .where(DataRequest.id == request_id)
            .values(incident_reference=reference, stop_ground=ground)
        )


def text_of(page: str, start: str, end: str = "</section>") -> str:
    """The text (tags removed, spaces squeezed) from `start` to the next `end` in `page`."""
    begin = page.index(start)
    part = page[begin : page.index(end, begin)]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", part))).strip()


def error_summary(page: str) -> str:
    """The text of the page's error summaries (what the errors say, not the fields)."""
    parts = re.findall(r'<div class="error-summary".*?</div>', page, re.S)
    return " ".join(re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", p))) for p in parts)


def ledger_row(app: FastAPI, item: str = "顧客の氏名、メールアドレス、注文履歴") -> str:
    """A row of the personal-information ledger (customers, the policy's first purpose);
    returns its id."""
    state = state_of(app)
    declared = state.policy.category("customer")
    assert declared is not None
    with state.database.uow() as session:
        entry = create_entry(
            session=session,
            entry_in=LedgerEntryCreate(
                item=item,
                category="customer",
                purposes=[declared.purposes[0].id],
                acquisition_method=LedgerAcquisition.WRITTEN_DIRECT,
                storage_location="受注システム",
                storage_country="JP",
                medium=Medium.ELECTRONIC,
                access="営業部のみ",
                retention_period="契約終了後5年",
                disposal_method="電子データの消去",
                record_count=1200,
                responsible_department="営業部",
            ),
            policy=state.facts,
            actor="test",
        )
    return entry.id
