"""Liveness of running runs across worker processes: one short-lived Redis key per run.

A worker keeps `synqc:heartbeat:<run id>` alive while it executes the run; when the worker
dies the key expires, and any worker's sweep sees a `running` run nobody is beating for.
- Beats run in a `BackgroundLoop`: while Redis is away they fail (logged once) and are tried
  again every interval, so the keys are back within one interval of Redis.
- Each holder writes its own token into the key and deletes the key only while it still holds
  that token: an attempt that ends never clears the key another attempt of the run now keeps.
"""

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import redis

from synqc_backend.runs.background_loop import BackgroundLoop

KEY_PREFIX = "synqc:heartbeat:"

# KEYS: the heartbeat key. ARGV: the holder's token. Deletes the key only if it holds the token.
_FORGET = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RunHeartbeats:
    """Beats for the runs this process executes; answers whether any process beats for a run."""

    def __init__(self, client: redis.Redis, ttl_s: float, interval_s: float) -> None:
        self._client = client
        self._ttl_ms = int(ttl_s * 1000)
        self._held: dict[str, str] = {}  # token → run id
        self._lock = threading.Lock()
        self._forget_script = client.register_script(_FORGET)
        # Never backed off past one interval: keys must be back before they are missed.
        self._loop = BackgroundLoop("run-heartbeats", self._beat_held, interval_s, interval_s)

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    @contextmanager
    def beating(self, run_id: str) -> Iterator[None]:
        """Keep the run's key alive for as long as the block runs."""
        token = uuid.uuid4().hex
        with self._lock:
            self._held[token] = run_id
        # Redis away: the sweep cannot see this run either; the loop beats once Redis is back.
        with suppress(redis.RedisError):
            self._client.set(KEY_PREFIX + run_id, token, px=self._ttl_ms)
        try:
            yield
        finally:
            with self._lock:
                del self._held[token]
            with suppress(redis.RedisError):
                self._forget_script([KEY_PREFIX + run_id], [token])

    def alive(self, run_id: str) -> bool:
        return bool(self._client.exists(KEY_PREFIX + run_id))

    def _beat_held(self) -> None:
        with self._lock:
            held = list(self._held.items())
        if not held:
            return
        with self._client.pipeline(transaction=False) as pipe:
            for token, run_id in held:
                pipe.set(KEY_PREFIX + run_id, token, px=self._ttl_ms)
            pipe.execute()
