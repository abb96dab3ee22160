"""Every preset at the console's 2,048 shots, through the API: it runs and reports every KPI
it defines (wide error bars and quality flags, never a refusal); minimums and defaults."""

import pytest
from fastapi.testclient import TestClient

from synqc_backend.config import Settings
from synqc_backend.models import Preset as PresetName
from synqc_backend.presets.registry import PRESETS

BUDGET = 2_048
# The KPIs each preset defines (PHYSICS.md); the others are null by definition.
DEFINED_KPIS = {
    PresetName.HELLO_QUANTUM_SIM: ("fidelity", "latency_us"),
    PresetName.HEALTH: ("fidelity", "latency_us", "backaction"),
    PresetName.LATENCY: ("fidelity", "latency_us"),
    PresetName.BACKEND_COMPARE: ("fidelity", "latency_us"),
    PresetName.DPD_DEMO: ("fidelity", "backaction"),
}


@pytest.mark.parametrize("name", list(PresetName))
def test_no_preset_needs_more_than_a_thousand_shots(name: PresetName) -> None:
    assert PRESETS[name].min_shot_budget <= 1_000


def test_sixty_default_health_runs_fit_the_default_session_budget() -> None:
    defaults = Settings.model_fields
    per_run = max(
        PRESETS[PresetName.HEALTH].default_shot_budget, defaults["default_shot_budget"].default
    )

    assert 60 * per_run <= defaults["max_shots_per_session"].default


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PresetName))
def test_every_preset_reports_every_kpi_at_2048_shots(client: TestClient, name: PresetName) -> None:
    response = client.post(
        "/experiments/run", json={"preset": name.value, "shot_budget": BUDGET, "seed": 7}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error_code"] is None, body
    assert 0 < body["shots"]["executed"] <= BUDGET
    for kpi in DEFINED_KPIS[name]:
        assert body["kpis"][kpi] is not None, kpi
    for measurement in body["measurements"]:
        assert measurement["value"] is not None, measurement
        assert measurement["quality"] in {"good", "bad"}


@pytest.mark.slow
def test_a_health_run_reports_the_cramer_rao_bound_beside_each_fitted_stderr(
    client: TestClient,
) -> None:
    body = client.post(
        "/experiments/run", json={"preset": "health", "shot_budget": BUDGET, "seed": 8}
    ).json()

    fitted = {m["name"]: m for m in body["measurements"]}
    for name in ("t1_s", "t2_star_s", "t2_echo_s", "epc"):
        assert fitted[name]["crb_stderr"] > 0, fitted[name]
    defined = {d["id"] for d in client.get("/physics/definitions").json()["definitions"]}
    assert "crb_stderr_v2" in defined


def test_a_precision_target_without_stages_is_refused(client: TestClient) -> None:
    response = client.post(
        "/runs", json={"preset": "health", "adaptive": False, "target_relative_stderr": 0.05}
    )

    assert response.status_code == 422
    error = response.json()["detail"]
    assert error["error_code"] == "INVALID_REQUEST"
    assert "adaptive" in error["error_message"]
