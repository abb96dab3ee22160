"""Kill the server with SIGKILL mid-run, start it again: no run is lost, no shot double-counted."""

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer, live_server, server_env

SESSION = {"X-Session-Id": "restart-test"}
RUNS = 8
SHOTS = 100_000
FINAL = {"succeeded", "failed", "cancelled"}


def _runs(server: LiveServer) -> list[dict[str, Any]]:
    response = httpx.get(f"{server.base_url}/runs", params={"limit": 100}, timeout=10)
    runs: list[dict[str, Any]] = response.json()["runs"]
    return runs


def _submit_and_kill_mid_run(server: LiveServer) -> list[str]:
    server.wait_ready()
    submitted = []
    for _ in range(RUNS):
        response = httpx.post(
            f"{server.base_url}/runs",
            json={"preset": "hello_quantum_sim", "shot_budget": SHOTS},
            headers=SESSION,
            timeout=10,
        )
        assert response.status_code == 202, response.text
        submitted.append(response.json()["id"])
    deadline = time.monotonic() + 60
    while not any(run["status"] == "running" for run in _runs(server)):
        assert time.monotonic() < deadline, "no run started"
    server.kill()
    return submitted


def _wait_until_all_final(server: LiveServer, timeout_s: float = 120.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runs = _runs(server)
        if all(run["status"] in FINAL for run in runs):
            return runs
        time.sleep(0.2)
    raise AssertionError(f"runs still active: {[r['status'] for r in _runs(server)]}")


@pytest.mark.slow
def test_sigkill_mid_run_then_restart_finishes_every_run(tmp_path: Path) -> None:
    env = server_env(tmp_path / "synqc.db", SYNQC_WORKER_CONCURRENCY="1")
    server = LiveServer(tmp_path, env)
    try:
        submitted = _submit_and_kill_mid_run(server)
    finally:
        server.stop()

    with live_server(tmp_path, env) as restarted:
        runs = _wait_until_all_final(restarted)
        budget = httpx.get(f"{restarted.base_url}/budget", headers=SESSION, timeout=10).json()

    assert sorted(run["id"] for run in runs) == sorted(submitted)
    for run in runs:
        assert run["status"] in {"succeeded", "failed"}
        if run["status"] == "failed":
            assert run["error_code"] == "INTERRUPTED"
            assert run["action_hint"]
    # Queued runs survived the crash and were executed after the restart.
    assert sum(run["status"] == "succeeded" for run in runs) >= RUNS - 1
    # The budget holds exactly the shots executed, interrupted runs' included.
    assert budget["used"] == sum(run["result"]["shots"]["executed"] for run in runs)
