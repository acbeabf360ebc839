"""The portal's pages render in English and Japanese, every control has a label, every
message key they use exists, and what the start page promises comes from the policy."""

from __future__ import annotations

import re

import pytest
from web_support import TestClient

from kojin.api.state import AppState
from kojin.requests.kinds import RIGHTS_KINDS, RequestKind, fee_for
from kojin.web.i18n import LANGS, catalog
from kojin.web.portal import common
from kojin.web.templating import TEMPLATES_DIR

from .portal_support import controls_of

KINDS = [kind.value for kind in RequestKind]
PAGES = ["/portal/", "/portal/status", "/portal/requests/verify", "/portal/requests/received"]
PAGES += [f"/portal/requests/new/{kind}" for kind in KINDS]


def test_the_kinds_are_the_services_kinds() -> None:
    assert list(common.ALL_KINDS) == KINDS
    assert set(common.RIGHTS_KINDS) == {kind.value for kind in RIGHTS_KINDS}
    assert common.OTHER_KINDS == ("complaint", "inquiry")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_a_label_for_every_control(
    portal: TestClient, path: str, lang: str
) -> None:
    answer = portal.get(f"{path}?lang={lang}")
    assert answer.status_code == 200
    assert f'<html lang="{lang}">' in answer.text
    assert answer.headers["cache-control"] == "no-store"
    found = controls_of(answer.text)
    unlabelled = [c for c in found.controls if c.get("id") not in found.label_for]
    assert unlabelled == []
    ids = [c["id"] for c in found.controls]
    assert len(ids) == len(set(ids)), "two controls share an id"
    assert answer.text.count("<h1>") == 1
    assert 'name="csrf_token"' in answer.text or "<form" not in answer.text


@pytest.mark.parametrize("lang", LANGS)
def test_the_start_page_lists_every_request_with_its_form_fee_and_contact(
    portal: TestClient, portal_state: AppState, lang: str
) -> None:
    page = portal.get(f"/portal/?lang={lang}").text
    messages = catalog().messages[lang]  # type: ignore[index]
    for kind in KINDS:
        assert f'href="/portal/requests/new/{kind}"' in page
        assert messages[f"common.kind.{kind}"] in page
    policy = portal_state.policy
    disclosure_fee = fee_for(RequestKind.DISCLOSURE, policy)
    assert disclosure_fee == 1000  # the seed's fee
    assert "1,000" in page
    contact = policy.contact(policy.general.inquiries.contact)
    assert contact is not None
    assert contact.department.get(lang) in page  # type: ignore[arg-type]
    assert f"〒{contact.address.postal_code}" in page
    assert 'href="/portal/status"' in page


@pytest.mark.parametrize("kind", KINDS)
def test_each_form_says_what_happens_and_asks_what_its_kind_needs(
    portal: TestClient, portal_state: AppState, kind: str
) -> None:
    page = portal.get(f"/portal/requests/new/{kind}?lang=en").text
    rights = kind in common.RIGHTS_KINDS
    assert ('name="identity_document"' in page) is rights
    assert ('name="is_agent"' in page) is rights
    assert ('name="disclosure_method"' in page) is (kind in common.METHOD_KINDS)
    assert ('name="include_third_party_records"' in page) is (kind == "disclosure")
    assert ("Art. 39" in page) is (kind in common.SUIT_KINDS)
    assert "10 business days" in page  # the seed policy's target
    fee = fee_for(RequestKind(kind), portal_state.policy)  # the seed: disclosure only
    assert ("1,000 yen (tax included)" in page) is (fee == 1000)
    if rights:
        assert "front side only" in page
        assert "Never send the back of the card" in page
    # no HTML validation: full-width input is the service's to accept
    assert " pattern=" not in page
    assert " required" not in page.replace('class="required"', "")
    assert "novalidate" in page
    key = re.search(r'name="submission_key" value="([A-Za-z0-9_-]{32})"', page)
    assert key is not None


def test_the_form_key_changes_with_every_form(portal: TestClient) -> None:
    first = portal.get("/portal/requests/new/inquiry").text
    second = portal.get("/portal/requests/new/inquiry").text
    pattern = r'name="submission_key" value="([^"]+)"'
    found = [re.search(pattern, page) for page in (first, second)]
    assert all(found)
    assert found[0][1] != found[1][1]  # type: ignore[index]


def test_an_unknown_kind_is_not_found(portal: TestClient) -> None:
    answer = portal.get("/portal/requests/new/<script>")
    assert answer.status_code == 404
    assert "<script>" not in answer.text


_LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_.0-9]+)["']""")
_DYNAMIC = {
    "portal.kind.": [
        f"{k}.{p}" for k in KINDS for p in ("summary", "details_label", "details_hint")
    ],
    "portal.status.step.": ["submitted", "email", "identity", "fee", "review", "result"],
    "portal.status.result.": ["completed", "partly_completed", "refused", "withdrawn"],
}


def test_every_message_key_of_the_portal_templates_exists() -> None:
    keys = catalog().messages["en"]
    used = {
        key
        for path in (TEMPLATES_DIR / "portal").glob("*.html")
        for key in _LITERAL_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert used
    missing = sorted(key for key in used if key not in keys and not key.endswith("."))
    assert missing == []
    for prefix, tails in _DYNAMIC.items():
        assert [prefix + tail for tail in tails if prefix + tail not in keys] == []


def test_every_field_has_its_messages() -> None:
    from kojin.web.portal.field_errors import FORM_FIELDS, OTHER_FIELDS

    keys = catalog().messages["en"]
    for field in (*FORM_FIELDS, *OTHER_FIELDS):
        assert f"portal.error.invalid.{field}" in keys
    for reason in ("too_large", "empty", "unsupported_type", "name_mismatch", "unreadable"):
        assert f"portal.error.upload.{reason}" in keys
