"""`?api=<url>`: the console served by one server drives the API of another."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.http.web.browser import console_page
from tests.http.web.console_actions import submit_run, wait_live_state
from tests.live_server import LiveServer, live_server, server_env


@pytest.fixture
def other_api(
    tmp_path_factory: pytest.TempPathFactory, console_server: LiveServer
) -> Iterator[LiveServer]:
    """A second server that lets the first one's console call it (CORS)."""
    workdir = tmp_path_factory.mktemp("other-api")
    env = server_env(workdir / "synqc.db", SYNQC_ALLOWED_ORIGINS=console_server.base_url)
    with live_server(workdir, env) as server:
        yield server


def test_the_console_drives_the_api_named_in_its_url(
    chromium: Browser, console_server: LiveServer, other_api: LiveServer
) -> None:
    api_url = f"{other_api.base_url}/api"
    with console_page(chromium, console_server.base_url, api_url) as (page, log):
        page.goto(f"{console_server.base_url}/?api={api_url}")
        page.wait_for_selector("#run-target option[value=sim_local]", state="attached")
        expect(page.locator("#api-base")).to_have_text(api_url)
        submit_run(page, "hello_quantum_sim", 200)
        wait_live_state(page, "succeeded")
        page.click("a.detail-link")
        expect(page.locator("#detail-heading")).to_contain_text("hello_quantum_sim run")
        assert not [url for url in log.requests if url.startswith(f"{console_server.base_url}/api")]
