"""Request rate limits: requests per one-minute window, per API key and per client address.

- `InMemoryRateLimiter`: this process's counters, the embedded default.
- `RedisRateLimiter`: counters shared by every API process (production). While Redis does not
  answer, this process's own counters stand in, so a limit still holds per process.
- A window opens with a bucket's first request and lasts `WINDOW_S`; `Retry-After` is the time
  left in it. Buckets are opaque strings such as `addr:<ip>` or `key:<fingerprint>`.
"""

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

WINDOW_S = 60
KEY_PREFIX = "synqc:rate:"
REDIS_TIMEOUT_S = 0.5
_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)

# KEYS: one counter per bucket. ARGV: window in ms. Returns count, ms left per bucket.
_HIT = """
local out = {}
for i = 1, #KEYS do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  local left = redis.call('PTTL', KEYS[i])
  out[2 * i - 1] = count
  out[2 * i] = left
end
return out
"""


@dataclass(frozen=True)
class RateDecision:
    """The verdict on one request: refused when any of its buckets is over the limit.

    `bucket` names the first bucket over the limit; `retry_after_s` is when it opens again.
    """

    allowed: bool
    bucket: str | None = None
    retry_after_s: int = 0


class RateLimiter(Protocol):
    """The rate-limit port: count one request against each bucket and decide."""

    limit: int

    def hit(self, buckets: Sequence[str]) -> RateDecision: ...

    def close(self) -> None: ...


def decide(limit: int, counts: Sequence[tuple[str, int, float]]) -> RateDecision:
    """Refuse if a bucket's count is above `limit`; (bucket, count, seconds left) per bucket."""
    for bucket, count, left_s in counts:
        if count > limit:
            return RateDecision(False, bucket, max(1, math.ceil(left_s)))
    return RateDecision(True)


@dataclass
class _Window:
    opened: float
    count: int


class InMemoryRateLimiter:
    """Thread-safe counters of one process; expired windows are dropped as they are met."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()
        self._last_prune = clock()

    def hit(self, buckets: Sequence[str]) -> RateDecision:
        now = self._clock()
        counts = []
        with self._lock:
            self._prune(now)
            for bucket in buckets:
                window = self._windows.get(bucket)
                if window is None or now - window.opened >= WINDOW_S:
                    window = self._windows[bucket] = _Window(now, 0)
                window.count += 1
                counts.append((bucket, window.count, WINDOW_S - (now - window.opened)))
        return decide(self.limit, counts)

    def buckets(self) -> int:
        """Live buckets (windows not yet over)."""
        with self._lock:
            self._prune(self._clock(), force=True)
            return len(self._windows)

    def close(self) -> None:
        """Nothing to release; here for the port."""

    def _prune(self, now: float, *, force: bool = False) -> None:
        # At most once a window: keeps memory bounded by the buckets seen in one window.
        if not force and now - self._last_prune < WINDOW_S:
            return
        self._last_prune = now
        self._windows = {b: w for b, w in self._windows.items() if now - w.opened < WINDOW_S}


class RedisRateLimiter:
    """Counters in Redis shared by every API process, one atomic script per request."""

    def __init__(self, client: redis.Redis, limit: int) -> None:
        self.limit = limit
        self._client = client
        self._hit = client.register_script(_HIT)
        self._fallback = InMemoryRateLimiter(limit)
        self._warned = False

    @classmethod
    def from_url(cls, url: str, limit: int) -> "RedisRateLimiter":
        """A limiter with its own client; short timeouts, since every request waits on it."""
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_S,
            socket_timeout=REDIS_TIMEOUT_S,
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        )
        return cls(client, limit)

    def hit(self, buckets: Sequence[str]) -> RateDecision:
        keys = [KEY_PREFIX + bucket for bucket in buckets]
        try:
            reply = self._hit(keys=keys, args=[WINDOW_S * 1000])
        except _UNREACHABLE as error:
            if not self._warned:
                log.warning("rate limits use this process's counters: Redis: %s", error)
                self._warned = True
            return self._fallback.hit(buckets)
        self._warned = False
        counts = [
            (bucket, int(reply[2 * i]), int(reply[2 * i + 1]) / 1000)
            for i, bucket in enumerate(buckets)
        ]
        return decide(self.limit, counts)

    def close(self) -> None:
        self._client.close()


def create_rate_limiter(limit: int, redis_url: str | None) -> RateLimiter:
    """In-memory without `redis_url` (embedded), else shared through Redis."""
    if redis_url is None:
        return InMemoryRateLimiter(limit)
    return RedisRateLimiter.from_url(redis_url, limit)
