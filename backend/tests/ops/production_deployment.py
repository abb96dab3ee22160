"""The production deployment the operations tests run against, with real processes.

`synqc serve --workers 2` (two API processes on one port, as the container runs them) and two
`synqc worker` processes on a throwaway `redis-server` and a scratch PostgreSQL database,
every process with its own metrics exporter (ports from one free base port up, as on a
production host).
"""

import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from synqc_backend.metrics import PORT_SPAN
from synqc_backend.storage.database import Database
from tests.live_server import LiveServer, WorkerProcess, free_port
from tests.postgres_server import require_postgres
from tests.redis_server import RedisServer, require_redis_server, running_redis_server

API_PROCESSES = 2
WORKER_PROCESSES = 2
START_TIMEOUT_S = 90.0


@dataclass
class ProductionDeployment:
    """A running deployment: its API URL, one /metrics URL per process, and its parts."""

    base_url: str
    metrics_urls: list[str]
    redis: RedisServer
    api: LiveServer
    workers: list[WorkerProcess]

    @property
    def metrics_targets(self) -> list[str]:
        """`host:port` of every exporter, as Prometheus targets."""
        return [url.removeprefix("http://").removesuffix("/metrics") for url in self.metrics_urls]

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()


@contextmanager
def production_deployment(
    workdir: Path, overrides: Mapping[str, str] | None = None
) -> Iterator[ProductionDeployment]:
    """Start everything, wait until the API answers and every exporter serves, stop it after.

    `overrides` are `SYNQC_` settings for every process on top of the deployment's own.
    """
    redis_executable = require_redis_server()
    postgres = require_postgres()
    with ExitStack() as stack:
        redis = stack.enter_context(running_redis_server(workdir, redis_executable))
        database = stack.enter_context(postgres.database())
        store = Database(database.url)
        store.migrate()
        store.dispose()
        metrics_base = free_port()
        env = {
            "SYNQC_REDIS_URL": redis.url,
            "SYNQC_DATABASE_URL": database.url,
            "SYNQC_API_KEY": "",
            "SYNQC_ENABLE_METRICS": "true",
            "SYNQC_METRICS_PORT": str(metrics_base),
            "SYNQC_HEARTBEAT_INTERVAL_SECONDS": "1",
            "SYNQC_STALE_RUN_SECONDS": "4",
            # A load test spends one session's budget: 60 health runs take 4.8 M shots.
            "SYNQC_MAX_SHOTS_PER_SESSION": "100000000",
            **(overrides or {}),
        }
        api = LiveServer(workdir, env, workers=API_PROCESSES)
        stack.callback(api.stop)
        workers = [WorkerProcess(workdir, env) for _ in range(WORKER_PROCESSES)]
        for worker in workers:
            stack.callback(worker.stop)
        api.wait_ready(START_TIMEOUT_S)
        metrics_urls = _wait_exporters(metrics_base, API_PROCESSES + WORKER_PROCESSES)
        yield ProductionDeployment(api.base_url, metrics_urls, redis, api, workers)


def _wait_exporters(first_port: int, count: int) -> list[str]:
    """The /metrics URLs of `count` SynQc exporters on `first_port` and up."""
    deadline = time.monotonic() + START_TIMEOUT_S
    urls: list[str] = []
    while time.monotonic() < deadline:
        urls = [
            url
            for port in range(first_port, first_port + PORT_SPAN)
            if _serves_synqc_metrics(url := f"http://127.0.0.1:{port}/metrics")
        ]
        if len(urls) >= count:
            return urls
        time.sleep(0.5)
    raise TimeoutError(f"{len(urls)} of {count} exporters serve metrics: {urls}")


def _serves_synqc_metrics(url: str) -> bool:
    try:
        response = httpx.get(url, timeout=1.0)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and "synqc_queue_max_workers" in response.text
