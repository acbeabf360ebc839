"""The HTML notice in a real browser: Debian's Chromium driven by Playwright, on a 390 px wide
phone screen. Nothing is wider than the screen, every heading (long Japanese and English ones
included) fits within it, and the page fetches nothing from the network.

Needs Playwright for Python and Debian's ``chromium`` (``fonts-noto-cjk`` for Japanese glyphs);
``.ci/run`` installs them. Without them the tests skip with the reason, except when the ``CI``
environment variable is set: then they fail, so that CI never skips them silently.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
import yaml

from kojin.policy import Policy, load_policy, parse_policy, render_notice
from kojin.policy.load import default_policy_text
from kojin.policy.model_base import Lang, Text

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Request, Route

WIDTH, HEIGHT = 390, 844
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
FIXTURE = Path(__file__).parent / "data" / "notice-provision.yaml"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> NoReturn:
    if _in_ci():
        pytest.fail(f"{reason} (CI is set: the browser tests must run, not skip)")
    pytest.skip(reason)


def _chromium() -> str | None:
    """Debian's Chromium: /usr/bin/chromium, else whatever ``chromium`` is on the PATH."""
    debian = Path("/usr/bin/chromium")
    return str(debian) if debian.exists() else shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if importlib.util.find_spec("playwright") is None:
        _unavailable("Playwright for Python is not installed (pip install -e '.[dev]')")
    executable = _chromium()
    if executable is None:
        _unavailable(
            "Chromium is not installed: apt-get install chromium fonts-noto-cjk "
            "(kojin drives Debian's chromium; it never downloads a browser)"
        )
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=LAUNCH_ARGS
            )
        except Error as exc:
            _unavailable(f"Chromium at {executable} does not start: {exc.message.splitlines()[0]}")
        try:
            yield launched
        finally:
            launched.close()


class Opened:
    """A page opened at the phone's size, with every request that is not a local file."""

    def __init__(self, browser: Browser, path: Path) -> None:
        self.requests: list[str] = []
        self.context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        self.context.route("**/*", self._local_only)
        self.page = self.context.new_page()
        self.page.on("request", self._seen)
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.evaluate("document.fonts.ready.then(() => true)")

    def _local_only(self, route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
            return
        self._note(route.request.url)
        route.abort()

    def _seen(self, request: Request) -> None:
        self._note(request.url)

    def _note(self, url: str) -> None:
        if not url.startswith(("file://", "data:", "about:")) and url not in self.requests:
            self.requests.append(url)

    def scroll_width(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollWidth"))

    def headings(self) -> list[dict[str, Any]]:
        """Each heading's box and the box of its text, in viewport pixels."""
        found: list[dict[str, Any]] = self.page.evaluate(
            """() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => {
                const box = h.getBoundingClientRect();
                const range = document.createRange();
                range.selectNodeContents(h);
                const text = range.getBoundingClientRect();
                return {text: h.textContent, left: box.left, right: box.right,
                        textLeft: text.left, textRight: text.right,
                        scrollWidth: h.scrollWidth, clientWidth: h.clientWidth};
            })"""
        )
        return found

    def close(self) -> None:
        self.context.close()


def _with_provision() -> Policy:
    """The default policy with opt-out and joint-use arrangements (more h4 headings)."""
    data: dict[str, Any] = yaml.safe_load(default_policy_text())
    extra: dict[str, Any] = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data["general"]["third_party_provision"].update(extra["third_party_provision"])
    data["general"]["joint_use"].update(extra["joint_use"])
    return parse_policy(yaml.safe_dump(data, allow_unicode=True), source=str(FIXTURE))


LONG_TOKEN = "PersonalInformationProtectionManagementSystemRegistrationPortal"


def _with_long_headings(policy: Policy) -> Policy:
    """Headings a narrow screen cannot hold on one line, nor break at spaces alone."""
    first, *rest = policy.categories
    long_title = Text(
        en=f"Customer personal information received through the {LONG_TOKEN} and "
        "https://www.example.com/privacy/personal-information/registration-portal",
        ja=f"{LONG_TOKEN}を通じてお預かりするお客様の個人情報及び特定個人情報等の取扱いに関する"
        "事項（https://www.example.com/privacy/personal-information/registration-portal）",
    )
    notice = policy.notice.model_copy(
        update={
            "introduction": policy.notice.introduction.model_copy(
                update={
                    "title": Text(
                        en=f"The Handling of Personal Information at NTT COMWARE: {LONG_TOKEN}",
                        ja="エヌ・ティ・ティ・コムウェア株式会社における個人情報及び"
                        "特定個人情報等の取扱いに関する基本的な考え方について",
                    )
                }
            )
        }
    )
    return policy.model_copy(
        update={
            "notice": notice,
            "categories": [first.model_copy(update={"title": long_title}), *rest],
        }
    )


def _write(tmp_path: Path, name: str, page: str) -> Path:
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("notice")
    policies = {
        "default": load_policy(),
        "provision": _with_provision(),
        "long": _with_long_headings(_with_provision()),
    }
    out: dict[tuple[str, str], Path] = {}
    for name, policy in policies.items():
        for lang in ("en", "ja"):
            page = render_notice(policy, lang=lang, fmt="html")
            out[name, lang] = _write(folder, f"{name}-{lang}.html", page)
    return out


CASES = [(name, lang) for name in ("default", "provision", "long") for lang in ("en", "ja")]


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_notice_fits_a_390px_screen_and_fetches_nothing(
    browser: Browser, pages: dict[tuple[str, str], Path], name: str, lang: Lang
) -> None:
    opened = Opened(browser, pages[name, lang])
    try:
        assert opened.page.evaluate("document.documentElement.lang") == lang
        assert opened.page.evaluate("window.innerWidth") == WIDTH
        assert opened.scroll_width() <= WIDTH
        headings = opened.headings()
        assert len(headings) > 20
        overflowing = [
            h["text"]
            for h in headings
            if h["left"] < 0
            or h["right"] > WIDTH
            or h["textLeft"] < 0
            or h["textRight"] > WIDTH + 0.5
            or h["scrollWidth"] > h["clientWidth"]
        ]
        assert overflowing == []
        assert opened.requests == []
    finally:
        opened.close()


def test_the_long_headings_need_the_wrapping_rules(
    browser: Browser, pages: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    """Without the template's overflow-wrap rules the long headings do overflow: the test above
    measures something."""
    page = pages["long", "en"].read_text(encoding="utf-8")
    bare = re.sub(r"overflow-wrap:\s*[a-z-]+;", "", page)
    assert bare != page
    opened = Opened(browser, _write(tmp_path, "bare.html", bare))
    try:
        assert opened.scroll_width() > WIDTH
        assert any(LONG_TOKEN in h["text"] and h["textRight"] > WIDTH for h in opened.headings())
    finally:
        opened.close()


def test_requests_to_the_network_are_caught(browser: Browser, tmp_path: Path) -> None:
    """The request check is not vacuous: a page that loads a font or an image from the network
    is caught (and the request is aborted)."""
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8" />'
        '<link rel="stylesheet" href="https://fonts.example.com/notice.css" /></head>'
        '<body><h1>Notice</h1><img src="http://example.invalid/logo.png" alt="" /></body></html>'
    )
    opened = Opened(browser, _write(tmp_path, "remote.html", page))
    try:
        assert sorted(opened.requests) == [
            "http://example.invalid/logo.png",
            "https://fonts.example.com/notice.css",
        ]
    finally:
        opened.close()


def test_a_missing_browser_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        _unavailable("no chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        _unavailable("no chromium")
