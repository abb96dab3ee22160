"""Submitting a run, following it to the end, and reading what it measured."""

from fastapi.testclient import TestClient

from synqc_backend.analysis.distribution import classical_fidelity
from tests.conftest import wait_finished


def test_hello_run_succeeds_with_fidelity_from_its_counts(client: TestClient) -> None:
    response = client.post("/runs", json={"preset": "hello_quantum_sim", "shot_budget": 4000})
    assert response.status_code == 202
    submitted = response.json()
    assert submitted["status"] == "queued"

    run = wait_finished(client, submitted["id"])

    assert run["status"] == "succeeded"
    assert run["progress"] == 1.0
    result = run["result"]
    kpis = result["kpis"]
    counts = kpis["raw_counts"]
    assert sum(counts.values()) == 4000
    assert kpis["shots_used"] == 4000 == result["shots"]["executed"]
    assert kpis["fidelity"] == classical_fidelity(counts, kpis["expected_distribution"])
    # The noise model makes the Bell pair imperfect, but not far from ideal.
    assert 0.85 < kpis["fidelity"] < 1.0
    fidelity = next(d for d in result["kpi_details"] if d["name"] == "fidelity")
    low, high = fidelity["ci95"]
    assert low <= kpis["fidelity"] <= high
    assert fidelity["definition_id"] == "dist_fidelity_v1"


def test_workflow_trace_adds_up_to_the_measured_duration(client: TestClient) -> None:
    run_id = client.post("/runs", json={"preset": "hello_quantum_sim"}).json()["id"]
    run = wait_finished(client, run_id)

    trace = run["result"]["workflow_trace"]
    assert [stage["id"] for stage in trace] == [
        "validate",
        "queue",
        "compile",
        "execute",
        "analyse",
        "store",
    ]
    assert all(stage["dwell_ms"] >= 0 for stage in trace)
    duration_ms = (run["finished_at"] - run["created_at"]) * 1000
    assert abs(sum(stage["dwell_ms"] for stage in trace) - duration_ms) < 1e-3
    assert run["created_at"] <= run["started_at"] <= run["finished_at"]


def test_legacy_run_waits_and_returns_the_finished_result(client: TestClient) -> None:
    response = client.post(
        "/experiments/run", json={"preset": "hello_quantum_sim", "notes": "legacy"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["kpis"]["status"] in {"ok", "warn", "fail"}
    assert body["notes"] == "legacy"
    assert body["kpi_observations"] == body["kpi_details"]
    assert client.get(f"/experiments/{body['id']}").json()["id"] == body["id"]


def test_same_seed_gives_the_same_counts(client: TestClient) -> None:
    request = {"preset": "hello_quantum_sim", "seed": 11, "shot_budget": 1000}
    first = client.post("/experiments/run", json=request).json()
    second = client.post("/experiments/run", json=request).json()
    assert first["kpis"]["raw_counts"] == second["kpis"]["raw_counts"]


def test_runs_are_listed_newest_first_and_filtered(client: TestClient) -> None:
    ids = [
        client.post("/experiments/run", json={"preset": "hello_quantum_sim"}).json()["id"]
        for _ in range(3)
    ]
    listed = client.get("/runs", params={"limit": 2, "state": "succeeded"}).json()["runs"]
    assert [run["id"] for run in listed] == ids[::-1][:2]
    assert client.get("/runs", params={"state": "failed"}).json()["runs"] == []
    recent = client.get("/experiments/recent", params={"limit": 5}).json()
    assert [item["id"] for item in recent] == ids[::-1]
    assert all(item["kpis"]["raw_counts"] is None for item in recent)


def test_every_route_is_also_served_under_api(client: TestClient) -> None:
    assert client.get("/api/health").json()["status"] == "ok"
    run = client.post("/api/experiments/run", json={"preset": "hello_quantum_sim"}).json()
    assert client.get(f"/api/runs/{run['id']}").json()["status"] == "succeeded"
