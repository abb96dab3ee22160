"""Per-session shot budgets: reserve atomically at submit, give back what a run did not spend."""

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class BudgetDecision:
    """Outcome of a reservation; `used` and `remaining` are after it (or unchanged if refused)."""

    granted: bool
    used: int
    remaining: int


class BudgetTracker(Protocol):
    """The budget port. `limit` is shots per session; entries expire after `ttl_s` idle."""

    backend: str
    limit: int
    ttl_s: int

    def reserve(self, session_id: str, shots: int) -> BudgetDecision: ...

    def release(self, session_id: str, shots: int) -> None: ...

    def used(self, session_id: str) -> int: ...

    def session_keys(self) -> int: ...

    def restore(self, usage: Mapping[str, int]) -> None: ...


@dataclass
class _Entry:
    used: int
    touched: float


class InMemoryBudget:
    """A thread-safe budget for one process: the embedded default's tracker."""

    backend = "memory"

    def __init__(self, limit: int, ttl_s: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def reserve(self, session_id: str, shots: int) -> BudgetDecision:
        if shots < 0:
            raise ValueError("shots must be >= 0")
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
        """Seed the counters (after a restart) from what the run table says is held."""
        now = self._clock()
        with self._lock:
            self._entries = {sid: _Entry(used, now) for sid, used in usage.items() if used > 0}

    def _touch(self, session_id: str) -> _Entry:
        # Sliding TTL: every change renews the session's window.
        now = self._clock()
        entry = self._entries.setdefault(session_id, _Entry(0, now))
        entry.touched = now
        return entry

    def _expire(self) -> None:
        deadline = self._clock() - self.ttl_s
        for session_id in [s for s, e in self._entries.items() if e.touched < deadline]:
            del self._entries[session_id]
