"""A freshly started server warms its simulator up in the background: its first run executes
about as fast as later ones, and `/health` answers meanwhile."""

import time
from pathlib import Path

import httpx
import pytest

from tests.live_server import LiveServer, server_env

HELLO = {"preset": "hello_quantum_sim", "shot_budget": 1_000, "seed": 1}


def execute_ms(http: httpx.Client) -> float:
    """Submit a run and wait for it; its execute stage in milliseconds."""
    run = http.post("/experiments/run", json=HELLO, timeout=60).json()
    (stage,) = [s for s in run["workflow_trace"] if s["id"] == "execute"]
    dwell: float = stage["dwell_ms"]
    return dwell


def wait_for_log(server_log: Path, text: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while text not in server_log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"'{text}' not logged within {timeout_s} s"
        time.sleep(0.1)


@pytest.mark.slow
def test_the_first_run_after_start_is_as_fast_as_later_ones(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, server_env(tmp_path / "synqc.db"))
    try:
        server.wait_ready()
        wait_for_log(tmp_path / f"serve-{server.port}.log", "simulator warm in")
        with httpx.Client(base_url=server.base_url) as http:
            first = execute_ms(http)
            later = sorted(execute_ms(http) for _ in range(5))[2]
    finally:
        server.stop()

    # Within 2x of later runs; 20 ms of slack keeps a busy test machine's jitter out.
    assert first <= 2 * later + 20, (first, later)
