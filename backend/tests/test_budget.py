"""The in-memory session shot budget: reservations, releases, sliding expiry, restarts."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from synqc_backend.budget import BudgetDecision, BudgetTracker, InMemoryBudget

TTL_S = 60


class FakeClock:
    """A monotonic clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def budget(clock: FakeClock) -> InMemoryBudget:
    return InMemoryBudget(limit=1000, ttl_s=TTL_S, clock=clock)


def test_in_memory_budget_implements_the_port(budget: InMemoryBudget) -> None:
    tracker: BudgetTracker = budget
    assert tracker.backend == "memory"
    assert (tracker.limit, tracker.ttl_s) == (1000, TTL_S)


@pytest.mark.parametrize(
    ("shots", "decision"),
    [
        pytest.param(0, BudgetDecision(granted=True, used=0, remaining=1000), id="nothing"),
        pytest.param(400, BudgetDecision(granted=True, used=400, remaining=600), id="within"),
        pytest.param(1000, BudgetDecision(granted=True, used=1000, remaining=0), id="exactly"),
        pytest.param(1001, BudgetDecision(granted=False, used=0, remaining=1000), id="over"),
    ],
)
def test_first_reservation(budget: InMemoryBudget, shots: int, decision: BudgetDecision) -> None:
    assert budget.reserve("s", shots) == decision


def test_reservations_accumulate_and_a_refusal_changes_nothing(budget: InMemoryBudget) -> None:
    assert budget.reserve("s", 600) == BudgetDecision(True, 600, 400)
    assert budget.reserve("s", 401) == BudgetDecision(False, 600, 400)
    assert budget.used("s") == 600
    assert budget.reserve("s", 400) == BudgetDecision(True, 1000, 0)
    assert budget.reserve("s", 1) == BudgetDecision(False, 1000, 0)


def test_sessions_have_separate_budgets(budget: InMemoryBudget) -> None:
    budget.reserve("a", 900)

    assert budget.reserve("b", 900).granted
    assert (budget.used("a"), budget.used("b"), budget.used("never-seen")) == (900, 900, 0)


def test_negative_reservation_is_rejected(budget: InMemoryBudget) -> None:
    with pytest.raises(ValueError, match="shots"):
        budget.reserve("s", -1)


def test_release_gives_shots_back(budget: InMemoryBudget) -> None:
    budget.reserve("s", 1000)

    budget.release("s", 300)

    assert budget.used("s") == 700
    assert budget.reserve("s", 300) == BudgetDecision(True, 1000, 0)


@pytest.mark.parametrize("released", [0, -5])
def test_release_of_nothing_is_a_no_op(budget: InMemoryBudget, released: int) -> None:
    budget.reserve("s", 200)

    budget.release("s", released)

    assert budget.used("s") == 200


def test_release_never_goes_below_zero(budget: InMemoryBudget) -> None:
    budget.reserve("s", 100)

    budget.release("s", 250)

    assert budget.used("s") == 0
    assert budget.reserve("s", 1000).granted


def test_idle_session_expires_after_ttl(budget: InMemoryBudget, clock: FakeClock) -> None:
    budget.reserve("s", 800)

    clock.advance(TTL_S - 0.001)
    assert budget.used("s") == 800
    clock.advance(0.002)

    assert budget.used("s") == 0
    assert budget.session_keys() == 0
    assert budget.reserve("s", 1000).granted


def test_every_reservation_renews_the_window(budget: InMemoryBudget, clock: FakeClock) -> None:
    budget.reserve("s", 100)
    clock.advance(TTL_S - 1)
    budget.reserve("s", 100)
    clock.advance(TTL_S - 1)  # 2·TTL - 2 after the first touch, TTL - 1 after the last

    assert budget.used("s") == 200

    clock.advance(2)
    assert budget.used("s") == 0


def test_release_renews_the_window(budget: InMemoryBudget, clock: FakeClock) -> None:
    budget.reserve("s", 500)
    clock.advance(TTL_S - 1)
    budget.release("s", 100)
    clock.advance(TTL_S - 1)

    assert budget.used("s") == 400


def test_reading_usage_does_not_renew_the_window(budget: InMemoryBudget, clock: FakeClock) -> None:
    budget.reserve("s", 500)
    clock.advance(TTL_S - 1)
    assert budget.used("s") == 500
    clock.advance(2)

    assert budget.used("s") == 0


def test_session_keys_counts_live_sessions(budget: InMemoryBudget, clock: FakeClock) -> None:
    assert budget.session_keys() == 0
    budget.reserve("old", 10)
    clock.advance(TTL_S / 2)
    budget.reserve("new-1", 10)
    budget.reserve("new-2", 10)
    assert budget.session_keys() == 3

    clock.advance(TTL_S / 2 + 1)

    assert budget.session_keys() == 2


def test_restore_replaces_counters(budget: InMemoryBudget, clock: FakeClock) -> None:
    budget.reserve("stale", 500)

    budget.restore({"a": 300, "b": 1000, "idle": 0})

    assert (budget.used("a"), budget.used("b"), budget.used("stale")) == (300, 1000, 0)
    assert budget.session_keys() == 2  # zero usage is not a session
    assert budget.reserve("a", 701) == BudgetDecision(False, 300, 700)
    assert budget.reserve("b", 1) == BudgetDecision(False, 1000, 0)


def test_restored_sessions_expire_a_ttl_after_the_restore(
    budget: InMemoryBudget, clock: FakeClock
) -> None:
    budget.restore({"a": 300})
    clock.advance(TTL_S + 1)

    assert budget.used("a") == 0


def test_concurrent_reservations_never_exceed_the_limit() -> None:
    budget = InMemoryBudget(limit=2000, ttl_s=TTL_S)
    threads = 50
    start = threading.Barrier(threads)

    def reserve_100() -> BudgetDecision:
        start.wait()
        return budget.reserve("shared", 100)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        decisions = list(pool.map(lambda _: reserve_100(), range(threads)))

    granted = [d for d in decisions if d.granted]
    assert len(granted) == 20
    assert sorted(d.used for d in granted) == list(range(100, 2001, 100))
    assert all(d == BudgetDecision(False, 2000, 0) for d in decisions if not d.granted)
    assert budget.used("shared") == 2000
