"""The console against a server that needs an API key and queues runs in Redis for workers.

No worker process is started, so a submitted run waits in the queue: the operator sees it
queued and cancels it from the console.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.http.web.browser import PageLog, console_page
from tests.http.web.console_actions import live_run_id, submit_run, wait_live_state
from tests.live_server import LiveServer, live_server, server_env
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

API_KEY = "console-test-key-7f3a"


@pytest.fixture
def queue_server(tmp_path: Path, redis_server: RedisServer) -> Iterator[LiveServer]:
    env = server_env(tmp_path / "synqc.db", SYNQC_REDIS_URL=redis_server.url, SYNQC_API_KEY=API_KEY)
    with live_server(tmp_path, env) as server:
        yield server


@pytest.fixture
def keyed_console(chromium: Browser, queue_server: LiveServer) -> Iterator[tuple[Page, PageLog]]:
    with console_page(chromium, queue_server.base_url) as (page, log):
        page.goto(f"{queue_server.base_url}/")
        page.wait_for_selector("#run-target option[value=sim_local]", state="attached")
        yield page, log


def submit_queued(server: LiveServer) -> dict[str, Any]:
    """A run submitted through the API; with no worker started, it stays queued."""
    submitted: dict[str, Any] = httpx.post(
        f"{server.base_url}/runs",
        json={"preset": "hello_quantum_sim", "shot_budget": 300},
        headers={"X-Api-Key": API_KEY},
        timeout=10,
    ).json()
    return submitted


def enter_key(page: Page) -> None:
    expect(page.locator("#auth-panel")).to_be_visible()
    page.fill("#auth-key", API_KEY)
    page.click("#auth-form button[type=submit]")
    expect(page.locator("#auth-reason")).to_contain_text("one is set for this browser tab")


def test_a_queued_run_is_cancelled_from_the_console(
    keyed_console: tuple[Page, PageLog], queue_server: LiveServer
) -> None:
    page, _ = keyed_console
    enter_key(page)
    assert page.evaluate("() => sessionStorage.getItem('synqc.apiKey')") == API_KEY
    assert page.evaluate("() => localStorage.length") == 0

    expect(page.locator("#service-strip")).to_contain_text("budgets: Redis")
    submit_run(page, "hello_quantum_sim", 500)
    wait_live_state(page, "queued")
    queue_stage = page.locator("#live-run .stage").nth(1)
    expect(queue_stage).to_have_attribute("data-stage-status", "active")
    page.click("#live-run button:has-text('Cancel run')")
    wait_live_state(page, "cancelled")
    expect(page.locator("#live-run .stage[data-stage-status=done]")).to_have_count(1)
    expect(page.locator("#live-run .stage[data-stage-status=unreached]")).to_have_count(5)

    run = httpx.get(
        f"{queue_server.base_url}/runs/{live_run_id(page)}",
        headers={"X-Api-Key": API_KEY},
        timeout=10,
    ).json()
    expect(page.locator("#live-run [role=status]")).to_have_text(
        f"{run['error_message']} — {run['action_hint']}"
    )
    assert run["status"] == "cancelled"
    assert run["error_code"] == "CANCELLED"


def test_a_queued_run_opened_by_its_url_is_followed_and_cancelled_there(
    keyed_console: tuple[Page, PageLog], queue_server: LiveServer
) -> None:
    page, _ = keyed_console
    enter_key(page)
    headers = {"X-Api-Key": API_KEY}
    submitted = submit_queued(queue_server)
    page.goto(f"{queue_server.base_url}/#/runs/{submitted['id']}")
    expect(page.locator(".run-detail .run-watch .run-state")).to_have_text("queued")
    expect(page.locator(".run-detail [data-kpi=fidelity] .kpi-sub")).to_have_text(
        "run not finished"
    )
    page.click(".run-detail button:has-text('Cancel run')")

    expect(page.locator(".run-detail .error-code")).to_have_text("CANCELLED")
    run = httpx.get(
        f"{queue_server.base_url}/runs/{submitted['id']}", headers=headers, timeout=10
    ).json()
    expect(page.locator(".run-detail .error-hint")).to_have_text(
        f"What to do: {run['action_hint']}"
    )
    expect(page.locator(".run-detail .run-watch")).to_have_count(0)


# The console's API client, imported in the page: a request aborted once its response head has
# arrived but not its body. A queued run's event stream is such a response: its first event
# comes at once, and the body stays open while the run waits.
ABORT_WHILE_THE_BODY_ARRIVES = """async (runId) => {
  const { ApiClient, apiBase } = await import("./console/api_client.js");
  const client = new ApiClient(apiBase(window.location));
  const controller = new AbortController();
  const pending = client.get(`/runs/${runId}/events`, controller.signal);
  setTimeout(() => controller.abort(), 1000);
  try {
    return { resolved: await pending };
  } catch (error) {
    return { rejected: error.name };
  }
}"""


def test_a_request_aborted_while_its_body_arrives_is_rejected_not_resolved_empty(
    keyed_console: tuple[Page, PageLog], queue_server: LiveServer
) -> None:
    """Regression: such a request resolved with `null`, and the history view then threw on it."""
    page, _ = keyed_console
    enter_key(page)
    submitted = submit_queued(queue_server)
    assert page.evaluate(ABORT_WHILE_THE_BODY_ARRIVES, submitted["id"]) == {
        "rejected": "AbortError"
    }
