"""What an operator does in the console, as steps the tests share."""

import time

from playwright.sync_api import Page, expect

RUN_TIMEOUT_MS = 90_000


def submit_run(page: Page, preset: str, shots: int | None = None, notes: str = "") -> None:
    """Fill the run form on the main view and press Run."""
    page.select_option("#run-preset", preset)
    page.fill("#run-shots", "" if shots is None else str(shots))
    page.fill("#run-notes", notes)
    page.click("#run-submit")


def wait_live_state(page: Page, state: str) -> None:
    expect(page.locator("#live-run .run-watch .run-state")).to_have_text(
        state, timeout=RUN_TIMEOUT_MS
    )


def live_run_id(page: Page) -> str:
    run_id = page.locator("#live-run .run-watch").get_attribute("data-run-id")
    assert run_id
    return run_id


def wait_figures_drawn(page: Page, count: int, timeout_s: float = 30.0) -> list[str]:
    """Wait until `count` fit figures are loaded and decoded; their names."""
    images = page.locator("img[data-figure]")
    expect(images).to_have_count(count)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        drawn = images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
        if all(drawn):
            names: list[str] = images.evaluate_all("imgs => imgs.map(i => i.dataset.figure)")
            return names
        time.sleep(0.1)
    raise AssertionError("figures were not drawn")
