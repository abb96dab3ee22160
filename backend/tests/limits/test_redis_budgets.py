"""Redis budgets on a throwaway `redis-server`: key layout, restore, processes, and fallback.

The behaviour every tracker shares is the contract suite in `test_budgets.py`. This module stays
light to import (no app, no `tests.conftest`): the atomicity test's processes import it.
"""

import multiprocessing
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import pytest

from synqc_backend.config import Settings
from synqc_backend.limits.budgets import BudgetDecision
from synqc_backend.limits.redis_budgets import KEY_PREFIX, SESSIONS_KEY, FallbackBudget, RedisBudget
from synqc_backend.runs.services import create_budget
from tests.limits.test_budgets import FakeClock
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

LIMIT = 1000
TTL_S = 60
RETRY_S = 5.0


@pytest.fixture
def budget(redis_server: RedisServer) -> Iterator[RedisBudget]:
    with closing(RedisBudget.from_url(redis_server.url, LIMIT, TTL_S)) as budget:
        yield budget


def test_a_session_is_one_counter_with_a_sliding_ttl(
    redis_server: RedisServer, budget: RedisBudget
) -> None:
    budget.reserve("s", 300)
    budget.release("s", 100)

    with redis_server.client() as client:
        assert client.get(f"{KEY_PREFIX}s") == b"200"
        assert 0 < client.pttl(f"{KEY_PREFIX}s") <= TTL_S * 1000
        assert client.zrange(SESSIONS_KEY, 0, -1) == [b"s"]
        assert 0 < client.pttl(SESSIONS_KEY) <= TTL_S * 1000
        assert client.dbsize() == 2


def test_reading_never_scans_keys(redis_server: RedisServer, budget: RedisBudget) -> None:
    budget.reserve("a", 10)
    with redis_server.client() as client:
        client.config_resetstat()

        assert (budget.session_keys(), budget.used("a")) == (1, 10)

        stats = client.info("commandstats")
    assert "cmdstat_evalsha" in stats
    assert not {"cmdstat_scan", "cmdstat_keys"} & set(stats)


def test_restore_keeps_counters_other_processes_hold(
    redis_server: RedisServer, budget: RedisBudget
) -> None:
    with closing(RedisBudget.from_url(redis_server.url, LIMIT, TTL_S)) as other_process:
        other_process.reserve("live", 500)

    budget.restore({"live": 100, "absent": 200})

    assert (budget.used("live"), budget.used("absent"), budget.session_keys()) == (500, 200, 2)
    with redis_server.client() as client:
        assert 0 < client.pttl(f"{KEY_PREFIX}absent") <= TTL_S * 1000


def test_restore_of_many_sessions(budget: RedisBudget) -> None:
    budget.restore({f"s{i}": i for i in range(1, 1202)})

    assert budget.session_keys() == 1201
    assert (budget.used("s1"), budget.used("s1201")) == (1, 1201)


def test_scripts_are_reloaded_when_redis_forgot_them(
    redis_server: RedisServer, budget: RedisBudget
) -> None:
    budget.reserve("s", 100)
    with redis_server.client() as client:
        client.script_flush()

    assert budget.reserve("s", 100) == BudgetDecision(True, 200, 800)


def test_redis_connected_pings(redis_server: RedisServer, budget: RedisBudget) -> None:
    assert budget.redis_connected

    redis_server.stop()

    assert not budget.redis_connected


PROCESSES = 3
THREADS = 16
SHOTS = 100
FITS = 30


def reserve_from_threads(url: str, start: Barrier, results: Queue[list[int]]) -> None:
    """In a child process: THREADS threads reserve SHOTS at once; report the grants' `used`."""
    budget = RedisBudget.from_url(url, FITS * SHOTS, TTL_S)
    gate = threading.Barrier(THREADS)

    def reserve(_: int) -> BudgetDecision:
        gate.wait()
        return budget.reserve("shared", SHOTS)

    try:
        start.wait(timeout=60)
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            decisions = list(pool.map(reserve, range(THREADS)))
        results.put([d.used for d in decisions if d.granted])
    finally:
        budget.close()


def test_processes_and_threads_get_exactly_what_fits(redis_server: RedisServer) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results: Queue[list[int]] = context.Queue()
    args = (redis_server.url, start, results)
    processes = [context.Process(target=reserve_from_threads, args=args) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    try:
        granted = [used for _ in processes for used in results.get(timeout=120)]
    finally:
        for process in processes:
            process.join(timeout=30)
        results.close()
        results.join_thread()

    assert [process.exitcode for process in processes] == [0] * PROCESSES
    assert sorted(granted) == [SHOTS * n for n in range(1, FITS + 1)]
    with redis_server.client() as client:
        assert client.get(f"{KEY_PREFIX}shared") == str(FITS * SHOTS).encode()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fallback(redis_server: RedisServer, clock: FakeClock) -> Iterator[FallbackBudget]:
    redis_budget = RedisBudget.from_url(redis_server.url, LIMIT, TTL_S)
    with closing(FallbackBudget(redis_budget, RETRY_S, clock)) as fallback:
        yield fallback


def test_fallback_counts_in_memory_while_redis_is_gone_and_returns(
    redis_server: RedisServer, fallback: FallbackBudget, clock: FakeClock
) -> None:
    assert fallback.reserve("s", 100).granted
    assert (fallback.backend, fallback.redis_connected) == ("redis", True)

    redis_server.stop()

    assert fallback.reserve("s", 200) == BudgetDecision(True, 200, 800)
    assert (fallback.backend, fallback.redis_connected) == ("memory", False)
    fallback.release("s", 50)
    assert fallback.reserve("t", 10).granted
    assert (fallback.used("s"), fallback.session_keys()) == (150, 2)

    redis_server.start()  # the same port, empty
    assert fallback.reserve("t", 10).granted
    assert fallback.backend == "memory"  # no retry before the interval
    clock.advance(RETRY_S)

    assert (fallback.backend, fallback.redis_connected) == ("redis", True)
    assert (fallback.used("s"), fallback.used("t")) == (150, 20)  # carried over from memory
    with redis_server.client() as client:
        assert client.get(f"{KEY_PREFIX}s") == b"150"
    assert fallback.key_churn == 3  # s in Redis, s and t in memory


def test_fallback_starts_in_memory_when_redis_is_down(
    redis_server: RedisServer, fallback: FallbackBudget, clock: FakeClock
) -> None:
    redis_server.stop()

    assert fallback.reserve("s", 100).granted
    assert not fallback.redis_connected

    redis_server.start()
    clock.advance(RETRY_S)
    assert fallback.redis_connected
    assert fallback.used("s") == 100


def test_fallback_carries_a_restore_made_during_an_outage_over_once(
    redis_server: RedisServer, fallback: FallbackBudget, clock: FakeClock
) -> None:
    redis_server.stop()
    fallback.restore({"a": 300, "b": 200})  # this process starts while Redis is down
    fallback.reserve("a", 100)
    fallback.release("b", 50)

    redis_server.start()
    with closing(RedisBudget.from_url(redis_server.url, LIMIT, TTL_S)) as other_process:
        other_process.restore({"a": 300})  # started after Redis came back: same run table
    clock.advance(RETRY_S)

    assert fallback.backend == "redis"
    assert (fallback.used("a"), fallback.used("b")) == (400, 150)


def test_fallback_survives_a_crashed_redis(
    redis_server: RedisServer, fallback: FallbackBudget
) -> None:
    fallback.reserve("s", 100)

    redis_server.kill()

    assert fallback.reserve("s", 100) == BudgetDecision(True, 100, 900)
    assert not fallback.redis_connected


def test_fallback_takes_a_hung_redis_as_down(redis_server: RedisServer, clock: FakeClock) -> None:
    redis_budget = RedisBudget.from_url(redis_server.url, LIMIT, TTL_S, timeout_s=0.2)
    with closing(FallbackBudget(redis_budget, RETRY_S, clock)) as fallback:
        assert fallback.reserve("s", 100).granted
        redis_server.pause()
        try:
            assert fallback.reserve("s", 100) == BudgetDecision(True, 100, 900)
            assert fallback.backend == "memory"
        finally:
            redis_server.resume()


def test_create_budget_with_redis_shares_counters(redis_server: RedisServer) -> None:
    settings = Settings.model_validate(
        {"redis_url": redis_server.url, "max_shots_per_session": 5000}
    )
    with closing(create_budget(settings)) as first, closing(create_budget(settings)) as second:
        first.reserve("s", 3000)

        assert isinstance(first, FallbackBudget)
        assert (first.backend, first.limit, first.ttl_s) == ("redis", 5000, 3600)
        assert second.reserve("s", 2001) == BudgetDecision(False, 3000, 2000)
