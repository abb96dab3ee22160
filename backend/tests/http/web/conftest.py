"""Fixtures of the console's browser tests: Chromium, a live embedded `synqc serve`, pages.

Chromium and the server live as long as this package's tests run in a process, not the whole
session: Playwright's sync API holds an event loop in the main thread while it is open, and a
test of another package run after these in the same process may need that thread's loop.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.http.web.browser import PageLog, console_page, launch_chromium
from tests.live_server import LiveServer, live_server, server_env


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="package")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The embedded default (SQLite, in-process workers), no API key."""
    workdir: Path = tmp_path_factory.mktemp("console")
    with live_server(workdir, server_env(workdir / "synqc.db")) as server:
        yield server


@pytest.fixture
def console(chromium: Browser, console_server: LiveServer) -> Iterator[tuple[Page, PageLog]]:
    """A page on the console, loaded, with the run form filled from the server."""
    with console_page(chromium, console_server.base_url) as (page, log):
        page.goto(f"{console_server.base_url}/")
        page.wait_for_selector("#run-target option[value=sim_local]", state="attached")
        yield page, log
