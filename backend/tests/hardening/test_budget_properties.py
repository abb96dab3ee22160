"""Any sequence of submit, cancel, fail and succeed keeps a session's books straight.

A state machine drives a budget the way the engine does (reserve at submit; give back all of a
cancelled queued run; give back the unspent part of a failed or succeeded run) and checks after
every step, for the in-memory budget and for the Redis budget on a real server:

- `used` is what the model says the session holds, never above the limit;
- `used + remaining == limit`, with `remaining` as `GET /budget` reports it.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from synqc_backend.limits.budgets import BudgetTracker, InMemoryBudget
from synqc_backend.limits.redis_budgets import FallbackBudget, RedisBudget
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

LIMIT = 10_000
TTL_S = 3600
SESSIONS = ("a", "b", "c")
MACHINE_SETTINGS = settings(max_examples=60, stateful_step_count=30, deadline=None, database=None)


@dataclass
class Run:
    session: str
    shots: int


def budget_machine(make_budget: Callable[[], BudgetTracker]) -> type[RuleBasedStateMachine]:
    class BudgetBooks(RuleBasedStateMachine):
        runs = Bundle("runs")

        def __init__(self) -> None:
            super().__init__()
            self.budget = make_budget()
            # Unique names: machines on one Redis must not share counters.
            self.prefix = uuid.uuid4().hex[:8]
            self.held = dict.fromkeys(SESSIONS, 0)

        def teardown(self) -> None:
            self.budget.close()

        def key(self, session: str) -> str:
            return f"{self.prefix}:{session}"

        @rule(target=runs, session=st.sampled_from(SESSIONS), shots=st.integers(1, 4_000))
        def submit(self, session: str, shots: int) -> Run | None:
            decision = self.budget.reserve(self.key(session), shots)
            fits = self.held[session] + shots <= LIMIT
            assert decision.granted == fits
            if not fits:
                assert decision.remaining == LIMIT - self.held[session]
                return None
            self.held[session] += shots
            assert decision.used == self.held[session]
            return Run(session, shots)

        @rule(run=consumes(runs))
        def cancel_queued(self, run: Run | None) -> None:
            if run is not None:
                self.budget.release(self.key(run.session), run.shots)
                self.held[run.session] -= run.shots

        @rule(run=consumes(runs), share=st.floats(0.0, 1.0), succeeded=st.booleans())
        def finish(self, run: Run | None, share: float, succeeded: bool) -> None:
            """A failed run may have executed part of its shots; a succeeded one all or less."""
            if run is None:
                return
            executed = run.shots if succeeded and share > 0.5 else int(run.shots * share)
            self.budget.release(self.key(run.session), run.shots - executed)
            self.held[run.session] -= run.shots - executed

        @invariant()
        def books_balance(self) -> None:
            for session in SESSIONS:
                used = self.budget.used(self.key(session))
                remaining = max(0, self.budget.limit - used)
                assert used == self.held[session]
                assert used <= LIMIT
                assert used + remaining == LIMIT

    return BudgetBooks


def test_the_in_memory_budget_keeps_its_books() -> None:
    run_state_machine_as_test(
        budget_machine(lambda: InMemoryBudget(LIMIT, TTL_S)), settings=MACHINE_SETTINGS
    )


def test_the_redis_budget_keeps_its_books(redis_server: RedisServer) -> None:
    def make() -> BudgetTracker:
        return FallbackBudget(RedisBudget.from_url(redis_server.url, LIMIT, TTL_S))

    run_state_machine_as_test(budget_machine(make), settings=MACHINE_SETTINGS)
