"""The e-mail code, read from a real SMTP server: entering it makes the request arrive; five
wrong codes spend it; codes entered are limited per address; a new code is sent without telling
whether the details matched; the reference travels in a sealed, short-lived cookie."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI
from web_support import TestClient, csrf_of

from kojin.web.portal.reference_cookie import COOKIE
from kojin.web.site import site_of

from .portal_support import (
    SmtpServer,
    base_fields,
    identity_png,
    open_status,
    reference_on,
    submit_and_read_reference,
    verify,
)

EMAIL = "hanako@example.jp"


def test_the_code_from_the_smtp_server_makes_the_request_arrive(
    portal: TestClient, smtp: SmtpServer
) -> None:
    reference = submit_and_read_reference(portal, "disclosure", base_fields(), identity_png())
    page = portal.get("/portal/requests/verify").text
    assert "Write the reference down" in page
    (mail,) = smtp.mailbox.to(EMAIL)
    assert reference in smtp.mailbox.body(mail)
    code = smtp.mailbox.last_code(EMAIL)

    answer = verify(portal, reference, code)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/portal/requests/received"
    assert f"{COOKIE}=" in answer.headers["set-cookie"]
    assert "Max-Age=0" in answer.headers["set-cookie"]  # the reference cookie is gone
    received = portal.get("/portal/requests/received")
    assert "Your request has arrived" in received.text
    assert reference not in received.text
    assert reference_on_nothing(portal.get("/portal/requests/verify").text)

    status = open_status(portal, reference, EMAIL)
    assert status.status_code == 200
    assert status.headers["cache-control"] == "no-store"
    text = status.text
    assert "<dd>Received</dd>" in text
    assert "We are working on your request and aim to answer by" in text
    current = re.search(r'<li aria-current="step">\s*<strong>([^<]+)</strong>', text)
    assert current is not None
    assert current[1] == "Identity checked"
    assert text.count('aria-current="step"') == 1


def reference_on_nothing(page: str) -> bool:
    return re.search(r"KJ(?:-[0-9A-Z]{5}){4}", page) is None


def test_five_wrong_codes_spend_the_code(portal: TestClient, smtp: SmtpServer) -> None:
    reference = submit_and_read_reference(portal, "inquiry", base_fields())
    code = smtp.mailbox.last_code(EMAIL)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        answer = verify(portal, reference, wrong)
        assert answer.status_code == 422
        assert "The code is wrong or has expired" in answer.text
        assert 'id="c-code-error"' in answer.text
    answer = verify(portal, reference, code)
    assert answer.status_code == 422
    assert "The code is wrong or has expired" in answer.text
    status = open_status(portal, reference, EMAIL)
    assert "<dd>E-mail not yet confirmed</dd>" in status.text


def test_full_width_digits_in_the_code_are_accepted(portal: TestClient, smtp: SmtpServer) -> None:
    reference = submit_and_read_reference(portal, "inquiry", base_fields())
    code = smtp.mailbox.last_code(EMAIL)
    wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert verify(portal, reference.lower(), wide).status_code == 303


def test_codes_entered_are_limited_per_address(portal: TestClient, smtp: SmtpServer) -> None:
    reference = submit_and_read_reference(portal, "inquiry", base_fields())
    statuses = [verify(portal, reference, "000000").status_code for _ in range(30)]
    assert set(statuses) == {422}
    refused = verify(portal, reference, smtp.mailbox.last_code(EMAIL))
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert int(refused.headers["retry-after"]) > 0


def test_a_new_code_is_sent_only_when_the_details_match_and_the_answer_is_the_same(
    portal: TestClient, smtp: SmtpServer
) -> None:
    reference = submit_and_read_reference(portal, "inquiry", base_fields())
    first_code = smtp.mailbox.last_code(EMAIL)

    def resend(ref: str, email: str) -> str:
        page = portal.get("/portal/requests/verify").text
        answer = portal.post(
            "/portal/requests/resend",
            data={"csrf_token": csrf_of(page), "reference": ref, "email": email},
        )
        assert answer.status_code == 200
        return re.sub(r'value="[^"]*"', "", answer.text)

    wrong_email = resend(reference, "other@example.jp")
    wrong_reference = resend("KJ-00000-00000-00000-00000", EMAIL)
    right = resend(reference, EMAIL)
    assert wrong_email == wrong_reference == right
    assert "we have sent a new code" in right
    assert len(smtp.mailbox.to(EMAIL)) == 2
    assert smtp.mailbox.to("other@example.jp") == []
    new_code = smtp.mailbox.last_code(EMAIL)
    if new_code != first_code:
        assert verify(portal, reference, first_code).status_code == 422
    assert verify(portal, reference, new_code).status_code == 303


def test_the_reference_cookie_is_sealed_and_short_lived(
    portal: TestClient, portal_site: FastAPI
) -> None:
    reference = submit_and_read_reference(portal, "inquiry", base_fields())
    sealed = portal.cookies.get(COOKIE)
    assert sealed
    for part in reference.split("-"):
        assert part not in sealed
    site = site_of(portal_site)
    real_now = site.now
    site.now = lambda: real_now() + timedelta(minutes=31)
    try:
        assert reference_on_nothing(portal.get("/portal/requests/verify").text)
    finally:
        site.now = real_now
    portal.cookies.set(
        COOKIE,
        sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"),
        path="/portal/requests",
    )
    assert reference_on_nothing(portal.get("/portal/requests/verify").text)


def test_the_code_page_keeps_the_reference_across_a_language_switch(
    portal: TestClient,
) -> None:
    reference = submit_and_read_reference(portal, "inquiry", base_fields())
    japanese = portal.get("/portal/requests/verify?lang=ja").text
    assert reference_on(japanese) == reference
    assert "受付番号" in japanese
