"""Production mode for real: API and worker processes on a throwaway Redis and PostgreSQL.

The same run lifecycle as the embedded default, then the faults: a worker killed mid-run, the
API killed, Redis restarted while runs wait.
"""

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from synqc_backend.storage.database import Database
from tests.live_server import LiveServer, WorkerProcess, free_port, live_server
from tests.postgres_server import ScratchDatabase, require_postgres
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401
from tests.test_metrics import CONTRACT_SERIES

FINAL = {"succeeded", "failed", "cancelled"}
pytestmark = pytest.mark.slow


@pytest.fixture
def postgres_database() -> Iterator[ScratchDatabase]:
    server = require_postgres()
    with server.database() as database:
        store = Database(database.url)
        store.migrate()
        store.dispose()
        yield database


@pytest.fixture
def env(redis_server: RedisServer, postgres_database: ScratchDatabase) -> dict[str, str]:
    return {
        "SYNQC_REDIS_URL": redis_server.url,
        "SYNQC_DATABASE_URL": postgres_database.url,
        "SYNQC_API_KEY": "",
        "SYNQC_ENABLE_METRICS": "false",
        "SYNQC_HEARTBEAT_INTERVAL_SECONDS": "1",
        "SYNQC_STALE_RUN_SECONDS": "4",
    }


def submit(server: LiveServer, shots: int = 2000, **extra: Any) -> str:
    response = httpx.post(
        f"{server.base_url}/runs",
        json={"preset": "hello_quantum_sim", "shot_budget": shots, **extra},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    run_id: str = response.json()["id"]
    return run_id


def run_of(server: LiveServer, run_id: str) -> dict[str, Any]:
    run: dict[str, Any] = httpx.get(f"{server.base_url}/runs/{run_id}", timeout=10).json()
    return run


def wait_final(
    server: LiveServer, run_ids: list[str], timeout_s: float = 60
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runs = [run_of(server, run_id) for run_id in run_ids]
        if all(run["status"] in FINAL for run in runs):
            return runs
        time.sleep(0.2)
    raise AssertionError(f"not final: {[run_of(server, r)['status'] for r in run_ids]}")


def test_runs_go_through_redis_to_a_worker_process(tmp_path: Path, env: dict[str, str]) -> None:
    with live_server(tmp_path, env) as api:
        worker = WorkerProcess(tmp_path, env)
        try:
            runs = wait_final(api, [submit(api) for _ in range(4)])
            health = httpx.get(f"{api.base_url}/health", timeout=10).json()
        finally:
            worker.stop()
    assert [run["status"] for run in runs] == ["succeeded"] * 4
    assert all(run["result"]["kpis"]["shots_used"] == 2000 for run in runs)
    assert health["queue"]["backend"] == "dramatiq-redis"
    assert health["queue"]["succeeded"] == 4
    assert health["persistence"]["backend"] == "postgresql"


def test_a_queued_run_waits_for_a_worker_and_can_be_cancelled(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with live_server(tmp_path, env) as api:
        run_id = submit(api)
        time.sleep(0.5)
        assert run_of(api, run_id)["status"] == "queued"
        cancelled = httpx.post(f"{api.base_url}/runs/{run_id}/cancel", timeout=10).json()
        worker = WorkerProcess(tmp_path, env)
        try:
            later = submit(api)
            (done,) = wait_final(api, [later])
        finally:
            worker.stop()
        assert run_of(api, run_id)["status"] == "cancelled"
    assert cancelled["status"] == "cancelled"
    assert done["status"] == "succeeded"


def stream_statuses(server: LiveServer, run_id: str) -> list[str]:
    """The statuses of the run's Server-Sent Events until the server ends the stream."""
    statuses = []
    url = f"{server.base_url}/runs/{run_id}/events"
    with httpx.stream("GET", url, timeout=60) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data: "):
                statuses.append(json.loads(line.removeprefix("data: "))["status"])
    return statuses


def test_the_api_streams_the_events_a_worker_process_publishes(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with live_server(tmp_path, env) as api, ThreadPoolExecutor(1) as pool:
        run_id = submit(api)
        statuses = pool.submit(stream_statuses, api, run_id)
        time.sleep(0.5)
        worker = WorkerProcess(tmp_path, env)
        try:
            seen = statuses.result(timeout=60)
        finally:
            worker.stop()
    assert seen[0] == "queued"
    assert "running" in seen
    assert seen[-1] == "succeeded"


def test_a_worker_killed_mid_run_has_its_run_executed_again(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with live_server(tmp_path, env) as api:
        doomed = WorkerProcess(tmp_path, env, threads=1)
        run_id = submit(api, shots=100_000)
        deadline = time.monotonic() + 30
        while run_of(api, run_id)["status"] != "running":
            assert time.monotonic() < deadline, "the run never started"
            time.sleep(0.01)
        doomed.kill()
        started = time.monotonic()
        rescuer = WorkerProcess(tmp_path, env)
        try:
            (run,) = wait_final(api, [run_id], timeout_s=60)
        finally:
            rescuer.stop()
    assert run["status"] == "succeeded"
    assert time.monotonic() - started < 60
    # Shots are those of the attempt the run kept, counted once.
    assert run["result"]["kpis"]["shots_used"] == 100_000


def test_runs_continue_on_the_workers_while_the_api_is_down(
    tmp_path: Path, env: dict[str, str]
) -> None:
    api = LiveServer(tmp_path, env)
    worker = WorkerProcess(tmp_path, env)
    try:
        api.wait_ready()
        run_ids = [submit(api) for _ in range(5)]
        api.kill()
        time.sleep(3)
        with live_server(tmp_path, env) as again:
            runs = wait_final(again, run_ids)
    finally:
        api.stop()
        worker.stop()
    assert [run["status"] for run in runs] == ["succeeded"] * 5


def test_runs_queued_while_redis_restarts_are_not_lost(
    tmp_path: Path, env: dict[str, str], redis_server: RedisServer
) -> None:
    with live_server(tmp_path, env) as api:
        run_ids = [submit(api) for _ in range(3)]
        # Redis without persistence: the queued messages die with it.
        redis_server.kill()
        redis_server.start()
        worker = WorkerProcess(tmp_path, env)
        try:
            runs = wait_final(api, run_ids, timeout_s=60)
        finally:
            worker.stop()
    assert [run["status"] for run in runs] == ["succeeded"] * 3


def test_two_api_processes_share_one_budget_atomically(tmp_path: Path, env: dict[str, str]) -> None:
    shared = {**env, "SYNQC_MAX_SHOTS_PER_SESSION": "3000"}
    with live_server(tmp_path, shared) as first, live_server(tmp_path, shared) as second:
        urls = [first.base_url, second.base_url]

        def attempt(index: int) -> int:
            response = httpx.post(
                f"{urls[index % 2]}/runs",
                json={"preset": "hello_quantum_sim", "shot_budget": 100},
                headers={"X-Session-Id": "shared-budget"},
                timeout=30,
            )
            return response.status_code

        with ThreadPoolExecutor(max_workers=32) as pool:
            codes = sorted(pool.map(attempt, range(100)))
        listed = httpx.get(f"{first.base_url}/runs", params={"limit": 500}, timeout=10).json()
    assert codes == [202] * 30 + [429] * 70
    assert len(listed["runs"]) == 30


def test_metrics_of_two_api_processes_agree_with_health(
    tmp_path: Path, env: dict[str, str]
) -> None:
    ports = [free_port(), free_port()]
    envs = [{**env, "SYNQC_ENABLE_METRICS": "true", "SYNQC_METRICS_PORT": str(p)} for p in ports]
    with live_server(tmp_path, envs[0]) as api, live_server(tmp_path, envs[1]):
        worker = WorkerProcess(tmp_path, env)
        try:
            wait_final(api, [submit(api) for _ in range(6)])
        finally:
            worker.stop()
        submit(api)  # stays queued: no worker left
        health = httpx.get(f"{api.base_url}/health", timeout=10).json()
        scrapes = [httpx.get(f"http://127.0.0.1:{p}/metrics", timeout=10).text for p in ports]
    for name in CONTRACT_SERIES:
        assert all(name in text for text in scrapes), name
    for text in scrapes:
        assert gauge(text, "synqc_queue_jobs_queued") == health["queue"]["queued"] == 1
        assert gauge(text, "synqc_queue_jobs_running") == health["queue"]["running"] == 0
        assert gauge(text, "synqc_budget_session_keys") == health["budget_tracker"]["session_keys"]


def test_serve_with_two_processes_answers_from_both_and_runs_reach_a_worker(
    tmp_path: Path, env: dict[str, str]
) -> None:
    port = free_port()
    metrics = {**env, "SYNQC_ENABLE_METRICS": "true", "SYNQC_METRICS_PORT": str(port)}
    with live_server(tmp_path, metrics, workers=2) as api:
        worker = WorkerProcess(tmp_path, env)
        try:
            runs = wait_final(api, [submit(api) for _ in range(4)])
        finally:
            worker.stop()
        exporters = [_process_label(port), _process_label(port + 1)]
    assert [run["status"] for run in runs] == ["succeeded"] * 4
    assert all(label.startswith("api-") for label in exporters)
    assert len(set(exporters)) == 2


def _process_label(metrics_port: int) -> str:
    """The `process` label of the exporter on this port, waiting for it to come up."""
    deadline = time.monotonic() + 30
    while True:
        try:
            text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    (label,) = {
        line.split('process="', 1)[1].split('"', 1)[0]
        for line in text.splitlines()
        if line.startswith("synqc_") and 'process="' in line
    }
    return label


def gauge(text: str, name: str) -> float:
    """The value of a single-sample gauge in a Prometheus text exposition."""
    (value,) = [
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") or line.startswith(name + " ")
    ]
    return value
