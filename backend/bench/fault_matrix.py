"""Fault matrix of the production deployment: every fault of the review, under load, with a
client that retries every failure with the same `Idempotency-Key`.

Run from backend/: `../.venv/bin/python bench/fault_matrix.py [--runs 24]`.

The deployment is two API processes (`synqc serve --workers 2`) and two `synqc worker`
processes on a Redis of its own with append-only persistence and a PostgreSQL server of its
own (both real servers on free ports). Each fault gets a fresh session whose budget fits
`--runs` runs exactly, then:

- `redis-kill-aof`: Redis SIGKILLed mid-burst, back with its AOF 10 s later;
- `redis-empty`: the session spent, Redis restarted empty, the burst submitted again;
- `redis-outage`: the session spent, Redis down while the burst is submitted again;
- `postgres-stop`: PostgreSQL stopped for 20 s mid-burst, then a worker SIGKILLed;
- `workers-kill`: both workers SIGKILLed mid-burst, new ones 30 s later;
- `api-kill`: one API process SIGKILLed mid-burst (its supervisor starts another).

Per fault it prints the runs submitted (distinct keys), accepted, refused, finished, lost
(accepted but never finished, or gone), duplicated (more than one run for a key) and the shots
the session spent above its limit. Exits 1 unless lost, duplicated and over-limit are all 0.
"""

import argparse
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx

BACKEND = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BACKEND))

from synqc_backend.storage.database import Database  # noqa: E402
from tests.live_server import LiveServer, WorkerProcess, server_env  # noqa: E402
from tests.postgres_server import (  # noqa: E402
    ThrowawayPostgres,
    require_postgres_binaries,
    running_throwaway_postgres,
)
from tests.redis_server import RedisServer, require_redis_server  # noqa: E402

SHOTS = 500
RETRY_FOR_S = 180.0
FINISH_FOR_S = 240.0
FINAL = {"succeeded", "failed", "cancelled"}


@dataclass
class Deployment:
    """The running processes and servers, and how to start another worker."""

    workdir: Path
    env: dict[str, str]
    redis: RedisServer
    postgres: ThrowawayPostgres
    api: LiveServer
    workers: list[WorkerProcess] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.api.base_url

    def add_worker(self) -> None:
        self.workers.append(WorkerProcess(self.workdir, self.env, threads=2))

    def kill_workers(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.kill()
        self.workers.clear()

    def api_children(self) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.api.process.pid)], capture_output=True, text=True
        )
        return [int(pid) for pid in found.stdout.split()]


@contextmanager
def deployment(workdir: Path, session_limit: int) -> Iterator[Deployment]:
    """Everything started, on the fault's session limit (settings are read once per process)."""
    with ExitStack() as stack:
        redis = RedisServer(workdir, require_redis_server(), append_only=True)
        redis.start()
        stack.callback(redis.stop)
        postgres = stack.enter_context(running_throwaway_postgres(require_postgres_binaries()))
        store = Database(postgres.url)
        store.migrate()
        store.dispose()
        env = server_env(
            workdir / "unused.db",
            SYNQC_REDIS_URL=redis.url,
            SYNQC_DATABASE_URL=postgres.url,
            SYNQC_HEARTBEAT_INTERVAL_SECONDS="1",
            SYNQC_STALE_RUN_SECONDS="4",
            SYNQC_RATE_LIMIT_PER_MINUTE="0",
            SYNQC_MAX_SHOTS_PER_SESSION=str(session_limit),
        )
        api = LiveServer(workdir, env, workers=2)
        stack.callback(api.stop)
        api.wait_ready(90)
        running = Deployment(workdir, env, redis, postgres, api)
        stack.callback(lambda: [worker.stop() for worker in running.workers])
        running.add_worker()
        running.add_worker()
        yield running


@dataclass
class Outcome:
    """What the client saw for one key: the run id it got, or the refusal's status."""

    key: str
    run_id: str | None = None
    refused: int | None = None
    attempts: int = 0


def submit_until_answered(base_url: str, session: str, key: str) -> Outcome:
    """Submit, retrying every 5xx and connection failure with the same key until a 202 or a
    4xx answers (as a careful client does)."""
    outcome = Outcome(key)
    deadline = time.monotonic() + RETRY_FOR_S
    body = {"preset": "hello_quantum_sim", "shot_budget": SHOTS, "notes": key}
    headers = {"X-Session-Id": session, "Idempotency-Key": key}
    while time.monotonic() < deadline:
        outcome.attempts += 1
        try:
            response = httpx.post(f"{base_url}/runs", json=body, headers=headers, timeout=30)
        except httpx.TransportError:
            time.sleep(0.5)
            continue
        if response.status_code == 202:
            outcome.run_id = response.json()["id"]
            return outcome
        if 400 <= response.status_code < 500:
            outcome.refused = response.status_code
            return outcome
        time.sleep(0.5)
    return outcome


@dataclass(frozen=True)
class FaultResult:
    name: str
    submitted: int
    accepted: int
    refused: int
    finished: int
    failed: int
    lost: int
    duplicated: int
    over_limit: int
    retries: int


def burst(
    running: Deployment, session: str, keys: list[str], during: Callable[[], None] | None
) -> list[Outcome]:
    """Submit `keys` from 8 clients; `during` runs once a third of them are answered."""
    answered = threading.Event()
    done: list[Outcome] = []

    def one(key: str) -> Outcome:
        outcome = submit_until_answered(running.base_url, session, key)
        done.append(outcome)
        if len(done) >= len(keys) // 3:
            answered.set()
        return outcome

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(one, key) for key in keys]
        if during is not None:
            answered.wait(RETRY_FOR_S)
            during()
        return [future.result() for future in futures]


def settle(
    running: Deployment, name: str, session: str, limit: int, outcomes: list[Outcome]
) -> FaultResult:
    """Wait for every accepted run to finish, then count what the store holds."""
    accepted = {o.run_id for o in outcomes if o.run_id is not None}
    runs = wait_finished(running.base_url, accepted)
    stored = session_runs(running.base_url, session)
    per_key = Counter(run["result"]["notes"] if run.get("result") else None for run in stored)
    by_id = {run["id"]: run for run in stored}
    spent = sum(run["result"]["shots"]["executed"] for run in stored if run.get("result"))
    return FaultResult(
        name=name,
        submitted=len(outcomes),
        accepted=len(accepted),
        refused=sum(o.refused is not None for o in outcomes),
        finished=sum(run["status"] == "succeeded" for run in runs.values()),
        failed=sum(run["status"] != "succeeded" for run in runs.values()),
        lost=sum(run_id not in runs or run_id not in by_id for run_id in accepted)
        + sum(o.run_id is None and o.refused is None for o in outcomes),
        duplicated=sum(count - 1 for key, count in per_key.items() if key and count > 1),
        over_limit=max(0, spent - limit),
        retries=sum(o.attempts - 1 for o in outcomes),
    )


def wait_finished(base_url: str, run_ids: set[str]) -> dict[str, dict[str, Any]]:
    runs: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + FINISH_FOR_S
    while len(runs) < len(run_ids) and time.monotonic() < deadline:
        for run_id in run_ids - set(runs):
            try:
                run = httpx.get(f"{base_url}/runs/{run_id}", timeout=10).json()
            except (httpx.TransportError, ValueError):
                continue
            if run.get("status") in FINAL:
                runs[run_id] = run
        time.sleep(0.5)
    return runs


def session_runs(base_url: str, session: str) -> list[dict[str, Any]]:
    listed = httpx.get(f"{base_url}/runs", params={"limit": 500}, timeout=30).json()["runs"]
    mine = []
    for run in listed:
        detail = httpx.get(f"{base_url}/runs/{run['id']}", timeout=10).json()
        if detail.get("result") and detail["result"].get("notes", "").startswith(session):
            mine.append(detail)
    return mine


def redis_kill_aof(running: Deployment, session: str, keys: list[str]) -> list[Outcome]:
    def fault() -> None:
        running.redis.kill()
        time.sleep(10)
        running.redis.start()

    return burst(running, session, keys, fault)


def redis_empty(running: Deployment, session: str, keys: list[str]) -> list[Outcome]:
    first = burst(running, session, keys, None)
    running.redis.stop()
    for path in running.workdir.glob("appendonly*"):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    running.redis.start()
    return first + burst(running, session, [f"{key}-again" for key in keys], None)


def redis_outage(running: Deployment, session: str, keys: list[str]) -> list[Outcome]:
    first = burst(running, session, keys, None)
    running.redis.kill()
    try:
        again = burst(running, session, [f"{key}-again" for key in keys], None)
    finally:
        running.redis.start()
    return first + again


def postgres_stop(running: Deployment, session: str, keys: list[str]) -> list[Outcome]:
    def fault() -> None:
        running.postgres.stop()
        time.sleep(20)
        running.postgres.start()
        running.workers[0].kill()
        running.workers.pop(0)
        running.add_worker()

    return burst(running, session, keys, fault)


def workers_kill(running: Deployment, session: str, keys: list[str]) -> list[Outcome]:
    def fault() -> None:
        running.kill_workers()
        time.sleep(30)
        running.add_worker()
        running.add_worker()

    return burst(running, session, keys, fault)


def api_kill(running: Deployment, session: str, keys: list[str]) -> list[Outcome]:
    def fault() -> None:
        children = running.api_children()
        if children:
            subprocess.run(["kill", "-KILL", str(children[0])], check=False)

    return burst(running, session, keys, fault)


FAULTS: dict[str, Callable[[Deployment, str, list[str]], list[Outcome]]] = {
    "redis-kill-aof": redis_kill_aof,
    "redis-empty": redis_empty,
    "redis-outage": redis_outage,
    "postgres-stop": postgres_stop,
    "workers-kill": workers_kill,
    "api-kill": api_kill,
}
COLUMNS = (
    "submitted",
    "accepted",
    "refused",
    "finished",
    "failed",
    "lost",
    "duplicated",
    "over_limit",
    "retries",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=24, help="runs per fault (the budget fits)")
    parser.add_argument("--only", choices=sorted(FAULTS), action="append")
    parser.add_argument("--keep-logs", action="store_true", help="keep every process's log")
    args = parser.parse_args()
    results = []
    with TemporaryDirectory(prefix="synqc-faults-", delete=not args.keep_logs) as scratch:
        if args.keep_logs:
            print(f"logs in {scratch}", file=sys.stderr)
        for name in args.only or list(FAULTS):
            # A deployment per fault, so one fault's leftovers never count for the next.
            workdir = Path(scratch) / name
            workdir.mkdir()
            limit = args.runs * SHOTS
            with deployment(workdir, limit) as running:
                session = f"faults-{name}"
                keys = [f"{session}-{index:03d}" for index in range(args.runs)]
                started = time.monotonic()
                outcomes = FAULTS[name](running, session, keys)
                result = settle(running, name, session, limit, outcomes)
                print(f"{name}: {time.monotonic() - started:.0f} s", file=sys.stderr)
                results.append(result)
    print(f"{'fault':<16}" + "".join(f"{column:>11}" for column in COLUMNS))
    for result in results:
        print(f"{result.name:<16}" + "".join(f"{getattr(result, c):>11}" for c in COLUMNS))
    bad = sum(r.lost + r.duplicated + r.over_limit for r in results)
    print(f"faults {len(results)}; runs lost, duplicated and shots over the limit: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
