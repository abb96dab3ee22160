"""Debian's Chromium driven by Playwright, and what a page did: console errors and requests.

- Chromium comes from the system (`apt-get install chromium`); Playwright's own browser
  download is not used. Missing: the tests skip, except under `CI=true`, where they fail.
- Every page records its console errors, uncaught exceptions and the URL of every request, so a
  test can assert that the console loaded its own files, talked to its API and nothing else,
  without errors.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, ViewportSize

from tests.redis_server import in_ci

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LAPTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "console"
HTTP_ERROR = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")


def require_chromium() -> Path:
    """Debian's Chromium; skips the test when it is missing, fails under `CI=true`."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} not found: apt-get install chromium"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(require_chromium()), args=CHROMIUM_ARGS, headless=True
    )


@dataclass
class PageLog:
    """What a page did; `expected_statuses` are HTTP error statuses a test provokes on purpose."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def unexpected_errors(self) -> list[str]:
        """Console errors, apart from the HTTP error responses the test expected."""
        return [
            text
            for text in self.errors
            if not (
                (match := HTTP_ERROR.search(text)) and int(match.group(1)) in self.expected_statuses
            )
        ]

    def foreign_requests(self, console_url: str, api_url: str) -> list[str]:
        """Requests other than the console's page and files, the API, and figures' object URLs."""
        return [url for url in self.requests if not _expected(url, console_url, api_url)]


def _expected(url: str, console_url: str, api_url: str) -> bool:
    # blob: URLs are the figures' in-memory object URLs, not network calls.
    page = url.split("#")[0].split("?")[0]
    return page == f"{console_url}/" or url.startswith(
        (f"{console_url}/console/", f"{api_url}/", "blob:")
    )


@contextmanager
def console_page(
    browser: Browser, console_url: str, api_url: str | None = None
) -> Iterator[tuple[Page, PageLog]]:
    """A fresh page (own context, laptop viewport) that records its log; checks it on exit.

    On exit: no unexpected console error, and no request but the console's own page and files
    (from `console_url`) and calls to the API (`api_url`, by default `<console_url>/api`).
    """
    api_url = api_url or f"{console_url}/api"
    context = browser.new_context(viewport=LAPTOP)
    log = PageLog()
    # On the context, so pages a test opens later (a shared link, say) are recorded too.
    context.on("console", log.on_console)
    context.on("weberror", lambda web_error: log.errors.append(f"uncaught: {web_error.error}"))
    context.on("request", log.on_request)
    page = context.new_page()
    try:
        yield page, log
        # A round trip delivers every event the browser sent before it.
        page.evaluate("() => 0")
        unexpected = log.unexpected_errors()
        assert unexpected == [], f"console errors: {unexpected}"
        foreign = log.foreign_requests(console_url, api_url)
        assert foreign == [], f"requests outside the console and its API: {foreign}"
        assert any(url.startswith(f"{api_url}/") for url in log.requests)
    finally:
        context.close()


def screenshot(page: Page, name: str) -> None:
    """The whole page at laptop and phone width, as `<name>-1280x800.png` and `-390x844.png`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.activeElement?.blur()")
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        page.screenshot(
            path=SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png", full_page=True
        )
    page.set_viewport_size(LAPTOP)
