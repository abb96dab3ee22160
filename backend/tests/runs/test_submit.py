"""Submissions against one session budget: exactly what fits is accepted, concurrently, and
with the run table as the truth when Redis lost the counters or cannot be reached."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from synqc_backend.http.app import create_app
from tests.conftest import make_settings
from tests.live_server import live_server, server_env
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

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


def budget_client(tmp_path: Path, redis_url: str) -> TestClient:
    """An API process of a production deployment (runs stay queued: no worker) on a 3,000-shot
    session budget in Redis."""
    settings = make_settings(tmp_path, redis_url=redis_url, max_shots_per_session=3_000)
    return TestClient(create_app(settings))


def submit(client: TestClient, shots: int = 1_000) -> Response:
    return client.post("/runs", json={"preset": "hello_quantum_sim", "shot_budget": shots})


def test_a_budget_redis_lost_is_rebuilt_from_the_run_table(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    with budget_client(tmp_path, redis_server.url) as client:
        accepted = [submit(client).status_code for _ in range(3)]
        with redis_server.client() as redis_client:
            redis_client.flushall()  # as an empty restart or an eviction leaves it

        refused = submit(client)
        used = client.get("/budget").json()["used"]

    assert accepted == [202] * 3
    assert refused.status_code == 429
    assert refused.json()["detail"]["error_detail"]["remaining"] == 0
    assert used == 3_000


def test_while_redis_is_down_the_run_table_caps_the_session(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    with budget_client(tmp_path, redis_server.url) as client:
        accepted = [submit(client).status_code for _ in range(2)]
        redis_server.kill()
        during = [submit(client) for _ in range(3)]
        stored = client.get("/runs").json()["runs"]

    assert accepted == [202] * 2
    assert [response.status_code for response in during] == [202, 429, 429]
    # Stored, but the queue could not take it: the sweep sends it once Redis is back.
    assert any("queue could not be reached" in w for w in during[0].json()["warnings"])
    assert len(stored) == 3
    assert sum(run["result"] is None for run in stored) == 3
