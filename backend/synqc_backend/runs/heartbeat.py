"""Liveness of running runs across worker processes: one short-lived Redis key per run.

A worker keeps `synqc:heartbeat:<run id>` alive while it executes the run; when the worker
dies the key expires, and any worker's sweep sees a `running` run nobody is beating for.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import redis

KEY_PREFIX = "synqc:heartbeat:"


class RunHeartbeats:
    """Beats for the runs this process executes; answers whether any process beats for a run."""

    def __init__(self, client: redis.Redis, ttl_s: float, interval_s: float) -> None:
        self._client = client
        self._ttl_ms = int(ttl_s * 1000)
        self._interval_s = interval_s
        self._runs: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat_forever, name="run-heartbeats", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._interval_s + 1)

    @contextmanager
    def beating(self, run_id: str) -> Iterator[None]:
        """Keep the run's key alive for as long as the block runs."""
        with self._lock:
            self._runs.add(run_id)
        self._beat(run_id)
        try:
            yield
        finally:
            with self._lock:
                self._runs.discard(run_id)
            self._forget(run_id)

    def alive(self, run_id: str) -> bool:
        return bool(self._client.exists(KEY_PREFIX + run_id))

    def _beat_forever(self) -> None:
        while not self._stop.wait(self._interval_s):
            with self._lock:
                runs = list(self._runs)
            for run_id in runs:
                self._beat(run_id)

    def _beat(self, run_id: str) -> None:
        # Redis away: the sweep cannot see this run either; beating resumes with Redis.
        with suppress(redis.RedisError):
            self._client.set(KEY_PREFIX + run_id, "1", px=self._ttl_ms)

    def _forget(self, run_id: str) -> None:
        with suppress(redis.RedisError):
            self._client.delete(KEY_PREFIX + run_id)
