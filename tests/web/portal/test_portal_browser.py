"""The portal in a real browser: Debian's Chromium driven by Playwright against the site served
by uvicorn, its mail going to a real SMTP server.

- a person makes a disclosure request in Japanese with an image of an identity document, reads
  the code from the mail, enters it and follows the request on the status page;
- an inquiry is sent with the keyboard alone (Tab, typing, Enter), the focus visible throughout;
- on a 390 px phone screen no page reaches past the screen's edge.

Screenshots of every page go to ``test-artifacts/screenshots/`` (``portal-form-ja.png`` is the
one the README shows). Without Playwright or Chromium these tests skip with the reason, except
when ``CI`` is set: then they fail (the rule of ``tests/web/conftest.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from web_support import PHONE, screenshot

from .portal_support import SmtpServer, png

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route, ViewportSize

EMAIL = "hanako@example.jp"
DESKTOP: ViewportSize = {"width": 1100, "height": 900}


@pytest.fixture
def site_url(live_site_factory: Callable[..., Any], smtp: SmtpServer) -> str:
    live = live_site_factory(smtp_host=smtp.host, smtp_port=smtp.port)
    return str(live.url)


@contextmanager
def opened(
    browser: Browser, base_url: str, *, viewport: ViewportSize, locale: str
) -> Iterator[tuple[Page, list[str]]]:
    """A page that may load nothing but the live site (anything else is aborted and noted)."""
    context = browser.new_context(viewport=viewport, locale=locale)
    foreign: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
            return
        foreign.append(route.request.url)
        route.abort()

    context.route("**/*", local_only)
    try:
        yield context.new_page(), foreign
    finally:
        context.close()


def identity_file(tmp_path: Path) -> Path:
    path = tmp_path / "運転免許証.png"
    path.write_bytes(png(320, 200))
    return path


def test_a_disclosure_request_in_japanese_from_form_to_status(
    browser: Browser, site_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    with opened(browser, site_url, viewport=DESKTOP, locale="ja-JP") as (page, foreign):
        page.goto(f"{site_url}/portal/", wait_until="load")
        assert page.evaluate("document.documentElement.lang") == "ja"
        screenshot(page, "portal-home-ja")
        page.get_by_role("link", name="開示", exact=True).click()
        page.wait_for_url(f"{site_url}/portal/requests/new/disclosure")
        assert page.get_by_role("heading", level=1).inner_text() == "開示のご請求"

        page.locator("#f-category").select_option("customer")
        page.locator("#f-name").fill("山田 花子")
        page.locator("#f-furigana").fill("やまだ はなこ")
        page.locator("#f-email").fill(EMAIL)
        page.locator("#f-phone").fill("０３－１２３４－５６７８")
        page.locator("#f-postal-code").fill("〒１０８－８０１９")
        page.locator("#f-address").fill("東京都港区港南1-9-1")
        page.locator("#f-details").fill("保有している私の個人情報すべての開示を求めます。")
        page.get_by_label("電磁的記録（状況確認ページからファイルをダウンロード）").check()
        page.get_by_label(re.compile(r"^本人確認書類")).set_input_files(identity_file(tmp_path))
        screenshot(page, "portal-form-ja")
        page.get_by_role("button", name="送信する").click()

        page.wait_for_url(f"{site_url}/portal/requests/verify")
        reference = page.locator(".reference strong").inner_text()
        assert reference.startswith("KJ-")
        assert reference not in page.url
        screenshot(page, "portal-verify-ja")
        page.locator("#c-code").fill(smtp.mailbox.last_code(EMAIL))
        page.get_by_role("button", name="確認する").click()

        page.wait_for_url(f"{site_url}/portal/requests/received")
        assert page.get_by_role("heading", level=1).inner_text() == "ご請求が到達しました"
        screenshot(page, "portal-received-ja")
        page.locator("main").get_by_role("link", name="状況を確認する").click()

        page.wait_for_url(f"{site_url}/portal/status")
        screenshot(page, "portal-status-lookup-ja")
        page.locator("#s-reference").fill(reference)
        page.locator("#s-email").fill(EMAIL)
        page.get_by_role("button", name="状況を表示する").click()
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", level=1).inner_text() == "ご請求の状況"
        assert page.get_by_text("受付済み", exact=True).is_visible()
        current = page.locator('[aria-current="step"]')
        assert current.count() == 1
        assert "ご本人確認" in current.inner_text()
        assert reference in page.locator("dl.facts").inner_text()
        screenshot(page, "portal-status-ja")
        assert foreign == []


def _tab_to(page: Page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    pytest.fail(f"Tab never reached #{element_id}")


def _focus_visible(page: Page) -> bool:
    style: dict[str, str] = page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return {outline: s.outlineStyle, shadow: s.boxShadow};
        }"""
    )
    return style["outline"] != "none" or style["shadow"] != "none"


def test_an_inquiry_is_sent_with_the_keyboard_alone(
    browser: Browser, site_url: str, smtp: SmtpServer
) -> None:
    with opened(browser, site_url, viewport=DESKTOP, locale="en-GB") as (page, foreign):
        page.goto(f"{site_url}/portal/requests/new/inquiry", wait_until="load")
        _tab_to(page, "f-name")
        assert _focus_visible(page)
        page.keyboard.type("Taro Suzuki")
        _tab_to(page, "f-email")
        page.keyboard.type("taro@example.jp")
        _tab_to(page, "f-details")
        page.keyboard.type("How long do you keep the answers to your questionnaires?")
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('type')") == "submit":
                break
        else:
            pytest.fail("Tab never reached the submit button")
        assert _focus_visible(page)
        page.keyboard.press("Enter")

        page.wait_for_url(f"{site_url}/portal/requests/verify")
        _tab_to(page, "c-code")
        page.keyboard.type(smtp.mailbox.last_code("taro@example.jp"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{site_url}/portal/requests/received")
        assert foreign == []


_OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
            out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''));
        }
    }
    return out;
}"""


def _fits(page: Page, name: str) -> None:
    screenshot(page, f"portal-{name}-phone")
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    assert page.evaluate(_OVERFLOWING) == [], name


KINDS = (
    "purpose_notification",
    "disclosure",
    "correction",
    "stop_use",
    "erasure",
    "stop_provision",
    "complaint",
    "inquiry",
)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_page_fits_a_390px_phone(
    browser: Browser, site_url: str, smtp: SmtpServer, tmp_path: Path, lang: str
) -> None:
    locale = {"en": "en-GB", "ja": "ja-JP"}[lang]
    with opened(browser, site_url, viewport=PHONE, locale=locale) as (page, foreign):
        page.goto(f"{site_url}/portal/", wait_until="load")
        _fits(page, f"home-{lang}")
        for kind in KINDS:
            page.goto(f"{site_url}/portal/requests/new/{kind}", wait_until="load")
            _fits(page, f"form-{kind}-{lang}")

        page.goto(f"{site_url}/portal/requests/new/disclosure", wait_until="load")
        page.locator("button[type=submit]").last.click()  # nothing filled in: every error
        page.wait_for_load_state("load")
        assert page.locator(".error-summary").is_visible()
        _fits(page, f"form-errors-{lang}")

        page.locator("#f-name").fill("Hanako Yamada")
        page.locator("#f-furigana").fill("ヤマダ ハナコ")
        page.locator("#f-email").fill(EMAIL)
        page.locator("#f-disclosure-method").check()
        page.locator("#f-identity-document").set_input_files(identity_file(tmp_path))
        page.locator("button[type=submit]").last.click()
        page.wait_for_url(f"{site_url}/portal/requests/verify")
        reference = page.locator(".reference strong").inner_text()
        _fits(page, f"verify-{lang}")
        page.locator("#c-code").fill(smtp.mailbox.last_code(EMAIL))
        page.locator("#c-code").press("Enter")
        page.wait_for_url(f"{site_url}/portal/requests/received")
        _fits(page, f"received-{lang}")

        page.goto(f"{site_url}/portal/status", wait_until="load")
        _fits(page, f"status-lookup-{lang}")
        page.locator("#s-reference").fill(reference)
        page.locator("#s-email").fill(EMAIL)
        page.locator("#s-email").press("Enter")
        page.wait_for_load_state("load")
        assert page.locator('[aria-current="step"]').count() == 1
        _fits(page, f"status-{lang}")
        assert foreign == []
