"""Session shot budgets: one contract suite over every tracker, then the in-memory specifics.

The contract runs over `InMemoryBudget` (a fake clock), `RedisBudget` and `FallbackBudget` on a
throwaway `redis-server` (a real 1 s TTL and real sleeps, so few of them).
"""

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from synqc_backend.limits.budgets import (
    BudgetDecision,
    BudgetSnapshot,
    BudgetTracker,
    InMemoryBudget,
    budget_snapshot,
)
from synqc_backend.limits.redis_budgets import FallbackBudget, RedisBudget
from synqc_backend.runs.services import create_budget
from tests.conftest import make_settings
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

LIMIT = 1000
MEMORY_TTL_S = 60
REDIS_TTL_S = 1


class FakeClock:
    """A monotonic clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Harness:
    """A tracker under contract and how to let time pass for it."""

    tracker: BudgetTracker
    wait: Callable[[float], None]
    backend: str


@pytest.fixture(params=["memory", "redis", "fallback"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "memory":
        clock = FakeClock()
        yield Harness(InMemoryBudget(LIMIT, MEMORY_TTL_S, clock=clock), clock.advance, "memory")
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    tracker: BudgetTracker = RedisBudget.from_url(server.url, LIMIT, REDIS_TTL_S)
    if request.param == "fallback":
        tracker = FallbackBudget(RedisBudget.from_url(server.url, LIMIT, REDIS_TTL_S))
    try:
        yield Harness(tracker, time.sleep, "redis")
    finally:
        tracker.close()


@pytest.fixture
def budget(harness: Harness) -> BudgetTracker:
    return harness.tracker


def test_tracker_implements_the_port(harness: Harness) -> None:
    tracker = harness.tracker

    assert tracker.backend == harness.backend
    assert tracker.redis_connected is (harness.backend == "redis")
    assert (tracker.limit, tracker.key_churn) == (LIMIT, 0)
    assert tracker.ttl_s == (MEMORY_TTL_S if harness.backend == "memory" else REDIS_TTL_S)


@pytest.mark.parametrize(
    ("shots", "decision"),
    [
        pytest.param(0, BudgetDecision(granted=True, used=0, remaining=1000), id="nothing"),
        pytest.param(400, BudgetDecision(granted=True, used=400, remaining=600), id="within"),
        pytest.param(1000, BudgetDecision(granted=True, used=1000, remaining=0), id="exactly"),
        pytest.param(1001, BudgetDecision(granted=False, used=0, remaining=1000), id="over"),
    ],
)
def test_first_reservation(budget: BudgetTracker, shots: int, decision: BudgetDecision) -> None:
    assert budget.reserve("s", shots) == decision


def test_reservations_accumulate_and_a_refusal_changes_nothing(budget: BudgetTracker) -> None:
    assert budget.reserve("s", 600) == BudgetDecision(True, 600, 400)
    assert budget.reserve("s", 401) == BudgetDecision(False, 600, 400)
    assert budget.used("s") == 600
    assert budget.reserve("s", 400) == BudgetDecision(True, 1000, 0)
    assert budget.reserve("s", 1) == BudgetDecision(False, 1000, 0)


def test_sessions_have_separate_budgets(budget: BudgetTracker) -> None:
    budget.reserve("a", 900)

    assert budget.reserve("b", 900).granted
    assert (budget.used("a"), budget.used("b"), budget.used("never-seen")) == (900, 900, 0)


def test_negative_reservation_is_rejected(budget: BudgetTracker) -> None:
    with pytest.raises(ValueError, match="shots"):
        budget.reserve("s", -1)


def test_release_gives_shots_back(budget: BudgetTracker) -> None:
    budget.reserve("s", 1000)

    budget.release("s", 300)

    assert budget.used("s") == 700
    assert budget.reserve("s", 300) == BudgetDecision(True, 1000, 0)


@pytest.mark.parametrize("released", [0, -5])
def test_release_of_nothing_is_a_no_op(budget: BudgetTracker, released: int) -> None:
    budget.reserve("s", 200)

    budget.release("s", released)

    assert budget.used("s") == 200


def test_release_never_goes_below_zero(budget: BudgetTracker) -> None:
    budget.reserve("s", 100)

    budget.release("s", 250)

    assert budget.used("s") == 0
    assert budget.session_keys() == 1  # still a session, holding nothing, until its TTL ends
    assert budget.reserve("s", 1000).granted


def test_release_for_an_unknown_session_creates_nothing(budget: BudgetTracker) -> None:
    budget.release("never-seen", 100)

    assert (budget.used("never-seen"), budget.session_keys(), budget.key_churn) == (0, 0, 0)


def test_session_keys_count_sessions_that_hold_a_reservation(budget: BudgetTracker) -> None:
    budget.reserve("a", 10)
    budget.reserve("a", 10)
    budget.reserve("b", 10)
    budget.reserve("refused", LIMIT + 1)
    budget.reserve("nothing", 0)

    assert budget.session_keys() == 2
    assert budget.key_churn == 2


def test_restore_seeds_counters(budget: BudgetTracker) -> None:
    budget.restore({"a": 300, "b": 1000, "idle": 0})

    assert (budget.used("a"), budget.used("b"), budget.used("idle")) == (300, 1000, 0)
    assert budget.session_keys() == 2  # zero usage is not a session
    assert budget.key_churn == 0  # restored, not opened
    assert budget.reserve("a", 701) == BudgetDecision(False, 300, 700)
    assert budget.reserve("b", 1) == BudgetDecision(False, 1000, 0)


def test_changes_renew_the_window_and_reads_do_not(harness: Harness) -> None:
    budget, step = harness.tracker, 0.7 * harness.tracker.ttl_s
    budget.restore({"restored": 100})
    budget.reserve("renewed-by-reserve", 100)
    budget.reserve("renewed-by-release", 100)
    budget.reserve("only-read", 100)

    harness.wait(step)
    budget.reserve("renewed-by-reserve", 100)
    budget.release("renewed-by-release", 50)
    assert budget.used("only-read") == 100
    harness.wait(step)  # 1.4 TTL after the first touch, 0.7 TTL after the renewals

    assert (budget.used("renewed-by-reserve"), budget.used("renewed-by-release")) == (200, 50)
    assert (budget.used("only-read"), budget.used("restored")) == (0, 0)
    assert budget.session_keys() == 2
    harness.wait(step)

    assert budget.session_keys() == 0
    assert budget.reserve("only-read", 1000).granted  # expired: a fresh, full budget
    assert budget.key_churn == 4  # three opened, one of them opened again


def test_snapshot_reports_what_health_and_metrics_show(harness: Harness) -> None:
    harness.tracker.reserve("a", 10)

    assert budget_snapshot(harness.tracker) == BudgetSnapshot(
        backend=harness.backend,
        redis_connected=harness.backend == "redis",
        session_keys=1,
        key_churn=1,
    )


def test_concurrent_reservations_never_exceed_the_limit(budget: BudgetTracker) -> None:
    threads = 50
    start = threading.Barrier(threads)

    def reserve_100(_: int) -> BudgetDecision:
        start.wait()
        return budget.reserve("shared", 100)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        decisions = list(pool.map(reserve_100, range(threads)))

    granted = [d for d in decisions if d.granted]
    assert sorted(d.used for d in granted) == list(range(100, LIMIT + 1, 100))
    assert all(d == BudgetDecision(False, LIMIT, 0) for d in decisions if not d.granted)
    assert budget.used("shared") == LIMIT


# In-memory specifics.


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def memory(clock: FakeClock) -> InMemoryBudget:
    return InMemoryBudget(limit=LIMIT, ttl_s=MEMORY_TTL_S, clock=clock)


def test_idle_session_expires_exactly_after_ttl(memory: InMemoryBudget, clock: FakeClock) -> None:
    memory.reserve("s", 800)

    clock.advance(MEMORY_TTL_S - 0.001)
    assert memory.used("s") == 800
    clock.advance(0.002)

    assert memory.used("s") == 0
    assert memory.session_keys() == 0


def test_memory_restore_replaces_every_counter(memory: InMemoryBudget) -> None:
    memory.reserve("stale", 500)

    memory.restore({"a": 300})

    assert memory.usage() == {"a": 300}


def test_usage_lists_live_sessions(memory: InMemoryBudget, clock: FakeClock) -> None:
    memory.reserve("old", 10)
    clock.advance(MEMORY_TTL_S / 2)
    memory.reserve("new", 20)
    clock.advance(MEMORY_TTL_S / 2 + 1)

    assert memory.usage() == {"new": 20}


def test_create_budget_without_redis_is_in_memory(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_shots_per_session=5000, session_budget_ttl_seconds=30)

    budget = create_budget(settings)

    assert isinstance(budget, InMemoryBudget)
    assert (budget.limit, budget.ttl_s, budget.redis_connected) == (5000, 30, False)
