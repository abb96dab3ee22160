"""Concurrent submissions against one session budget: exactly what fits is accepted."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.live_server import live_server, server_env

SUBMISSIONS = 50
SHOTS = 100
FITS = 20


@pytest.mark.slow
def test_fifty_concurrent_submissions_accept_exactly_the_twenty_that_fit(tmp_path: Path) -> None:
    env = server_env(tmp_path / "synqc.db", SYNQC_MAX_SHOTS_PER_SESSION=str(FITS * SHOTS))
    with live_server(tmp_path, env) as server, httpx.Client(base_url=server.base_url) as http:

        def submit(_: int) -> httpx.Response:
            return http.post(
                "/runs",
                json={"preset": "hello_quantum_sim", "shot_budget": SHOTS},
                headers={"X-Session-Id": "concurrency"},
                timeout=30,
            )

        with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
            responses = list(pool.map(submit, range(SUBMISSIONS)))
        stored = http.get("/runs", params={"limit": 500}).json()["runs"]

    codes = sorted(response.status_code for response in responses)
    assert codes == [202] * FITS + [429] * (SUBMISSIONS - FITS)
    rejected = [r.json()["detail"] for r in responses if r.status_code == 429]
    assert {d["code"] for d in rejected} == {"BUDGET_EXHAUSTED"}
    assert all(d["error_detail"]["remaining"] < SHOTS for d in rejected)
    accepted = {r.json()["id"] for r in responses if r.status_code == 202}
    assert {run["id"] for run in stored} == accepted
