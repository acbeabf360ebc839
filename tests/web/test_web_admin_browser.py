"""The staff pages in a real browser: Debian's Chromium driven by Playwright, on a 390 px phone.

Signs in with the keyboard alone, opens the dashboard, the queue and a request, checks that
nothing is wider than the screen, that focus is visible, that nothing is fetched from anywhere
but kojin, and writes screenshots to ``test-artifacts/screenshots/``. Without Playwright or
Chromium the tests skip with the reason, except when ``CI`` is set: then they fail.
"""

from __future__ import annotations

import pytest
from web_support import (
    STAFF_PASSWORD,
    LiveSite,
    PhonePage,
    make_staff,
    make_subject,
    screenshot,
    submit_verified,
    unavailable,
)

from kojin.auth.roles import Role

WIDTH = 390


@pytest.fixture
def staffed(live_site: LiveSite) -> LiveSite:
    """The live site with a privacy officer and three requests in different states."""
    make_staff(live_site.database, Role.PRIVACY_OFFICER, "officer")
    submit_verified(live_site.app)
    submit_verified(
        live_site.app,
        kind="stop_use",
        email="hanako@example.jp",
        name="佐藤 花子",
        details="ダイレクトメールの送付に利用しないでください。",
    )
    submit_verified(live_site.app, kind="inquiry", email="jiro@example.jp", lang="en")
    make_subject(live_site.app)
    return live_site


def _focused(phone: PhonePage) -> dict[str, str]:
    found: dict[str, str] = phone.page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {tag: el.tagName.toLowerCase(), id: el.id || '', text: el.textContent.trim(),
                    outline: style.outlineStyle, shadow: style.boxShadow};
        }"""
    )
    return found


def _tab_to(phone: PhonePage, element_id: str, limit: int = 15) -> list[dict[str, str]]:
    """Press Tab until the element `element_id` has focus; the stops passed on the way."""
    stops = []
    for _ in range(limit):
        phone.page.keyboard.press("Tab")
        stop = _focused(phone)
        stops.append(stop)
        if stop["id"] == element_id:
            return stops
    raise AssertionError(f"Tab never reached #{element_id}: {stops}")


def _fits(phone: PhonePage) -> None:
    assert phone.page.evaluate("window.innerWidth") == WIDTH
    assert phone.scroll_width() <= WIDTH
    assert phone.overflowing() == []


def _sign_in_by_keyboard(phone: PhonePage) -> list[dict[str, str]]:
    phone.goto("/admin/login")
    stops = _tab_to(phone, "f-username")
    phone.page.keyboard.type("officer")
    phone.page.keyboard.press("Tab")
    assert _focused(phone)["id"] == "f-password"
    phone.page.keyboard.type(STAFF_PASSWORD)
    with phone.page.expect_navigation():
        phone.page.keyboard.press("Enter")
    return stops


def test_sign_in_with_the_keyboard_alone(staffed: LiveSite, phone_page: PhonePage) -> None:
    phone_page.goto("/admin/login")
    _fits(phone_page)
    screenshot(phone_page.page, "admin-login-en")
    stops = _sign_in_by_keyboard(phone_page)
    # the first stop is the skip link, and every stop shows where the focus is
    assert stops[0]["text"] == "Skip to the main content"
    for stop in stops:
        assert stop["outline"] != "none" or stop["shadow"] != "none", stop
    assert phone_page.page.url == staffed.url + "/admin/"
    assert phone_page.page.locator("h1").inner_text() == "Dashboard"
    assert phone_page.foreign == []


def test_the_skip_link_moves_to_the_main_content(staffed: LiveSite, phone_page: PhonePage) -> None:
    phone_page.goto("/admin/login")
    phone_page.page.keyboard.press("Tab")
    assert phone_page.page.locator(".skip-link").is_visible()
    phone_page.page.keyboard.press("Enter")
    assert phone_page.page.evaluate("document.activeElement.id") == "main"


def test_a_refused_sign_in_is_announced_and_linked_to(
    staffed: LiveSite, phone_page: PhonePage
) -> None:
    phone_page.goto("/admin/login?lang=ja")
    with phone_page.page.expect_navigation():
        phone_page.page.locator("button[type=submit]").click()
    summary = phone_page.page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    assert "ユーザー名を入力してください" in summary.inner_text()
    summary.locator("a").first.click()
    assert phone_page.page.evaluate("document.activeElement.id") == "f-username"
    _fits(phone_page)
    screenshot(phone_page.page, "admin-login-errors-ja")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_dashboard_and_queue_fit_a_phone(
    staffed: LiveSite, phone_page: PhonePage, lang: str
) -> None:
    _sign_in_by_keyboard(phone_page)
    phone_page.goto(f"/admin/?lang={lang}")
    assert phone_page.page.evaluate("document.documentElement.lang") == lang
    _fits(phone_page)
    chart = phone_page.page.locator("figure.chart svg")
    assert chart.get_attribute("role") == "img"
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] <= WIDTH
    screenshot(phone_page.page, f"admin-dashboard-{lang}")

    phone_page.goto("/admin/requests")
    _fits(phone_page)
    rows = phone_page.page.locator("table.queue tbody tr")
    assert rows.count() == 3
    # the wide table scrolls inside its own region, which the keyboard can reach
    region = phone_page.page.locator(".table-region").first
    assert region.get_attribute("tabindex") == "0"
    screenshot(phone_page.page, f"admin-queue-{lang}")

    rows.first.locator("a").first.click()
    phone_page.page.wait_for_load_state("load")
    _fits(phone_page)
    assert phone_page.page.locator(".document-image").count() == 1
    screenshot(phone_page.page, f"admin-request-{lang}")
    assert phone_page.foreign == []


def test_an_action_from_the_phone(staffed: LiveSite, phone_page: PhonePage) -> None:
    _sign_in_by_keyboard(phone_page)
    phone_page.goto("/admin/requests?kind=stop_use")
    phone_page.page.locator("table.queue tbody a").first.click()
    phone_page.page.wait_for_load_state("load")
    with phone_page.page.expect_navigation():
        phone_page.page.locator("#action-verify-identity button[type=submit]").click()
    notice = phone_page.page.locator("p.notice-success")
    assert notice.inner_text() == "Done: Identity verified."
    assert "State: Under review" in phone_page.page.locator("main").inner_text()
    _fits(phone_page)


def test_a_missing_browser_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        unavailable("no chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        unavailable("no chromium")
