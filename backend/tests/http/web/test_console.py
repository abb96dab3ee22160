"""The console in Debian's Chromium against a live embedded `synqc serve`.

Every test also checks (in the page fixture) that the browser logged no console error and that
every request went to the API's origin.
"""

import re
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.http.web.browser import PageLog, screenshot
from tests.http.web.console_actions import (
    live_run_id,
    submit_run,
    wait_figures_drawn,
    wait_live_state,
)
from tests.live_server import LiveServer

Console = tuple[Page, PageLog]
HEALTH_SHOTS = 20_000
NUMBER = re.compile(r"^[0-9.e+-]+$")


def api_run(server: LiveServer, run_id: str) -> dict[str, Any]:
    response = httpx.get(f"{server.base_url}/runs/{run_id}", timeout=10)
    assert response.status_code == 200
    run: dict[str, Any] = response.json()
    return run


def test_a_health_run_fills_the_tiles_and_shows_its_four_fit_figures(
    console: Console, console_server: LiveServer
) -> None:
    page, _ = console
    submit_run(page, "health", HEALTH_SHOTS)
    wait_live_state(page, "succeeded")
    run = api_run(console_server, live_run_id(page))
    kpis = run["result"]["kpis"]

    tiles = page.locator("#live-tiles .kpi-tiles")
    expect(tiles).to_have_attribute("data-status", kpis["status"])
    fidelity = tiles.locator("[data-kpi=fidelity] .kpi-value").inner_text()
    assert NUMBER.match(fidelity)
    assert abs(float(fidelity) - kpis["fidelity"]) <= 5e-4 * kpis["fidelity"]
    expect(tiles.locator("[data-kpi=shots] .kpi-value")).to_have_text(
        f"{kpis['shots_used']:,} / {kpis['shot_budget']:,}"
    )
    expect(tiles.locator("[data-kpi=status] .kpi-value")).to_have_text(kpis["status"])
    stages = page.locator("#live-run .stage")
    expect(stages).to_have_count(6)
    expect(page.locator("#live-run .stage[data-stage-status=done]")).to_have_count(6)

    # A tile's definition and CI show on keyboard focus.
    tip = tiles.locator("[data-kpi=fidelity] [role=tooltip]")
    expect(tip).to_be_hidden()
    tiles.locator("[data-kpi=fidelity]").focus()
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("avg_clifford_fidelity_v1")
    expect(tip).to_contain_text("95 % CI")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    page.locator("#run-notes").focus()
    screenshot(page, "main-view")

    page.click("a.detail-link")
    expect(page).to_have_url(re.compile(f"#/runs/{run['id']}$"))
    names = wait_figures_drawn(page, 4)
    assert names == ["t1", "ramsey", "echo", "rb"]
    measured = page.locator(".measurements-table tbody th")
    assert {"t1_s", "t2_star_s", "t2_echo_s", "epc"} <= set(measured.all_inner_texts())
    expect(page.locator(".kpi-table tbody tr")).to_have_count(len(run["result"]["kpi_details"]))
    expect(page.locator(".run-detail")).to_contain_text(run["result"]["physics_contract"]["plant"])
    screenshot(page, "health-detail")


def test_a_note_with_markup_is_shown_as_text(console: Console) -> None:
    page, _ = console
    note = '<script>window.injected = 1</script><img src="x" onerror="window.injected = 2">'
    submit_run(page, "hello_quantum_sim", 200, notes=note)
    wait_live_state(page, "succeeded")
    page.click("a.detail-link")
    shown = page.locator(".run-notes")
    expect(shown).to_have_text(note)
    expect(shown.locator("script, img")).to_have_count(0)
    assert page.evaluate("() => window.injected === undefined")


def test_a_rejected_run_shows_the_error_and_its_hint(
    console: Console, console_server: LiveServer
) -> None:
    page, log = console
    log.expected_statuses.add(422)
    expected = httpx.post(
        f"{console_server.base_url}/runs", json={"preset": "health", "shot_budget": 100}, timeout=10
    ).json()["detail"]
    submit_run(page, "health", 100)
    error = page.locator("#run-error")
    expect(error).to_be_visible()
    expect(error.locator(".error-code")).to_have_text("INVALID_REQUEST")
    expect(error).to_contain_text(expected["error_message"])
    expect(error.locator(".error-hint")).to_have_text(f"What to do: {expected['action_hint']}")

    # Above the server's per-run maximum the form refuses before asking the server (a
    # target's max_shots is per circuit, so it does not cap the run's total).
    requests_before = len(log.requests)
    submit_run(page, "health", 250_000)
    expect(error).to_contain_text("from 1 to 200,000")
    assert not [url for url in log.requests[requests_before:] if url.endswith("/api/runs")]


def test_an_unconfigured_target_is_marked_with_what_it_needs(
    console: Console, console_server: LiveServer
) -> None:
    page, _ = console
    targets = httpx.get(f"{console_server.base_url}/hardware/targets", timeout=10).json()
    braket = next(t for t in targets["targets"] if t["id"] == "aws_braket")
    assert braket["status"] == "unconfigured"

    page.select_option("#run-target", "aws_braket")
    expect(page.locator("#run-target-status .badge")).to_have_text("unconfigured")
    expect(page.locator("#run-target-status")).to_contain_text(braket["status_detail"])
    page.click("nav >> text=Targets")
    card = page.locator(".target-card[data-target=aws_braket]")
    expect(card.locator(".badge")).to_have_text("unconfigured")
    expect(card.locator(".target-detail")).to_have_text(braket["status_detail"])
    expect(page.locator(".target-card[data-target=sim_local] .badge")).to_have_text("ready")


def test_a_dpd_demo_detail_shows_its_tradeoff_curve_and_table(
    console: Console, console_server: LiveServer
) -> None:
    page, _ = console
    submit_run(page, "dpd_demo", 12_000)
    wait_live_state(page, "succeeded")
    run = api_run(console_server, live_run_id(page))
    page.click("a.detail-link")
    assert wait_figures_drawn(page, 1) == ["dpd_tradeoff"]
    expect(page.locator(".tradeoff-table tbody tr")).to_have_count(len(run["result"]["tradeoff"]))
    screenshot(page, "dpd-demo-detail")


def test_backend_compare_shows_one_column_per_target(console: Console) -> None:
    page, _ = console
    page.select_option("#run-preset", "backend_compare")
    expect(page.locator("#run-compare")).to_be_visible()
    expect(page.locator("#compare-sim_local")).to_be_checked()
    submit_run(page, "backend_compare")
    wait_live_state(page, "succeeded")
    page.click("a.detail-link")
    head = page.locator(".comparison-table thead th")
    expect(head).to_have_text(["KPI", "sim_local"])
    expect(page.locator(".comparison-table tbody tr").first).to_contain_text("(best)")


def test_history_filters_live_in_the_url_and_a_detail_url_can_be_shared(
    console: Console, console_server: LiveServer
) -> None:
    page, _ = console
    submit_run(page, "hello_quantum_sim", 300)
    wait_live_state(page, "succeeded")
    newest = live_run_id(page)

    page.click("nav >> text=History")
    page.select_option("#history-preset", "hello_quantum_sim")
    expect(page).to_have_url(re.compile(r"#/history\?preset=hello_quantum_sim$"))
    rows = page.locator(".history-table tbody tr")
    expect(rows.first).to_have_attribute("data-run-id", newest)
    presets = rows.locator("td:nth-child(3)").all_inner_texts()
    assert presets
    assert set(presets) == {"hello_quantum_sim"}
    page.select_option("#history-status", "failed")
    expect(page).to_have_url(re.compile(r"preset=hello_quantum_sim&status=failed$"))
    expect(page.locator(".history-body")).to_contain_text("No runs match")

    page.go_back()
    rows.first.locator("td").first.click()
    expect(page).to_have_url(re.compile(f"#/runs/{newest}$"))
    shared = page.context.new_page()
    shared.goto(f"{console_server.base_url}/#/runs/{newest}")
    expect(shared.locator("#detail-heading")).to_have_text(f"hello_quantum_sim run {newest[:8]}")
    expect(shared).to_have_title("Run detail · SynQc TDS console")
    shared.close()


def test_controls_for_one_run_and_for_the_server(
    console: Console, console_server: LiveServer
) -> None:
    page, _ = console
    before = httpx.get(f"{console_server.base_url}/controls/profile", timeout=10).json()
    page.click("#controls summary")
    page.fill("#control-drive_bias", "1.2")
    expect(page.locator("output[for=control-drive_bias]")).to_have_text("1.2")
    page.check("#controls-this-run")
    submit_run(page, "hello_quantum_sim", 200)
    wait_live_state(page, "succeeded")
    run = api_run(console_server, live_run_id(page))
    assert run["result"]["control_profile"]["drive_bias"] == 1.2
    assert httpx.get(f"{console_server.base_url}/controls/profile", timeout=10).json() == before

    page.fill("#control-tracer_persistence_ms", "900")
    page.click("#controls-apply")
    expect(page.locator("#controls-message")).to_contain_text("Applied")
    try:
        applied = httpx.get(f"{console_server.base_url}/controls/profile", timeout=10).json()
        assert applied["tracer_persistence_ms"] == 900
        assert applied["drive_bias"] == 1.2
    finally:
        httpx.post(f"{console_server.base_url}/controls/profile", json=before, timeout=10)


def test_without_the_event_stream_the_console_follows_a_run_by_polling(console: Console) -> None:
    page, log = console
    log.expected_statuses.add(503)
    page.route(
        "**/events",
        lambda route: route.fulfill(
            status=503,
            json={"detail": {"code": "INTERNAL_ERROR", "error_message": "no event stream"}},
        ),
    )
    submit_run(page, "hello_quantum_sim", 200)
    wait_live_state(page, "succeeded")
    expect(page.locator("#live-run .progress-line")).to_contain_text("polling")
    expect(page.locator("#live-run .stage[data-stage-status=done]")).to_have_count(6)


def test_the_service_strip_says_what_health_reports(
    console: Console, console_server: LiveServer
) -> None:
    page, _ = console
    health = httpx.get(f"{console_server.base_url}/health", timeout=10).json()
    strip = page.locator("#service-strip")
    expect(strip).to_have_attribute("data-state", health["status"])
    expect(strip).to_contain_text("Service ok")
    expect(strip).to_contain_text(f"{health['queue']['max_workers']} workers")
    expect(strip).to_contain_text("budgets: in memory")
    expect(strip).to_contain_text("store: sqlite ok")
    expect(strip).to_contain_text(f"v{health['version']} ({health['env']})")


def test_an_api_override_that_is_not_http_is_ignored(
    console: Console, console_server: LiveServer
) -> None:
    page, _ = console
    page.goto(f"{console_server.base_url}/?api=javascript:alert(1)//")
    expect(page.locator("#api-base")).to_have_text(f"{console_server.base_url}/api")
    expect(page.locator("#service-strip")).to_contain_text("Service ok")


def test_a_run_over_several_qubits_shows_each_qubit_and_the_device_view(
    console: Console, console_server: LiveServer
) -> None:
    page, _ = console
    submitted = httpx.post(
        f"{console_server.base_url}/runs",
        json={"preset": "health", "qubits": [0, 1, 2, 3], "shot_budget": 8_192, "seed": 9},
        timeout=10,
    ).json()
    run_id = submitted["id"]
    deadline = time.monotonic() + 90
    while api_run(console_server, run_id)["status"] != "succeeded":
        assert time.monotonic() < deadline, "the run did not succeed"
        time.sleep(0.3)
    run = api_run(console_server, run_id)

    page.goto(f"{console_server.base_url}/#/runs/{run_id}")
    # Only the device figures up front; each qubit's fits load when its row is opened.
    assert wait_figures_drawn(page, 2) == ["device_coherence", "device_errors"]
    rows = page.locator(".qubit-table tbody tr")
    expect(rows).to_have_count(4)
    t1 = next(m for m in run["result"]["measurements"] if m["name"] == "t1_s" and m["qubit"] == 2)
    expect(rows.nth(2)).to_contain_text(f"{t1['value'] * 1e6:.4g}"[:4])
    rows.nth(2).locator("summary").click()
    assert wait_figures_drawn(page, 6)[2:] == ["t1_q2", "ramsey_q2", "echo_q2", "rb_q2"]
    screenshot(page, "device-run-detail")

    page.goto(f"{console_server.base_url}/#/targets")
    page.click("a.device-link[href='#/targets/sim_local']")
    cells = page.locator(".qubit-grid .qubit-cell")
    expect(cells.first).to_be_visible()
    shown = {int(text) for text in cells.all_inner_texts()}
    assert {0, 1, 2, 3} <= shown
    for cell in cells.all():
        assert cell.get_attribute("data-status") in {"ok", "drifting", "degraded"}
    table_rows = page.locator(".device-view .qubit-table tbody tr")
    expect(table_rows).to_have_count(len(shown))
    screenshot(page, "device-view")


def test_a_qubits_history_and_the_monitors_are_shown(
    console: Console, console_server: LiveServer
) -> None:
    page, _ = console
    for seed in (1, 2):
        run_id = httpx.post(
            f"{console_server.base_url}/runs",
            json={"preset": "health", "qubits": [5], "shot_budget": 4_096, "seed": seed},
            timeout=10,
        ).json()["id"]
        deadline = time.monotonic() + 90
        while api_run(console_server, run_id)["status"] != "succeeded":
            assert time.monotonic() < deadline, "the run did not succeed"
            time.sleep(0.3)
    monitor = httpx.post(
        f"{console_server.base_url}/monitors",
        json={"qubits": [5], "every": "P1D", "shot_budget": 2_048},
        timeout=10,
    ).json()

    page.goto(f"{console_server.base_url}/#/targets/sim_local")
    page.click(".device-view .qubit-table a.history-link:text-is('5')")
    expect(page).to_have_url(re.compile("#/targets/sim_local/qubits/5$"))
    plots = page.locator("img[data-history]")
    expect(plots).to_have_count(5)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img[data-history]')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    screenshot(page, "qubit-history")

    page.click("nav a[data-view=monitors]")
    row = page.locator(".monitors-table tbody tr", has_text=monitor["id"][:8])
    expect(row).to_contain_text("P1D")
    row.locator("button").click()
    expect(row.locator("button")).to_have_text("Resume")
    paused = httpx.get(f"{console_server.base_url}/monitors/{monitor['id']}", timeout=10).json()
    assert paused["paused"] is True
    screenshot(page, "monitors")
