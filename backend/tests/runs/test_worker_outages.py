"""Worker processes through outages: their loops outlive a PostgreSQL stop, and runs whose
workers were killed are run again, never failed with attempts left, with budgets exact.

Real processes: `synqc serve` and two `synqc worker --threads 1` on a throwaway Redis and
PostgreSQL, with 1 s heartbeats and a 4 s stale limit (sweeps 2 s apart).
"""

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from synqc_backend.storage.database import Database
from synqc_backend.storage.repository import RunRepository
from tests.live_server import LiveServer, WorkerProcess
from tests.postgres_server import ThrowawayPostgres, throwaway_postgres_fixture  # noqa: F401
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

pytestmark = pytest.mark.slow

SESSION = {"X-Session-Id": "outage-session"}
SHOTS = 40_000
RUNS = 4
OUTAGE_S = 20.0
FINAL = {"succeeded", "failed", "cancelled"}
# Processes import Qiskit as they start: slow on a busy 2-core host.
START_TIMEOUT_S = 120.0


@dataclass
class Deployment:
    """One API process and the worker processes started so far, and where their logs go."""

    api: LiveServer
    env: dict[str, str]
    workdir: Path
    workers: list[WorkerProcess]
    stack: ExitStack

    def start_worker(self) -> WorkerProcess:
        worker = WorkerProcess(self.workdir, self.env, threads=1)
        self.stack.callback(worker.stop)
        self.workers.append(worker)
        return worker

    def log_of(self, worker: WorkerProcess) -> str:
        return (self.workdir / f"worker-{id(worker)}.log").read_text(errors="replace")

    def wait_workers_up(self, timeout_s: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while not all("worker up" in self.log_of(worker) for worker in self.workers):
            assert all(worker.process.poll() is None for worker in self.workers)
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)


@pytest.fixture
def deployment(
    tmp_path: Path, redis_server: RedisServer, throwaway_postgres: ThrowawayPostgres
) -> Iterator[Deployment]:
    store = Database(throwaway_postgres.url)
    store.migrate()
    store.dispose()
    env = {
        "SYNQC_REDIS_URL": redis_server.url,
        "SYNQC_DATABASE_URL": throwaway_postgres.url,
        "SYNQC_API_KEY": "",
        "SYNQC_ENABLE_METRICS": "false",
        "SYNQC_HEARTBEAT_INTERVAL_SECONDS": "1",
        "SYNQC_STALE_RUN_SECONDS": "4",
    }
    with ExitStack() as stack:
        api = LiveServer(tmp_path, env)
        stack.callback(api.stop)
        up = Deployment(api, env, tmp_path, [], stack)
        for _ in range(2):
            up.start_worker()
        api.wait_ready(START_TIMEOUT_S)
        up.wait_workers_up()
        yield up


def submit_runs(api: LiveServer) -> list[str]:
    body = {"preset": "health", "shot_budget": SHOTS}
    responses = [
        httpx.post(f"{api.base_url}/runs", json=body, headers=SESSION, timeout=10)
        for _ in range(RUNS)
    ]
    assert [response.status_code for response in responses] == [202] * RUNS
    return [response.json()["id"] for response in responses]


def runs_of(api: LiveServer, run_ids: list[str]) -> list[dict[str, Any]]:
    return [httpx.get(f"{api.base_url}/runs/{run_id}", timeout=10).json() for run_id in run_ids]


def wait_one_running_per_worker(api: LiveServer, run_ids: list[str]) -> None:
    """Both workers (one thread each) hold a run: two runs are `running` at once."""
    deadline = time.monotonic() + 60
    while sum(run["status"] == "running" for run in runs_of(api, run_ids)) < 2:
        assert time.monotonic() < deadline, "the workers never held a run each"
        time.sleep(0.05)


def wait_final(api: LiveServer, run_ids: list[str], timeout_s: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runs = runs_of(api, run_ids)
        if all(run["status"] in FINAL for run in runs):
            return runs
        time.sleep(0.2)
    raise AssertionError(f"not final: {[run['status'] for run in runs_of(api, run_ids)]}")


def attempts_of(database_url: str, run_ids: list[str]) -> list[int]:
    store = Database(database_url)
    try:
        with store.unit_of_work() as session:
            repository = RunRepository(session)
            return [row.attempts for row in map(repository.get, run_ids) if row is not None]
    finally:
        store.dispose()


def assert_every_run_kept_one_attempt(
    deployment: Deployment, runs: list[dict[str, Any]], attempts: list[int]
) -> None:
    assert [(run["status"], run["error_code"]) for run in runs] == [("succeeded", None)] * RUNS
    # The killed worker's running run was run again: a second attempt, not a failure.
    assert 2 in attempts
    # Each run counts the shots of the attempt it kept, once (the same plan for every run),
    # and the session holds exactly those.
    executed = [run["result"]["shots"]["executed"] for run in runs]
    assert len(set(executed)) == 1
    assert 0 < executed[0] <= SHOTS
    budget = httpx.get(f"{deployment.api.base_url}/budget", headers=SESSION, timeout=10)
    assert budget.json()["used"] == sum(executed)


def test_a_killed_workers_runs_are_recovered_after_postgres_was_stopped_for_20_s(
    deployment: Deployment, throwaway_postgres: ThrowawayPostgres
) -> None:
    survivor, doomed = deployment.workers
    throwaway_postgres.stop()
    time.sleep(OUTAGE_S)
    throwaway_postgres.start()
    assert all(worker.process.poll() is None for worker in deployment.workers)

    run_ids = submit_runs(deployment.api)
    wait_one_running_per_worker(deployment.api, run_ids)
    doomed.kill()
    runs = wait_final(deployment.api, run_ids, timeout_s=60)

    attempts = attempts_of(throwaway_postgres.url, run_ids)
    assert_every_run_kept_one_attempt(deployment, runs, attempts)
    log = deployment.log_of(survivor)
    # The outage is told once per background loop (the sweeper's, the monitor scheduler's),
    # and its end; the steps in between stay quiet.
    assert log.count("WARNING synqc_backend.runs.background_loop") <= 2
    assert log.count("run-sweeper: unreachable (OperationalError") == 1
    assert "run-sweeper: working again after" in log


def test_runs_of_workers_all_killed_at_once_are_run_again_with_budgets_exact(
    deployment: Deployment, throwaway_postgres: ThrowawayPostgres
) -> None:
    run_ids = submit_runs(deployment.api)
    wait_one_running_per_worker(deployment.api, run_ids)
    for worker in deployment.workers:
        worker.kill()
    for _ in range(2):
        deployment.start_worker()

    runs = wait_final(deployment.api, run_ids, timeout_s=90)

    attempts = attempts_of(throwaway_postgres.url, run_ids)
    assert_every_run_kept_one_attempt(deployment, runs, attempts)
    assert sorted(attempts) == [1, 1, 2, 2]
