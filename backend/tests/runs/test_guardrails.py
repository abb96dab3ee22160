"""Submit-time limits: the run's total against the per-run maximum, each circuit's shots
against the target's per-circuit `max_shots`."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from tests.conftest import make_settings, wait_finished


@pytest.mark.slow
def test_a_run_above_max_shots_whose_circuits_fit_is_accepted_and_succeeds(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, max_shots_per_experiment=400_000)
    with TestClient(create_app(settings)) as client:
        capacity = client.get("/hardware/targets").json()["targets"][0]["capabilities"]
        response = client.post("/runs", json={"preset": "health", "shot_budget": 300_000})
        assert response.status_code == 202, response.text

        run = wait_finished(client, response.json()["id"], timeout_s=120)

    assert capacity["max_shots"] == 100_000
    assert run["status"] == "succeeded", run
    assert 250_000 < run["result"]["kpis"]["shots_used"] <= 300_000


def test_the_run_total_is_checked_against_the_per_run_maximum(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_shots_per_experiment=400_000)
    with TestClient(create_app(settings)) as client:
        response = client.post("/runs", json={"preset": "health", "shot_budget": 400_001})

    detail = response.json()["detail"]
    assert (response.status_code, detail["code"]) == (422, "INVALID_REQUEST")
    assert "SYNQC_MAX_SHOTS_PER_EXPERIMENT" in detail["error_message"]
    assert detail["error_detail"]["max_shots_per_experiment"] == 400_000


def test_a_large_budget_on_hardware_carries_a_warning_before_and_after(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, qiskit_backend_ibm_quantum="FakeManilaV2")
    large = {"preset": "hello_quantum_sim", "shot_budget": 50_000}
    with TestClient(create_app(settings)) as client:
        on_ibm = client.post("/runs", json={**large, "hardware_target": "ibm_quantum"})
        on_sim = client.post("/runs", json=large)
        finished = wait_finished(client, on_ibm.json()["id"], timeout_s=120)

    (warning,) = on_ibm.json()["warnings"]
    assert "50000" in warning
    assert "'ibm_quantum'" in warning
    assert "SYNQC_HARDWARE_SHOT_WARNING" in warning
    assert finished["status"] == "succeeded"
    assert finished["warnings"] == [warning]
    assert finished["result"]["warnings"][0] == warning
    assert on_sim.json()["warnings"] == []
