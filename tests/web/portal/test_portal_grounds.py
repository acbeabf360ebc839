"""The ground of a stop request and the incident it names, on the portal: the form offers the
grounds of Art. 35 the kind may rest on (each explained, all optional) and an incident
reference; the link an individual notice carries fills them in; a reference that does not go
with the ground is refused on its field; the status page shows both."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import select
from web_support import TestClient

from kojin.api.state import AppState
from kojin.incidents.schemas import IncidentFields, KnowledgeInput
from kojin.incidents.service import record_incident
from kojin.law.breach_vocabulary import IncidentKind
from kojin.requests.models import DataRequest
from kojin.web.i18n import LANGS, catalog

from .portal_support import (
    SmtpServer,
    base_fields,
    controls_of,
    error_for,
    identity_png,
    open_form,
    open_status,
    post_form,
    reference_on,
    stored_counts,
)

EMAIL = "hanako@example.jp"


def record_incidents(state: AppState, *persons: int) -> list[str]:
    """Incidents INC-2026-0001, -0002, ... affecting `persons` people each (more than 1,000:
    reportable, and so open to requests on the Art. 35(5) ground)."""
    with state.unit_of_work() as session:
        return [
            record_incident(
                session=session,
                cipher=state.cipher(),
                actor="staff:officer",
                fields=IncidentFields(
                    title="顧客名簿の誤送信",
                    kind=IncidentKind.LEAKAGE,
                    knowledge=[KnowledgeInput(department="営業部", known_on=date(2026, 11, 30))],
                    persons=count,
                ),
                today=date(2026, 12, 1),
            ).reference
            for count in persons
        ]


@pytest.fixture(autouse=True)
def _incidents(portal_state: AppState) -> None:
    """INC-2026-0001 and -0002 are reportable; INC-2026-0003 (800 people) is not."""
    assert record_incidents(portal_state, 1500, 2000, 800) == [
        "INC-2026-0001",
        "INC-2026-0002",
        "INC-2026-0003",
    ]


def _fieldset(page: str) -> str:
    """The grounds' fieldset, as the page holds it."""
    found = re.search(
        r"<fieldset[^>]*>\s*<legend>[^<]*(?:On what ground|ご請求の理由).*?</fieldset>", page, re.S
    )
    assert found is not None, "the page has no fieldset of grounds"
    return found[0]


def _radios(fieldset: str) -> dict[str, dict[str, str]]:
    """Each radio of the fieldset by its value: its attributes."""
    return {
        control["value"]: control
        for control in controls_of(fieldset).controls
        if control.get("type") == "radio"
    }


def _stored(state: AppState) -> list[tuple[str, str | None, str | None]]:
    with state.read() as session:
        rows = session.execute(
            select(DataRequest.kind, DataRequest.stop_ground, DataRequest.incident_reference)
        ).all()
    return [(row[0], row[1], row[2]) for row in rows]


@pytest.mark.parametrize("lang", LANGS)
def test_an_erasure_form_offers_the_grounds_each_explained(portal: TestClient, lang: str) -> None:
    page = open_form(portal, "erasure", lang).html
    messages = catalog().messages[lang]  # type: ignore[index]
    fieldset = _fieldset(page)
    plain = html.unescape(fieldset)
    assert f"<legend>{messages['portal.ground.legend']}" in plain
    radios = _radios(fieldset)
    # Art. 35(1) and (5) for erasure; not Art. 35(3), which is about provision
    assert list(radios) == [
        "",
        "unlawful_handling",
        "no_longer_needed",
        "reportable_breach",
        "harm_to_interests",
    ]
    assert "checked" in radios[""]  # "not sure" until the person chooses
    for value, radio in radios.items():
        assert f'<label for="{radio["id"]}">' in fieldset
        if value:
            described = radio["aria-describedby"]
            description = messages[f"portal.ground.{value}.description"]
            assert f'id="{described}">{description}</p>' in plain
    # the limit of Art. 35(5) is said in the fieldset's hint
    hint = messages["portal.ground.hint"]
    assert hint in plain
    assert ("35(5)" in hint) or ("第35条第5項" in hint)
    incident = [c for c in controls_of(page).controls if c.get("name") == "incident_reference"]
    assert len(incident) == 1
    assert incident[0]["value"] == ""


def test_a_stop_provision_form_offers_article_35_3_and_other_forms_no_grounds(
    portal: TestClient,
) -> None:
    radios = _radios(_fieldset(open_form(portal, "stop_provision").html))
    assert "unlawful_provision" in radios
    assert "unlawful_handling" not in radios
    for kind in ("disclosure", "correction", "purpose_notification", "complaint", "inquiry"):
        page = open_form(portal, kind).html
        assert 'name="stop_ground"' not in page
        assert 'name="incident_reference"' not in page


def test_a_notices_link_fills_in_the_incident_and_the_ground(portal: TestClient) -> None:
    answer = portal.get("/portal/requests/new?incident=inc-2026-0001&kind=erasure&lang=en")
    assert answer.status_code == 200
    page = answer.text
    assert "<h1>Request: Erasure</h1>" in page or "Erasure" in page
    [incident] = [c for c in controls_of(page).controls if c.get("name") == "incident_reference"]
    assert incident["value"] == "INC-2026-0001"
    radios = _radios(_fieldset(page))
    assert "checked" in radios["reportable_breach"]
    assert "checked" not in radios[""]
    # switching the language keeps the incident
    assert "incident=INC-2026-0001" in html.unescape(page)
    # the same on the kind's own address
    page = portal.get("/portal/requests/new/stop_use?incident=ＩＮＣ-2026-0002").text
    assert "checked" in _radios(_fieldset(page))["reportable_breach"]
    assert 'value="INC-2026-0002"' in page


def test_a_notices_link_without_a_kind_asks_which_request(portal: TestClient) -> None:
    page = portal.get("/portal/requests/new?incident=INC-2026-0001&lang=en").text
    assert "INC-2026-0001" in page
    links = re.findall(r'href="(/portal/requests/new/[a-z_]+\?incident=[^"]+)"', page)
    assert links == [
        "/portal/requests/new/stop_use?incident=INC-2026-0001",
        "/portal/requests/new/erasure?incident=INC-2026-0001",
        "/portal/requests/new/stop_provision?incident=INC-2026-0001",
    ]
    assert page.count("<h1>") == 1


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?incident=",
        "?incident=INC-1",
        "?incident=%3Cscript%3E",
        "?kind=nonsense",
        "?incident=INC-2026-0003",  # not reportable: no Art. 35(5) ground
        "?incident=INC-2026-0099",  # no such incident
    ],
)
def test_a_link_without_an_incident_goes_home(portal: TestClient, query: str) -> None:
    answer = portal.get(f"/portal/requests/new{query}")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/portal/"


@pytest.mark.parametrize("reference", ["INC-2026-0003", "INC-2026-0099"])
def test_a_link_to_an_incident_that_gives_no_ground_fills_in_nothing(
    portal: TestClient, reference: str
) -> None:
    page = portal.get(f"/portal/requests/new/erasure?incident={reference}").text
    assert reference not in page
    assert "checked" not in _radios(_fieldset(page))["reportable_breach"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("reference", ["INC-2026-0003", "INC-2026-0099"])
def test_a_reference_the_register_does_not_open_is_refused(
    portal: TestClient, portal_state: AppState, reference: str, lang: str
) -> None:
    opened = open_form(portal, "erasure", lang)
    fields = base_fields(stop_ground="reportable_breach", incident_reference=reference)
    answer = post_form(portal, opened, "erasure", fields, identity_png())
    assert answer.status_code == 422
    message = catalog().messages[lang]["portal.error.unknown_incident"]  # type: ignore[index]
    shown = error_for(answer.text, "f-incident-reference")
    assert shown is not None
    assert shown.endswith(message)
    assert stored_counts(portal_state) == (0, 0)


def test_an_incident_does_not_fill_in_a_form_of_another_kind(portal: TestClient) -> None:
    page = portal.get("/portal/requests/new?incident=INC-2026-0001&kind=disclosure").text
    assert "INC-2026-0001" not in page
    assert 'name="stop_ground"' not in page


def test_an_erasure_on_an_incident_is_stored_and_shown_on_the_status_page(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    opened = open_form(portal, "erasure")
    fields = base_fields(stop_ground="", incident_reference=" inc-2026-0001 ")
    answer = post_form(portal, opened, "erasure", fields, identity_png())
    assert answer.status_code == 303, error_for(answer.text, "f-incident-reference")
    assert _stored(portal_state) == [("erasure", "reportable_breach", "INC-2026-0001")]
    reference = reference_on(portal.get("/portal/requests/verify").text)
    page = open_status(portal, reference, EMAIL).text
    label = catalog().messages["en"]["portal.ground.reportable_breach.label"]
    assert f"<dd>{label}</dd>" in html.unescape(page)
    assert "<dd>INC-2026-0001</dd>" in page


def test_a_stop_use_with_a_ground_and_no_incident(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    opened = open_form(portal, "stop_use")
    fields = base_fields(stop_ground="harm_to_interests", incident_reference="")
    answer = post_form(portal, opened, "stop_use", fields, identity_png())
    assert answer.status_code == 303
    assert _stored(portal_state) == [("stop_use", "harm_to_interests", None)]


@pytest.mark.parametrize(
    ("changes", "field", "key"),
    [
        (
            {"stop_ground": "no_longer_needed", "incident_reference": "INC-2026-0001"},
            "incident_reference",
            "portal.error.mismatch.incident_reference",
        ),
        (
            {"stop_ground": "", "incident_reference": "2026-0001"},
            "incident_reference",
            "portal.error.invalid.incident_reference",
        ),
        (
            {"stop_ground": "unlawful_provision", "incident_reference": ""},
            "stop_ground",
            "portal.error.mismatch.stop_ground",
        ),
        (
            {"stop_ground": "because", "incident_reference": ""},
            "stop_ground",
            "portal.error.invalid.stop_ground",
        ),
    ],
)
@pytest.mark.parametrize("lang", LANGS)
def test_a_ground_or_reference_that_does_not_fit_is_refused_on_its_field(
    portal: TestClient,
    portal_state: AppState,
    changes: dict[str, str],
    field: str,
    key: str,
    lang: str,
) -> None:
    opened = open_form(portal, "erasure", lang)
    answer = post_form(portal, opened, "erasure", base_fields(**changes), identity_png())
    assert answer.status_code == 422
    page = answer.text
    field_id = "f-" + field.replace("_", "-")
    message = catalog().messages[lang][key]  # type: ignore[index]
    shown = error_for(page, field_id)
    assert shown is not None
    assert shown.endswith(message)
    # the summary links to the field, and the control says where its error is
    assert f'<a href="#{field_id}">{message}</a>' in html.unescape(page)
    assert f'aria-describedby="{field_id}-hint {field_id}-error"' in page
    assert stored_counts(portal_state) == (0, 0)
    # what was typed comes back (escaped), for the person to correct
    if changes["incident_reference"]:
        assert f'value="{changes["incident_reference"]}"' in page


def test_a_ground_posted_with_another_kind_is_not_stored(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    """A post that adds the fields to a kind whose form has none: they are left out."""
    opened = open_form(portal, "inquiry")
    fields = base_fields(stop_ground="no_longer_needed", incident_reference="INC-2026-0001")
    answer = post_form(portal, opened, "inquiry", fields)
    assert answer.status_code == 303
    assert _stored(portal_state) == [("inquiry", None, None)]
