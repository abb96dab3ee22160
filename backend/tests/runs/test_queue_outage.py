"""Redis stopped mid-test under a production deployment: every submit is accepted (and
executes once Redis is back) or refused with nothing stored; a retry with the same
`Idempotency-Key` gets the run its first attempt stored, never a second one."""

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from synqc_backend.storage.database import Database
from tests.live_server import WorkerProcess, live_server, server_env
from tests.postgres_server import require_postgres
from tests.redis_server import RedisServer, require_redis_server, running_redis_server

pytestmark = pytest.mark.slow
HELLO = {"preset": "hello_quantum_sim", "shot_budget": 500}
FINISH_TIMEOUT_S = 120.0


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[httpx.Client, RedisServer]]:
    """One API process and one worker on a throwaway Redis and a scratch PostgreSQL database."""
    with ExitStack() as stack:
        redis = stack.enter_context(running_redis_server(tmp_path, require_redis_server()))
        scratch = stack.enter_context(require_postgres().database())
        store = Database(scratch.url)
        store.migrate()
        store.dispose()
        env = server_env(
            tmp_path / "unused.db",
            SYNQC_REDIS_URL=redis.url,
            SYNQC_DATABASE_URL=scratch.url,
            SYNQC_HEARTBEAT_INTERVAL_SECONDS="1",
            SYNQC_STALE_RUN_SECONDS="4",
        )
        server = stack.enter_context(live_server(tmp_path, env))
        worker = WorkerProcess(tmp_path, env)
        stack.callback(worker.stop)
        http = stack.enter_context(httpx.Client(base_url=server.base_url, timeout=30))
        yield http, redis


def submit(http: httpx.Client, key: str) -> httpx.Response:
    return http.post("/runs", json=HELLO, headers={"Idempotency-Key": key})


def wait_final(http: httpx.Client, run_ids: set[str]) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + FINISH_TIMEOUT_S
    runs: dict[str, dict[str, Any]] = {}
    while len(runs) < len(run_ids) and time.monotonic() < deadline:
        for run_id in run_ids - set(runs):
            run = http.get(f"/runs/{run_id}").json()
            if run["status"] in {"succeeded", "failed", "cancelled"}:
                runs[run_id] = run
        time.sleep(0.2)
    return runs


def test_submits_while_redis_is_down_are_accepted_and_every_run_finishes(
    deployment: tuple[httpx.Client, RedisServer],
) -> None:
    http, redis = deployment
    before = [submit(http, f"before-{i}") for i in range(3)]
    redis.kill()
    during = [submit(http, f"during-{i}") for i in range(4)]
    retried = [submit(http, f"during-{i}") for i in range(4)]
    redis.start()  # back empty: the queue lost nothing the run table does not hold
    after = [submit(http, f"after-{i}") for i in range(3)]
    responses = before + during + retried + after

    accepted = {r.json()["id"] for r in responses if r.status_code == 202}
    refused = [r for r in responses if r.status_code != 202]
    runs = wait_final(http, accepted)
    stored = {run["id"] for run in http.get("/runs", params={"limit": 500}).json()["runs"]}

    assert all(r.status_code == 503 or 400 <= r.status_code < 500 for r in refused), refused
    assert stored == accepted
    assert [r.json()["id"] for r in retried] == [r.json()["id"] for r in during]
    assert len(accepted) == len(before) + len(during) + len(after)
    assert all(any("queue could not be reached" in w for w in r.json()["warnings"]) for r in during)
    assert {run["status"] for run in runs.values()} == {"succeeded"}
    assert set(runs) == accepted
