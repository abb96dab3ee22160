"""Physics presets through the API: stored counts, served figures, definitions, comparison."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from synqc_backend.http.app import create_app
from tests.conftest import make_settings, wait_finished


@pytest.mark.slow
def test_health_run_serves_its_four_fit_figures_and_defined_kpis(client: TestClient) -> None:
    run_id = client.post("/runs", json={"preset": "health", "seed": 1}).json()["id"]
    run = wait_finished(client, run_id, 120)
    assert run["status"] == "succeeded", run
    result = run["result"]
    assert result["kpis"]["shots_used"] <= result["kpis"]["shot_budget"] == 16_000
    names = {m["name"] for m in result["measurements"]}
    assert {"t1_s", "t2_star_s", "t2_echo_s", "epc", "readout_assignment_fidelity"} <= names
    assert len(result["figures"]) == 4
    for url in result["figures"]:
        figure = client.get(url)
        assert figure.status_code == 200
        assert figure.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in figure.content
    defined = {d["id"] for d in client.get("/physics/definitions").json()["definitions"]}
    used = {d["definition_id"] for d in result["kpi_details"]}
    assert used | {result["kpis"]["status_definition_id"]} <= defined


@pytest.mark.slow
def test_reanalysis_from_stored_counts_reproduces_the_kpis(client: TestClient) -> None:
    run_id = client.post("/runs", json={"preset": "health", "seed": 2}).json()["id"]
    before = wait_finished(client, run_id, 120)["result"]
    client.app.state.services.engine.reanalyse(run_id)  # type: ignore[attr-defined]
    after = client.get(f"/runs/{run_id}").json()["result"]
    assert after["kpis"]["fidelity"] == before["kpis"]["fidelity"]
    assert after["measurements"] == before["measurements"]


@pytest.mark.slow
def test_backend_compare_gives_one_row_per_target_and_flags_the_best(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, qiskit_backend_ibm_quantum="FakeManilaV2")
    with TestClient(create_app(settings)) as client:
        targets = {t["id"]: t for t in client.get("/hardware/targets").json()["targets"]}
        assert targets["ibm_quantum"]["status"] == "ready"
        assert "FakeManilaV2" in targets["ibm_quantum"]["status_detail"]
        run_id = client.post(
            "/runs",
            json={
                "preset": "backend_compare",
                "compare_targets": ["sim_local", "ibm_quantum"],
                "seed": 3,
            },
        ).json()["id"]
        run = wait_finished(client, run_id, 120)
    assert run["status"] == "succeeded", run
    comparison = run["result"]["comparison"]
    assert [row["hardware_target"] for row in comparison["rows"]] == ["sim_local", "ibm_quantum"]
    rows = {row["hardware_target"]: row for row in comparison["rows"]}
    for kpi, pick in (("fidelity", max), ("ghz_fidelity", max), ("epc", min)):
        values = {target: row[kpi] for target, row in rows.items() if row[kpi] is not None}
        assert comparison["best"][kpi] == pick(values, key=values.__getitem__)
    assert run["result"]["kpis"]["fidelity"] == rows["sim_local"]["fidelity"]


@pytest.mark.slow
def test_health_on_every_qubit_reports_each_and_reanalyses_the_same(client: TestClient) -> None:
    run_id = client.post(
        "/runs", json={"preset": "health", "qubits": "all", "shot_budget": 8_192, "seed": 5}
    ).json()["id"]
    run = wait_finished(client, run_id, 120)
    assert run["status"] == "succeeded", run
    result = run["result"]
    every = list(range(8))  # transmon_default's qubits
    assert result["qubits_used"] == every
    assert result["kpis"]["shots_used"] <= 8_192
    t1 = [m for m in result["measurements"] if m["name"] == "t1_s"]
    assert [m["qubit"] for m in t1] == every
    fidelity = next(d for d in result["kpi_details"] if d["name"] == "fidelity")
    assert fidelity["aggregation"] == "median over 8 qubits"
    assert fidelity["worst_qubit"] in every
    assert any(url.endswith("/device_coherence.svg") for url in result["figures"])
    assert client.get(f"/runs/{run_id}/figures/t1_q7.svg").status_code == 200

    client.app.state.services.engine.reanalyse(run_id)  # type: ignore[attr-defined]
    assert client.get(f"/runs/{run_id}").json()["result"]["measurements"] == result["measurements"]


def test_qubits_one_after_another_need_a_minimum_budget_each(client: TestClient) -> None:
    response = client.post(
        "/runs",
        json={"preset": "health", "qubits": [0, 1, 2], "parallel": False, "shot_budget": 1_500},
    )

    assert response.status_code == 422
    error = response.json()["detail"]
    assert error["error_code"] == "INVALID_REQUEST"
    assert "parallel: true" in error["action_hint"]
    assert error["error_detail"]["qubits"] == 3


def test_qubits_must_be_a_list_or_all(client: TestClient) -> None:
    response = client.post("/runs", json={"preset": "health", "qubits": "some"})

    assert response.status_code == 422
