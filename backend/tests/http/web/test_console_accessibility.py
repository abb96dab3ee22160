"""Accessibility basics of the console, checked by axe-core in Chromium on every view."""

import pytest
from playwright.sync_api import Page, expect

from tests.http.web.axe import checked_nodes, run_axe, violations
from tests.http.web.browser import PHONE, PageLog
from tests.http.web.console_actions import submit_run, wait_figures_drawn, wait_live_state

Console = tuple[Page, PageLog]


def test_the_main_view_has_a_title_landmarks_and_labelled_controls(console: Console) -> None:
    page, _ = console
    submit_run(page, "health", 8_000)
    wait_live_state(page, "succeeded")
    expect(page).to_have_title("Run · SynQc TDS console")
    for landmark in ("banner", "navigation", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    for label in ("Target", "Preset", "Shot budget", "Mode", "Notes"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()

    results = run_axe(page)
    assert violations(results) == []
    # The contrast rule really looked at the filled KPI tiles, value and title alike.
    contrasted = checked_nodes(results, "color-contrast")
    assert sum(".kpi-value" in node or "kpi-value" in node for node in contrasted) >= 5
    assert any("kpi-title" in node for node in contrasted)
    page.set_viewport_size(PHONE)
    assert violations(run_axe(page)) == []


@pytest.mark.parametrize("view", ["detail", "#/history", "#/targets"])
def test_every_other_view_passes_axe(console: Console, view: str) -> None:
    page, _ = console
    if view == "detail":
        submit_run(page, "health", 8_000)
        wait_live_state(page, "succeeded")
        page.click("a.detail-link")
        wait_figures_drawn(page, 4)
    else:
        page.goto(page.url.split("#")[0] + view)
        expect(page.locator("main h1:visible")).to_have_count(1)
    assert violations(run_axe(page)) == []
    page.set_viewport_size(PHONE)
    assert violations(run_axe(page)) == []
