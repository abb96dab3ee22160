"""Monitors across processes: with two API processes and two workers on Redis and PostgreSQL
(every one running a scheduler loop), each due tick produces exactly one run, also while a
worker is SIGKILLed (the scheduler's lease may be the dead worker's: another takes over)."""

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ops.production_deployment import production_deployment

pytestmark = pytest.mark.slow

PERIOD_S = 10.0
TICKS = 11
RUN_TIMEOUT_S = 90.0


def monitor_runs(base_url: str, monitor_id: str) -> list[dict[str, Any]]:
    runs = httpx.get(f"{base_url}/runs", params={"limit": 500}, timeout=10).json()["runs"]
    found = [run for run in runs if run["monitor_id"] == monitor_id]
    return sorted(found, key=lambda run: run["created_at"])


def test_each_tick_is_one_run_across_processes_and_a_killed_worker(tmp_path: Path) -> None:
    with production_deployment(tmp_path) as deployment:
        base = deployment.base_url
        monitor = httpx.post(
            f"{base}/monitors",
            json={"qubits": [0], "every": "PT10S", "shot_budget": 1_000},
            timeout=10,
        ).json()
        first_due = monitor["next_run_at"]
        killed = False
        deadline = time.monotonic() + (TICKS + 3) * PERIOD_S
        while time.monotonic() < deadline:
            runs = monitor_runs(base, monitor["id"])
            if len(runs) >= 4 and not killed:
                deployment.workers[0].kill()
                killed = True
            if len(runs) >= TICKS:
                break
            time.sleep(1.0)
        httpx.patch(f"{base}/monitors/{monitor['id']}", json={"paused": True}, timeout=10)
        runs = monitor_runs(base, monitor["id"])
        final_by = time.monotonic() + RUN_TIMEOUT_S
        while any(run["status"] in {"queued", "running"} for run in runs):
            assert time.monotonic() < final_by, runs
            time.sleep(1.0)
            runs = monitor_runs(base, monitor["id"])

    assert killed
    assert len(runs) >= TICKS
    # Run i was submitted at tick i: no tick twice, none skipped.
    for tick, run in enumerate(runs):
        offset = run["created_at"] - first_due
        assert tick * PERIOD_S <= offset < (tick + 1) * PERIOD_S, (tick, offset)
    # A run the killed worker held is run again by the sweeper, not lost.
    assert {run["status"] for run in runs} == {"succeeded"}, runs
