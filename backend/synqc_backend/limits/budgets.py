"""Per-session shot budgets: reserve atomically at submit, give back what a run did not spend.

- `BudgetTracker`: the port; `InMemoryBudget`: one process's counters, the embedded default.
- `redis_budgets.py`: counters shared by every process through Redis, with a fallback to these.
"""

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BudgetDecision:
    """Outcome of a reservation; `used` and `remaining` are after it (or unchanged if refused)."""

    granted: bool
    used: int
    remaining: int


@dataclass(frozen=True)
class BudgetSnapshot:
    """What /health and the metrics report about the tracker."""

    backend: str
    redis_connected: bool
    session_keys: int
    key_churn: int


class BudgetTracker(Protocol):
    """The budget port. `limit` is shots per session; entries expire after `ttl_s` idle.

    - `backend`: "redis" or "memory", whichever holds the counters now.
    - `redis_connected`: True only while the counters live in a Redis that answers.
    - `key_churn`: sessions opened by this process's reservations since it started (a counter).
    - `session_keys()`: live sessions, counted without scanning keys.
    """

    limit: int
    ttl_s: int

    @property
    def backend(self) -> str: ...

    @property
    def redis_connected(self) -> bool: ...

    @property
    def key_churn(self) -> int: ...

    def reserve(self, session_id: str, shots: int) -> BudgetDecision: ...

    def release(self, session_id: str, shots: int) -> None: ...

    def used(self, session_id: str) -> int: ...

    def session_keys(self) -> int: ...

    def restore(self, usage: Mapping[str, int]) -> None: ...

    def seed(self, session_id: str, held: int) -> bool:
        """Set the session's counter to `held` (the run table's view) if it has none, as
        after an empty Redis restart or an eviction; True if it set one."""
        ...

    def close(self) -> None: ...


def budget_snapshot(budget: BudgetTracker) -> BudgetSnapshot:
    """Read the tracker for /health and metrics; counts first, so a lost Redis shows at once."""
    session_keys = budget.session_keys()
    return BudgetSnapshot(budget.backend, budget.redis_connected, session_keys, budget.key_churn)


def check_shots(shots: int) -> None:
    if shots < 0:
        raise ValueError("shots must be >= 0")


@dataclass
class _Entry:
    used: int
    touched: float


class InMemoryBudget:
    """A thread-safe budget for one process: the embedded default's tracker."""

    backend = "memory"
    redis_connected = False

    def __init__(self, limit: int, ttl_s: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._churn = 0
        self._lock = threading.Lock()

    @property
    def key_churn(self) -> int:
        return self._churn

    def reserve(self, session_id: str, shots: int) -> BudgetDecision:
        check_shots(shots)
        with self._lock:
            self._expire()
            entry = self._entries.get(session_id)
            used = 0 if entry is None else entry.used
            if used + shots > self.limit:
                return BudgetDecision(False, used, self.limit - used)
            if shots == 0:
                return BudgetDecision(True, used, self.limit - used)
            entry = self._touch(session_id)
            entry.used += shots
            return BudgetDecision(True, entry.used, self.limit - entry.used)

    def release(self, session_id: str, shots: int) -> None:
        if shots <= 0:
            return
        with self._lock:
            self._expire()
            if session_id in self._entries:
                entry = self._touch(session_id)
                entry.used = max(0, entry.used - shots)

    def used(self, session_id: str) -> int:
        with self._lock:
            self._expire()
            entry = self._entries.get(session_id)
            return 0 if entry is None else entry.used

    def session_keys(self) -> int:
        with self._lock:
            self._expire()
            return len(self._entries)

    def restore(self, usage: Mapping[str, int]) -> None:
        """Replace the counters (after a restart) with what the run table says is held."""
        now = self._clock()
        with self._lock:
            self._entries = {sid: _Entry(used, now) for sid, used in usage.items() if used > 0}

    def seed(self, session_id: str, held: int) -> bool:
        with self._lock:
            self._expire()
            if held <= 0 or session_id in self._entries:
                return False
            self._entries[session_id] = _Entry(held, self._clock())
            return True

    def usage(self) -> dict[str, int]:
        """Shots held by each live session."""
        with self._lock:
            self._expire()
            return {sid: entry.used for sid, entry in self._entries.items()}

    def close(self) -> None:
        """Nothing to release; here for the port."""

    def _touch(self, session_id: str) -> _Entry:
        # Sliding TTL: every change renews the session's window.
        now = self._clock()
        entry = self._entries.get(session_id)
        if entry is None:
            entry = self._entries[session_id] = _Entry(0, now)
            self._churn += 1
        entry.touched = now
        return entry

    def _expire(self) -> None:
        deadline = self._clock() - self.ttl_s
        for session_id in [s for s, e in self._entries.items() if e.touched < deadline]:
            del self._entries[session_id]


# Every script reads the clock of the Redis server, so all processes share one clock. The
# sorted set SESSIONS_KEY has one member per session, scored with the millisecond its counter
# expires; every write prunes the expired members (each is removed once: amortized O(log n)).
