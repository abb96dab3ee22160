"""Shot budgets shared by every process through Redis, with an in-memory fallback.

- `RedisBudget`: one counter per session; each change is one atomic Lua script.
- `FallbackBudget`: Redis while it answers, this process's in-memory counters while it does not.
"""

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.commands.core import Script
from redis.retry import Retry

from synqc_backend.limits.budgets import BudgetDecision, BudgetTracker, InMemoryBudget, check_shots

log = logging.getLogger(__name__)

KEY_PREFIX = "synqc:budget:"
# Not under KEY_PREFIX: a session may be called "sessions".
SESSIONS_KEY = "synqc:budget-sessions"
REDIS_TIMEOUT_S = 1.0
RETRY_INTERVAL_S = 5.0
_RESTORE_CHUNK = 500
# Errors that mean "Redis is not answering" (AuthenticationError and BusyLoadingError included);
# any other RedisError is a bug or a misconfiguration and propagates.
_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)


_LUA_COMMON = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function track(sessions, session_id, ttl_ms)
  local now = now_ms()
  redis.call('ZADD', sessions, string.format('%d', now + ttl_ms), session_id)
  redis.call('ZREMRANGEBYSCORE', sessions, '-inf', '(' .. string.format('%d', now))
  redis.call('PEXPIRE', sessions, ttl_ms)
end
"""

# KEYS: counter, sessions. ARGV: shots, limit (-1: no check), ttl_ms, session id.
# Returns {granted, used, created}; a refusal or zero shots changes nothing.
_RESERVE = (
    _LUA_COMMON
    + """
local shots, limit, ttl_ms = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local held = redis.call('GET', KEYS[1])
local used = tonumber(held or '0')
if limit >= 0 and used + shots > limit then return {0, used, 0} end
if shots == 0 then return {1, used, 0} end
used = redis.call('INCRBY', KEYS[1], shots)
redis.call('PEXPIRE', KEYS[1], ttl_ms)
track(KEYS[2], ARGV[4], ttl_ms)
if held then return {1, used, 0} end
return {1, used, 1}
"""
)

# KEYS: counter, sessions. ARGV: shots, ttl_ms, session id. Returns the count, -1 if none.
_RELEASE = (
    _LUA_COMMON
    + """
local held = redis.call('GET', KEYS[1])
if not held then return -1 end
local used = math.max(0, tonumber(held) - tonumber(ARGV[1]))
redis.call('SET', KEYS[1], used, 'PX', ARGV[2])
track(KEYS[2], ARGV[3], tonumber(ARGV[2]))
return used
"""
)

# KEYS: sessions, then one counter per session. ARGV: ttl_ms, then (session id, shots) per
# counter. A counter that exists is the live state of some process and is kept (SET NX).
_RESTORE = (
    _LUA_COMMON
    + """
local ttl_ms = tonumber(ARGV[1])
local set = 0
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[2 * i - 1], 'NX', 'PX', ttl_ms) then
    track(KEYS[1], ARGV[2 * i - 2], ttl_ms)
    set = set + 1
  end
end
return set
"""
)

# KEYS: sessions. Live sessions: O(log n).
_COUNT = (
    _LUA_COMMON
    + """
return redis.call('ZCOUNT', KEYS[1], now_ms(), '+inf')
"""
)


class RedisBudget:
    """Session counters in Redis, shared by every API and worker process.

    - Key `synqc:budget:<session_id>` holds the shots in use, with a sliding TTL.
    - `session_keys()` counts the sorted set `synqc:budget-sessions` (session → expiry), kept
      by the same scripts: never a SCAN or KEYS.
    - Raises redis errors; `FallbackBudget` turns an unreachable Redis into memory counters.
    - Owns its client: `close()` closes it.
    """

    backend = "redis"

    def __init__(self, client: redis.Redis, limit: int, ttl_s: int) -> None:
        self.limit = limit
        self.ttl_s = ttl_s
        self._client = client
        self._ttl_ms = ttl_s * 1000
        self._reserve = client.register_script(_RESERVE)
        self._release = client.register_script(_RELEASE)
        self._restore = client.register_script(_RESTORE)
        self._count = client.register_script(_COUNT)
        self._churn = 0
        self._lock = threading.Lock()

    @classmethod
    def from_url(
        cls, url: str, limit: int, ttl_s: int, timeout_s: float = REDIS_TIMEOUT_S
    ) -> "RedisBudget":
        """A budget with its own client: short timeouts, one retry only for a broken connection.

        A timed-out script may have run, so it is not retried (that could reserve twice); a
        pooled connection that Redis closed fails on use and is retried once.
        """
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        )
        return cls(client, limit, ttl_s)

    @property
    def redis_connected(self) -> bool:
        """Whether Redis answers a PING now."""
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False

    @property
    def key_churn(self) -> int:
        return self._churn

    def reserve(self, session_id: str, shots: int) -> BudgetDecision:
        check_shots(shots)
        args: list[str | int] = [shots, self.limit, self._ttl_ms, session_id]
        granted, used, created = _run(self._reserve, self._keys(session_id), args)
        if created:
            with self._lock:
                self._churn += 1
        return BudgetDecision(bool(granted), int(used), self.limit - int(used))

    def release(self, session_id: str, shots: int) -> None:
        if shots > 0:
            _run(self._release, self._keys(session_id), [shots, self._ttl_ms, session_id])

    def used(self, session_id: str) -> int:
        held = self._client.get(KEY_PREFIX + session_id)
        return 0 if held is None else int(held)

    def session_keys(self) -> int:
        return int(_run(self._count, [SESSIONS_KEY], []))

    def restore(self, usage: Mapping[str, int]) -> None:
        """Seed counters from the run table, only for sessions that have no counter in Redis.

        Other processes may be running: a counter that exists is their live state, newer than
        the table's view, and is kept.
        """
        held = [(sid, used) for sid, used in usage.items() if used > 0]
        for start in range(0, len(held), _RESTORE_CHUNK):
            chunk = held[start : start + _RESTORE_CHUNK]
            keys = [SESSIONS_KEY] + [KEY_PREFIX + sid for sid, _ in chunk]
            args: list[str | int] = [self._ttl_ms]
            for sid, used in chunk:
                args += [sid, used]
            _run(self._restore, keys, args)

    def seed(self, session_id: str, held: int) -> bool:
        if held <= 0:
            return False
        keys = [SESSIONS_KEY, KEY_PREFIX + session_id]
        return bool(_run(self._restore, keys, [self._ttl_ms, session_id, held]))

    def add_granted(self, usage: Mapping[str, int]) -> None:
        """Add shots granted elsewhere (the in-memory fallback) to the counters, atomically."""
        with self._client.pipeline(transaction=True) as pipe:
            for sid, used in usage.items():
                if used > 0:
                    args: list[str | int] = [used, -1, self._ttl_ms, sid]
                    _run(self._reserve, self._keys(sid), args, client=pipe)
            pipe.execute()

    def ping(self) -> None:
        """Raise unless Redis answers."""
        self._client.ping()

    def close(self) -> None:
        self._client.close()

    def _keys(self, session_id: str) -> list[str]:
        return [KEY_PREFIX + session_id, SESSIONS_KEY]


def _run(
    script: Script,
    keys: Sequence[str],
    args: Sequence[str | int],
    client: redis.Redis | None = None,
) -> Any:
    # redis-py's Script runs EVALSHA and loads the script on NOSCRIPT (a restarted server).
    return script(keys, args, client)


class FallbackBudget:
    """Redis while it answers; this process's in-memory counters while it does not.

    - A connection error or time-out switches to memory at once, the failing call included;
      Redis is tried again at most once per `retry_interval_s`, by the next call that needs it.
    - On reconnecting, the shots held in memory are added to the Redis counters (they were
      granted), then the memory counters are emptied. What a restore seeded into memory is
      carried over like `RedisBudget.restore` (only where Redis has no counter), so a process
      started during an outage does not count the run table twice.
    - During an outage each process enforces the limit on its own counters, and shots reserved
      in Redis before it and released during it stay held until the session's TTL ends.
    - Thread-safe: memory calls and the switch back to Redis share one lock, so no reservation
      is left behind in memory once Redis is back.
    """

    def __init__(
        self,
        redis_budget: RedisBudget,
        retry_interval_s: float = RETRY_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = redis_budget.limit
        self.ttl_s = redis_budget.ttl_s
        self.retry_interval_s = retry_interval_s
        self._redis = redis_budget
        self._memory = InMemoryBudget(self.limit, self.ttl_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._connected = False
        self._retry_at = float("-inf")
        self._restored: dict[str, int] = {}  # what restore() put in memory

    @property
    def backend(self) -> str:
        """Which counters are in use; while on memory, reading this may try Redis again."""
        return "redis" if self._redis_ready() else "memory"

    @property
    def redis_connected(self) -> bool:
        """Whether the counters are in Redis; while not, reading this may try Redis again."""
        return self._redis_ready()

    @property
    def key_churn(self) -> int:
        return self._redis.key_churn + self._memory.key_churn

    def reserve(self, session_id: str, shots: int) -> BudgetDecision:
        check_shots(shots)
        return self._dispatch(lambda tracker: tracker.reserve(session_id, shots))

    def release(self, session_id: str, shots: int) -> None:
        self._dispatch(lambda tracker: tracker.release(session_id, shots))

    def used(self, session_id: str) -> int:
        return self._dispatch(lambda tracker: tracker.used(session_id))

    def session_keys(self) -> int:
        return self._dispatch(lambda tracker: tracker.session_keys())

    def restore(self, usage: Mapping[str, int]) -> None:
        def seed(tracker: BudgetTracker) -> None:
            tracker.restore(usage)
            if tracker is self._memory:
                self._restored = dict(usage)

        self._dispatch(seed)

    def seed(self, session_id: str, held: int) -> bool:
        def seed_one(tracker: BudgetTracker) -> bool:
            seeded = tracker.seed(session_id, held)
            if seeded and tracker is self._memory:
                # Carried over like a restore: only where Redis has no counter by then.
                self._restored[session_id] = held
            return seeded

        return self._dispatch(seed_one)

    def close(self) -> None:
        self._redis.close()

    def _dispatch[T](self, call: Callable[[BudgetTracker], T]) -> T:
        while True:
            if self._redis_ready():
                try:
                    return call(self._redis)
                except _UNREACHABLE as error:
                    self._lost(error)
            with self._lock:
                if not self._connected:
                    return call(self._memory)
            # Another thread reconnected in between: go to Redis.

    def _redis_ready(self) -> bool:
        if self._connected:
            return True
        with self._lock:
            if self._connected:
                return True
            if self._clock() < self._retry_at:
                return False
            first_try = self._retry_at == float("-inf")
            self._retry_at = self._clock() + self.retry_interval_s
            try:
                self._redis.ping()
                self._carry_over()
            except _UNREACHABLE as error:
                level = logging.WARNING if first_try else logging.DEBUG
                log.log(level, "budget: Redis unreachable (%s); counting shots in memory", error)
                return False
            self._connected = True
        log.info("budget: session counters are in Redis")
        return True

    def _carry_over(self) -> None:
        # Releases are taken from the restored part first: restored runs are the older ones.
        # Safe to repeat after a failure half-way: the restore part only sets absent counters.
        usage = self._memory.usage()
        restored = {sid: min(used, self._restored.get(sid, 0)) for sid, used in usage.items()}
        self._redis.restore(restored)
        self._redis.add_granted({sid: used - restored[sid] for sid, used in usage.items()})
        self._memory.restore({})
        self._restored = {}

    def _lost(self, error: Exception) -> None:
        with self._lock:
            if not self._connected:
                return
            self._connected = False
            self._retry_at = self._clock() + self.retry_interval_s
        log.warning("budget: Redis unreachable (%s); counting shots in memory", error)
