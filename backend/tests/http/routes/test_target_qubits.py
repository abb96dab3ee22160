"""`GET /hardware/targets/{id}/qubits`: the latest measured values per qubit, and the best."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import wait_finished


def health(client: TestClient, qubits: list[int], seed: int) -> str:
    run_id: str = client.post(
        "/runs", json={"preset": "health", "qubits": qubits, "shot_budget": 4_096, "seed": seed}
    ).json()["id"]
    assert wait_finished(client, run_id, 120)["status"] == "succeeded"
    return run_id


@pytest.mark.slow
def test_each_qubit_shows_what_its_latest_run_measured(client: TestClient) -> None:
    first = health(client, [1, 3], seed=1)
    second = health(client, [3], seed=2)

    found = client.get("/hardware/targets/sim_local/qubits").json()

    assert found["score_definition_id"] == "qubit_score_v1"
    states = {state["qubit"]: state for state in found["qubits"]}
    assert sorted(states) == [1, 3]
    assert states[1]["t1_s"]["run_id"] == first
    assert states[3]["t1_s"]["run_id"] == second
    run = client.get(f"/runs/{second}").json()["result"]
    t1 = next(m for m in run["measurements"] if m["name"] == "t1_s")
    assert states[3]["t1_s"]["value"] == t1["value"]
    assert states[3]["t1_s"]["stderr"] == t1["stderr"]
    for state in states.values():
        for name in ("t2_star_s", "t2_echo_s", "epc", "readout_assignment_fidelity"):
            assert state[name]["value"] is not None
        assert state["status"] in {"ok", "drifting", "degraded"}
        assert (state["status"] == "ok") == (state["status_reasons"] == [])
    scored = [s for s in states.values() if s["score"] is not None]
    assert scored
    for state in scored:
        expected = (
            state["epc"]["value"]
            + 1
            - state["readout_assignment_fidelity"]["value"]
            + 1e-6 / state["t2_echo_s"]["value"]
        )
        assert state["score"] == pytest.approx(expected)

    best = client.get("/hardware/targets/sim_local/qubits", params={"best": 1}).json()["qubits"]
    assert len(best) == 1
    assert best[0]["score"] == min(s["score"] for s in scored)

    client.app.state.services.engine.reanalyse(second)  # type: ignore[attr-defined]
    again = client.get("/hardware/targets/sim_local/qubits").json()
    assert again == found


@pytest.mark.slow
def test_a_qubits_history_lists_every_run_oldest_first_as_json_or_csv(client: TestClient) -> None:
    runs = [health(client, [2], seed=seed) for seed in (1, 2, 3)]

    history = client.get(
        "/hardware/targets/sim_local/qubits/2/history", params={"quantity": "t2_echo_s"}
    ).json()

    assert history["drift_definition_id"] == "qubit_drift_v1"
    points = history["points"]
    assert [p["run_id"] for p in points] == runs
    assert [p["measured_at"] for p in points] == sorted(p["measured_at"] for p in points)
    # transmon_default reports its T2 (80 µs): it stands beside each measured value.
    assert all(p["reported"] == pytest.approx(80e-6) for p in points)
    assert all(p["drift_z"] is None for p in points)  # fewer than three earlier values
    since = client.get(
        "/hardware/targets/sim_local/qubits/2/history",
        params={"quantity": "t2_echo_s", "since": points[1]["measured_at"]},
    ).json()["points"]
    assert [p["run_id"] for p in since] == runs[1:]

    csv = client.get(
        "/hardware/targets/sim_local/qubits/2/history",
        params={"quantity": "t2_echo_s"},
        headers={"Accept": "text/csv"},
    )
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0] == "measured_at,value,stderr,quality,reported,drift_z,run_id"
    assert [line.split(",")[-1] for line in lines[1:]] == runs


def test_an_unknown_target_is_a_404(client: TestClient) -> None:
    response = client.get("/hardware/targets/nowhere/qubits")

    assert response.status_code == 404
    assert response.json()["detail"]["error_code"] == "NOT_FOUND"


def test_a_target_nothing_measured_has_no_qubits(client: TestClient) -> None:
    assert client.get("/hardware/targets/sim_local/qubits").json()["qubits"] == []


def test_best_must_be_positive(client: TestClient) -> None:
    response = client.get("/hardware/targets/sim_local/qubits", params={"best": 0})

    assert response.status_code == 422
