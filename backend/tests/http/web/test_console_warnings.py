"""The console's soft warning for a large shot budget on hardware: shown while the form is
filled in, and on the submitted run."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.http.web.browser import console_page
from tests.http.web.console_actions import submit_run, wait_live_state
from tests.live_server import LiveServer, live_server, server_env

LARGE = 50_000


@pytest.fixture(scope="module")
def hardware_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The embedded default with IBM's offline device as the `ibm_quantum` target."""
    workdir: Path = tmp_path_factory.mktemp("console-hardware")
    env = server_env(workdir / "synqc.db", SYNQC_QISKIT_BACKEND_IBM_QUANTUM="FakeManilaV2")
    with live_server(workdir, env) as server:
        yield server


@pytest.fixture
def page(chromium: Browser, hardware_server: LiveServer) -> Iterator[Page]:
    with console_page(chromium, hardware_server.base_url) as (page, _):
        page.goto(f"{hardware_server.base_url}/")
        page.wait_for_selector("#run-target option[value=ibm_quantum]", state="attached")
        yield page


def test_the_warning_shows_before_and_after_submitting_on_hardware_only(page: Page) -> None:
    warning = page.locator("#run-shots-warning")
    page.select_option("#run-preset", "hello_quantum_sim")
    page.fill("#run-shots", str(LARGE))
    expect(warning).to_be_hidden()  # the simulator

    page.select_option("#run-target", "ibm_quantum")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("50,000 shots is above 20,000")
    page.fill("#run-shots", "2000")
    expect(warning).to_be_hidden()

    submit_run(page, "hello_quantum_sim", LARGE)
    live = page.locator("#live-run .run-warnings")
    expect(live).to_contain_text("SYNQC_HARDWARE_SHOT_WARNING")
    wait_live_state(page, "succeeded")
